/**
 * `bubble-runtime migrate`: brings the database to the schema folder without Prisma's engine binary.
 *  1. apply pending migrations of the migrations folder (so the database is at the folder's history);
 *  2. diff the last migrated datamodel — the newest migration's snapshot, or the database itself when
 *     the newest migration was not written by this tool — against the current schema files;
 *  3. refuse drops unless allowed (columns the generator retired from its sync-state tables excepted,
 *     drops.ts), and what PostgreSQL would refuse (too many columns, too long
 *     names); write `<timestamp>_bubble/migration.sql` (+ snapshot, lock file) atomically;
 *  4. apply it, recorded in `_prisma_migrations` by Prisma's own engine, so `prisma migrate deploy`
 *     later agrees with what is there. A script runs whole, in one transaction: when it fails,
 *     nothing of it stays, and neither does its failed record (nor the migration this run wrote), so
 *     the next `migrate` after a fix simply works;
 *  5. fill columns the migrations added to tables that have rows, from `_raw` (backfill.ts).
 */
import { join } from 'node:path';
import type { Manifest } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { BubbleError } from '../../core/errors.js';
import { asDbError, isConnectionError } from '../db/errors.js';
import { openEngine, type EngineHandle } from './engine.js';
import { backfill, backfillMarks, type BackfillResult } from './backfill.js';
import { describeDrop, isEmptyScript, isRetiredStateColumn, type Drop } from './drops.js';
import { checkLimits } from './limits.js';
import { summariseScript } from './sql-script.js';
import {
  LOCK_FILE,
  MIGRATION_FILE,
  nextMigrationName,
  readHistory,
  removeMigration,
  snapshotOf,
  writeMigration,
  type History,
} from './history.js';

export interface MigrateOptions {
  db: Db;
  schemaDir: string;
  /** The schema folder's files as [absolute path, text]. */
  files: Array<[string, string]>;
  migrationsDir: string;
  /** The generator's manifest for these schema files: names Bubble types in messages and drives the backfill. */
  manifest?: Manifest;
  /** Allow DROP TABLE / DROP COLUMN / DROP TYPE in the new migration (retired sync-state columns need no flag). */
  allowDrop?: boolean;
  /** Rows per backfill transaction (default 1,000). */
  backfillBatch?: number;
  /** Clock for the migration name (tests). */
  now?: Date;
}

export interface MigrateResult {
  /** The migration written by this run, or null when the schema had not changed. */
  created: { name: string; path: string; sql: string; drops: Drop[] } | null;
  /** Migrations applied to the database by this run (older pending ones and the new one). */
  applied: string[];
  /** Columns filled from `_raw` (needs `manifest`). */
  backfill: BackfillResult[];
}

/** The diff would drop something and --allow-drop was not given; nothing was written. */
export class DropRefusedError extends BubbleError {
  readonly drops: Drop[];
  constructor(drops: Drop[]) {
    super('MIGRATE_DROP_REFUSED', `The schema change would drop ${drops.map(describeDrop).join(', ')}. Nothing was written.`, {
      hint: 'Re-run with --allow-drop to drop them (their data is lost), or keep them in the schema.',
    });
    this.drops = drops;
  }
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };
const MIGRATIONS_TABLE = '_prisma_migrations';

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { db } = options;
  const history = readHistory(options.migrationsDir);
  let created: MigrateResult['created'] = null;
  let applied: string[];
  const handle = await openEngine(db, options.files);
  try {
    applied = await apply(handle, db, history, null);
    const sql = await diff(handle, options, history);
    if (!isEmptyScript(sql)) {
      const summary = summariseScript(sql!);
      const refused = summary.drops.filter((drop) => !isRetiredStateColumn(drop, options.manifest?.state));
      if (refused.length > 0 && !options.allowDrop) throw new DropRefusedError(refused);
      await checkLimits(summary, db, options.manifest);
      const script = sql! + backfillMarks(summary, options.manifest);
      const name = nextMigrationName(
        history.migrations.map((m) => m.name),
        options.now ?? new Date(),
      );
      const path = writeMigration(options.migrationsDir, name, script, snapshotOf(options.schemaDir, options.files));
      applied.push(...(await apply(handle, db, readHistory(options.migrationsDir), { name, sql: script })));
      created = { name, path, sql: script, drops: summary.drops };
    }
  } finally {
    await handle.dispose();
  }
  const filled = options.manifest ? await fill(db, options.manifest, options.backfillBatch) : [];
  return { created, applied, backfill: filled };
}

async function fill(db: Db, manifest: Manifest, batchSize: number | undefined): Promise<BackfillResult[]> {
  try {
    return await backfill(db, manifest, batchSize === undefined ? {} : { batchSize });
  } catch (err) {
    if (isConnectionError(err)) throw asDbError(err);
    throw new BubbleError(
      'MIGRATE_BACKFILL',
      `The migration is applied, but filling its new columns from stored records stopped: ${err instanceof Error ? err.message : String(err)}`,
      {
        hint: 'Run migrate again: it resumes the filling (rows already filled are kept).',
        cause: err,
      },
    );
  }
}

/**
 * Applies the migrations the database does not have. `written` is the migration this run just wrote:
 * when it fails before or while its script runs, it is removed again, as if never written.
 */
async function apply(handle: EngineHandle, db: Db, history: History, written: { name: string; sql: string } | null): Promise<string[]> {
  if (history.migrations.length === 0) return [];
  const before = await unfinishedMigrations(db);
  if (before.length > 0) {
    const names = before.map((m) => m.name).join(', ');
    throw new BubbleError(
      'MIGRATE_FAILED_BEFORE',
      `The database records migration ${names} as started but never finished (an earlier failure that was not rolled back).`,
      {
        hint: `Check whether its changes are in the database, then run \`npx prisma migrate resolve --applied ${before[0]!.name}\` (or --rolled-back), and migrate again.`,
      },
    );
  }
  handle.scripts.clear();
  try {
    const out = await handle.engine.applyMigrations({ migrationsList: migrationList(history), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } catch (err) {
    const failure = handle.scripts.lastFailure;
    // A script that failed was rolled back as a whole: forget its record. A lost connection leaves the outcome unknown.
    const forgotten = failure?.rolledBack ? await forgetUnfinished(db) : [];
    // The migration this run wrote goes too when the database cannot hold it: its script never ran to
    // the end (the engine stopped before it, or it was rolled back).
    const dropWritten =
      written !== null &&
      !handle.scripts.completed.includes(written.sql) &&
      (failure === undefined || failure.rolledBack) &&
      !(await isFinished(db, written.name));
    if (dropWritten) removeMigration(history.dir, written.name);
    if (failure === undefined || !failure.rolledBack) {
      throw engineError(
        'Applying migrations failed',
        failure?.error ?? handle.explain(err),
        dropWritten
          ? 'The new migration was not kept. Fix the cause, then run migrate again.'
          : 'Check the database, then run migrate again.',
      );
    }
    const which = forgotten.length > 0 ? `Migration ${forgotten.join(', ')}` : 'A migration';
    const hint = dropWritten
      ? 'Nothing was changed and the migration was not kept. Fix the cause, then run migrate again.'
      : `Nothing was changed. Fix the cause (or the migration in ${history.dir}), then run migrate again.`;
    throw engineError(`${which} failed and was rolled back`, failure.error, hint);
  }
}

async function isFinished(db: Db, name: string): Promise<boolean> {
  if (!(await migrationsTableExists(db))) return false;
  const rows = await db.query(
    `SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    [name],
  );
  return rows.length > 0;
}

async function migrationsTableExists(db: Db): Promise<boolean> {
  const [row] = await db.query<{ present: boolean }>(`SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`);
  return row?.present === true;
}

async function unfinishedMigrations(db: Db): Promise<Array<{ name: string }>> {
  if (!(await migrationsTableExists(db))) return [];
  return db.query<{ name: string }>(
    `SELECT migration_name AS name FROM ${MIGRATIONS_TABLE} WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY started_at`,
  );
}

/** Deletes the records of started-but-unfinished migrations (only ever this run's: none existed before). */
async function forgetUnfinished(db: Db): Promise<string[]> {
  if ((await unfinishedMigrations(db)).length === 0) return [];
  const rows = await db.query<{ name: string }>(
    `DELETE FROM ${MIGRATIONS_TABLE} WHERE finished_at IS NULL AND rolled_back_at IS NULL RETURNING migration_name AS name`,
  );
  return rows.map((r) => r.name);
}

async function diff(handle: EngineHandle, options: MigrateOptions, history: History): Promise<string | null> {
  const to = { tag: 'schemaDatamodel' as const, files: options.files.map(([path, content]) => ({ path, content })) };
  const from =
    history.migrations.length === 0
      ? { tag: 'empty' as const }
      : history.latestSnapshot
        ? {
            tag: 'schemaDatamodel' as const,
            files: history.latestSnapshot.files.map(([path, content]) => ({ path: join(options.schemaDir, path), content })),
          }
        : { tag: 'schemaDatasource' as const, files: to.files, configDir: options.schemaDir };
  try {
    const result = await handle.engine.diff({ from, to, script: true, exitCode: null, filters: NO_FILTERS });
    return requoteIdentifiers(result.stdout, options.files);
  } catch (err) {
    throw engineError(
      'Comparing the schema with the last migration failed',
      handle.explain(err),
      'Run `npx prisma validate` to check the schema.',
    );
  }
}

/**
 * The schema engine writes an identifier holding `"` without doubling it (a Bubble field named
 * `"quoted" "name` becomes `""quoted" "name"`, a syntax error). Every mapped name of the schema that
 * holds a quote is rewritten to its correctly escaped form.
 */
export function requoteIdentifiers(sql: string | null, files: Array<[string, string]>): string | null {
  if (sql === null) return sql;
  let out = sql;
  for (const [, text] of files) {
    for (const match of text.matchAll(/@@?map\(\s*"((?:[^"\\]|\\.)*)"/g)) {
      let name: string;
      try {
        name = JSON.parse(`"${match[1]}"`) as string;
      } catch {
        continue; // an escape JSON does not share with Prisma strings: such a name holds no quote issue we can fix
      }
      if (name.includes('"')) out = out.split(`"${name}"`).join(`"${name.replace(/"/g, '""')}"`);
    }
  }
  return out;
}

function migrationList(history: History) {
  return {
    baseDir: history.dir,
    lockfile: { path: LOCK_FILE, content: history.lockfile },
    shadowDbInitScript: '',
    migrationDirectories: history.migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok' as const, value: m.sql } },
    })),
  };
}

function engineError(what: string, err: unknown, hint: string): BubbleError {
  if (err instanceof BubbleError) return err;
  if (isConnectionError(err)) return asDbError(err) as BubbleError;
  const code = (err as { code?: string }).code;
  const message = (err instanceof Error ? err.message : String(err)).trim();
  return new BubbleError('MIGRATE_FAILED', `${what}${code ? ` (${code})` : ''}: ${message}`, { hint, cause: err });
}
