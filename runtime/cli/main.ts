import { Command, CommanderError } from 'commander';
import { packageVersion } from '../version.js';

/** Builds the `bubble-runtime` program; commands register themselves here as they arrive. */
export function buildProgram(): Command {
  const program = new Command('bubble-runtime')
    .description('Mirror a Bubble.io app into PostgreSQL: introspect, migrate, sync, status, demo.')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .showHelpAfterError();
  return program;
}

/** Runs the CLI and resolves to the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    throw err;
  }
}
