import { Command, CommanderError } from 'commander';
import { BubbleError, formatError } from '../errors.js';
import { packageVersion } from '../version.js';

/**
 * Each command lives in `commands/<name>.ts` and exports `register(program)`; add it to this list.
 * Commands do their work inside their action and throw typed errors (runtime/errors.ts).
 */
const commands: Array<() => Promise<{ register: (program: Command) => void }>> = [
  () => import('./commands/introspect.js'),
  () => import('./commands/generate.js'),
  () => import('./commands/migrate.js'),
  () => import('./commands/sync.js'),
  () => import('./commands/status.js'),
  () => import('./commands/jobs.js'),
  () => import('./commands/listen.js'),
  () => import('./commands/demo.js'),
  () => import('./commands/fake-bubble.js'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('bubble-runtime')
    .description('Mirror a Bubble.io app into PostgreSQL: introspect, migrate, sync, status, jobs, listen, demo.')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .showHelpAfterError();
  for (const load of commands) (await load()).register(program);
  return program;
}

/** Runs the CLI and resolves to the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) return 0;
      return 2;
    }
    process.stderr.write(`bubble-runtime: ${formatError(err)}\n`);
    return err instanceof BubbleError ? err.exitCode : 1;
  }
}
