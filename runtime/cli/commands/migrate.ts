/** `bubble-runtime migrate [--schema <dir>] [--allow-drop] [--json]` */
import type { Command } from 'commander';
import { relative } from 'node:path';

interface MigrateFlags {
  schema?: string;
  allowDrop?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'Bring the database (DATABASE_URL, or the embedded PGlite in ./.bubble/pglite) to the Prisma schema: writes a migration where `prisma migrate deploy` finds it and applies it. Never drops a table or column without --allow-drop.',
    )
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .option('--allow-drop', 'allow the new migration to drop tables or columns (their data is lost)')
    .option('--json', 'print one JSON document: {created, path, applied, drops, database}')
    .action(async (flags: MigrateFlags) => {
      const { openDbFromEnv } = await import('../../db/open.js');
      const { describeDrop } = await import('../../migrate/drops.js');
      const { migrate } = await import('../../migrate/migrate.js');
      const { resolveSchema } = await import('../../project/schema.js');
      const cwd = process.cwd();
      const location = await resolveSchema({ schema: flags.schema, cwd });
      const db = await openDbFromEnv({ cwd });
      try {
        const result = await migrate({ db, schemaDir: location.schemaDir, files: location.files, migrationsDir: location.migrationsDir, allowDrop: flags.allowDrop === true });
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              created: result.created?.name ?? null,
              path: result.created?.path ?? null,
              applied: result.applied,
              drops: result.created?.drops.map(describeDrop) ?? [],
              database: db.kind,
            })}\n`,
          );
          return;
        }
        const rel = (p: string) => relative(cwd, p) || '.';
        if (result.created) process.stdout.write(`Created migration ${rel(result.created.path)}\n`);
        if (result.created?.drops.length) process.stdout.write(`  dropped (--allow-drop): ${result.created.drops.map(describeDrop).join(', ')}\n`);
        if (result.applied.length > 0) process.stdout.write(`Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}\n`);
        if (!result.created && result.applied.length === 0) process.stdout.write('The database is up to date with the schema; nothing to do.\n');
      } finally {
        await db.close();
      }
    });
}
