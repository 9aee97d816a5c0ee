import { Command, CommanderError } from 'commander';
import { BubbleError, formatError } from '../../core/errors.js';
import { packageVersion } from '../../core/version.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerFakeBubble } from './commands/fake-bubble.js';
import { register as registerGenerate } from './commands/generate.js';
import { register as registerIntrospect } from './commands/introspect.js';
import { register as registerJobs } from './commands/jobs.js';
import { register as registerListen } from './commands/listen.js';
import { register as registerMigrate } from './commands/migrate.js';
import { register as registerQuery } from './commands/query.js';
import { register as registerServeDb } from './commands/serve-db.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerSync } from './commands/sync.js';

/**
 * Each command lives in `commands/<name>.ts` and exports `register(program)`; add it to this list.
 * A command module declares its flags only and imports what its action needs inside the action, so
 * `--version` and `--help` start as fast as Node itself. Commands throw typed errors (core/errors.ts).
 */
const commands: Array<(program: Command) => void> = [
  registerIntrospect,
  registerGenerate,
  registerMigrate,
  registerSync,
  registerStatus,
  registerJobs,
  registerListen,
  registerQuery,
  registerServeDb,
  registerDemo,
  registerFakeBubble,
];

export function buildProgram(): Command {
  const program = new Command('bubble-runtime')
    .description('Mirror a Bubble.io app into PostgreSQL: introspect, migrate, sync, status, jobs, listen, demo.')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  for (const command of program.commands) {
    command.option('--env-file <path>', 'read variables from this file instead of ./.env (the environment still wins)');
  }
  // Before any action: the env file, then every variable validated (a bad one is exit 2 on every command).
  program.hook('preAction', async (_program, action) => {
    const { applyEnvFile, readEnvFile, readSettings } = await import('../../core/settings/index.js');
    const file = readEnvFile({ cwd: process.cwd(), path: action.opts<{ envFile?: string }>().envFile });
    if (file) applyEnvFile(file);
    readSettings();
  });
  return program;
}

/** Runs the CLI and resolves to the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
