/** `bubble-runtime query "<sql>" [--json]`: one SQL statement against the mirror, without writing code. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('query')
    .description(
      'Run one SQL statement against the database (DATABASE_URL, or the embedded PGlite in ./.bubble/pglite) and print the rows: a table for people, or with --json one JSON array of row objects.',
    )
    .argument('<sql>', 'the statement, e.g. \'SELECT count(*) FROM "user"\' (quote table names as they appear in the database)')
    .option('--json', 'print the rows as one JSON array on stdout')
    .action(async (sql: string, flags: { json?: boolean }) => {
      const { openDbFromEnv } = await import('../../db/open.js');
      const { renderTable, rowsToJson } = await import('../../query/render.js');
      const db = await openDbFromEnv({ cwd: process.cwd(), mustExist: true });
      try {
        const rows = await db.query(sql);
        process.stdout.write(flags.json ? `${rowsToJson(rows)}\n` : renderTable(rows));
      } finally {
        await db.close();
      }
    });
}
