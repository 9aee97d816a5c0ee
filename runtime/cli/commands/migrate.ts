/** `bubble-runtime migrate [--schema <dir>] [--allow-drop] [--json]` */
import type { Command } from 'commander';
import { join, relative } from 'node:path';
import type { Manifest } from '../../../core/manifest/schema.js';
import type { Drop } from '../../migrate/drops.js';
import type { MigrateResult } from '../../migrate/migrate.js';
import type { SchemaLocation } from '../../project/index.js';

interface MigrateFlags {
  schema?: string;
  allowDrop?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'Bring the database (DATABASE_URL, or the embedded PGlite in ./.bubble/pglite) to the Prisma schema: writes a migration where `prisma migrate deploy` finds it and applies it, then fills new columns of existing rows from their stored records. Never drops a table or column without --allow-drop.',
    )
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .option('--allow-drop', 'allow the new migration to drop tables or columns (their data is lost)')
    .option('--json', 'print one JSON document: {created, path, applied, drops, backfill, database}')
    .action(async (flags: MigrateFlags) => {
      const { openDbFromEnv } = await import('../../db/open.js');
      const { describeDrop, isRetiredStateColumn } = await import('../../migrate/drops.js');
      const { migrate } = await import('../../migrate/migrate.js');
      const { resolveSchema } = await import('../../project/schema.js');
      const cwd = process.cwd();
      const location = await resolveSchema({ schema: flags.schema, cwd });
      const manifest = await manifestOf(location);
      const db = await openDbFromEnv({ cwd });
      try {
        const result = await migrate({
          db,
          schemaDir: location.schemaDir,
          files: location.files,
          migrationsDir: location.migrationsDir,
          allowDrop: flags.allowDrop === true,
          ...(manifest ? { manifest } : {}),
        });
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              created: result.created?.name ?? null,
              path: result.created?.path ?? null,
              applied: result.applied,
              drops: result.created?.drops.map(describeDrop) ?? [],
              backfill: result.backfill,
              database: db.kind,
            })}\n`,
          );
          return;
        }
        const retired = (drop: Drop): boolean => isRetiredStateColumn(drop, manifest?.state);
        process.stdout.write(describe(result, (p) => relative(cwd, p) || '.', describeDrop, retired));
      } finally {
        await db.close();
      }
    });
}

/**
 * The generator's manifest for this schema, when the schema has a `generator bubble` block that was
 * generated: it names Bubble types in messages and says which columns to fill. A schema without one
 * is migrated all the same.
 */
async function manifestOf(location: SchemaLocation): Promise<Manifest | undefined> {
  const { findBubbleGenerator } = await import('../../project/index.js');
  const { ProjectError } = await import('../../../core/errors.js');
  const { loadManifest } = await import('../../../core/manifest/read.js');
  const { MANIFEST_FILE } = await import('../../../core/manifest/schema.js');
  try {
    const block = await findBubbleGenerator(location);
    return loadManifest(join(block.output, MANIFEST_FILE));
  } catch (err) {
    if (err instanceof ProjectError && ['NO_BUBBLE_GENERATOR', 'NO_GENERATOR_OUTPUT', 'MANIFEST_MISSING'].includes(err.code))
      return undefined;
    throw err;
  }
}

function describe(
  result: MigrateResult,
  rel: (path: string) => string,
  describeDrop: (drop: Drop) => string,
  retired: (drop: Drop) => boolean,
): string {
  const lines: string[] = [];
  const drops = result.created?.drops ?? [];
  if (result.created) lines.push(`Created migration ${rel(result.created.path)}`);
  const allowed = drops.filter((d) => !retired(d));
  if (allowed.length > 0) lines.push(`  dropped (--allow-drop): ${allowed.map(describeDrop).join(', ')}`);
  const unused = drops.filter(retired);
  if (unused.length > 0) lines.push(`  dropped sync-state columns this release no longer uses: ${unused.map(describeDrop).join(', ')}`);
  if (result.applied.length > 0) lines.push(`Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`);
  for (const b of result.backfill) {
    const columns = b.columns.map((c) => JSON.stringify(c)).join(', ');
    const rate = b.durationMs > 0 ? `, ${Math.round((b.rows * 1000) / b.durationMs).toLocaleString('en-US')} rows/s` : '';
    lines.push(
      `Filled ${columns} of ${b.type} from stored records: ${b.updated.toLocaleString('en-US')} of ${b.rows.toLocaleString('en-US')} rows changed (${(b.durationMs / 1000).toFixed(1)} s${rate}; no Bubble requests)`,
    );
  }
  if (!result.created && result.applied.length === 0 && result.backfill.length === 0)
    lines.push('The database is up to date with the schema; nothing to do.');
  return `${lines.join('\n')}\n`;
}
