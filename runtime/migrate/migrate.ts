/**
 * `bubble-runtime migrate`: brings the database to the schema folder without Prisma's engine binary.
 *  1. apply pending migrations of the migrations folder (so the database is at the folder's history);
 *  2. diff the last migrated datamodel — the newest migration's snapshot, or the database itself when
 *     the newest migration was not written by this tool — against the current schema files;
 *  3. refuse drops unless allowed; write `<timestamp>_bubble/migration.sql` (+ snapshot, lock file);
 *  4. apply it, recorded in `_prisma_migrations` by Prisma's own engine, so `prisma migrate deploy`
 *     later agrees with what is there.
 */
import { join } from 'node:path';
import type { Db } from '../db/types.js';
import { BubbleError } from '../errors.js';
import { asDbError, isConnectionError } from '../db/errors.js';
import { openEngine, type SchemaEngine } from './engine.js';
import { describeDrop, findDrops, isEmptyScript, type Drop } from './drops.js';
import { LOCK_FILE, MIGRATION_FILE, nextMigrationName, readHistory, snapshotOf, writeMigration, type History } from './history.js';

export interface MigrateOptions {
  db: Db;
  schemaDir: string;
  /** The schema folder's files as [absolute path, text]. */
  files: Array<[string, string]>;
  migrationsDir: string;
  /** Allow DROP TABLE / DROP COLUMN / DROP TYPE in the new migration. */
  allowDrop?: boolean;
  /** Clock for the migration name (tests). */
  now?: Date;
}

export interface MigrateResult {
  /** The migration written by this run, or null when the schema had not changed. */
  created: { name: string; path: string; sql: string; drops: Drop[] } | null;
  /** Migrations applied to the database by this run (older pending ones and the new one). */
  applied: string[];
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

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const history = readHistory(options.migrationsDir);
  const handle = await openEngine(options.db, options.files);
  try {
    const engine = handle.engine;
    const applied = await apply(engine, history, handle.explain);
    const sql = await diff(engine, options, history, handle.explain);
    if (isEmptyScript(sql)) return { created: null, applied };

    const drops = findDrops(sql!);
    if (drops.length > 0 && !options.allowDrop) throw new DropRefusedError(drops);
    const name = nextMigrationName(history.migrations.map((m) => m.name), options.now ?? new Date());
    const path = writeMigration(options.migrationsDir, name, sql!, snapshotOf(options.schemaDir, options.files));
    const next = readHistory(options.migrationsDir);
    applied.push(...(await apply(engine, next, handle.explain)));
    return { created: { name, path, sql: sql!, drops }, applied };
  } finally {
    await handle.dispose();
  }
}

async function apply(engine: SchemaEngine, history: History, explain: (err: unknown) => unknown): Promise<string[]> {
  if (history.migrations.length === 0) return [];
  try {
    const out = await engine.applyMigrations({ migrationsList: migrationList(history), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } catch (err) {
    throw engineError('Applying migrations failed', explain(err), 'Fix the failing migration, mark it with `prisma migrate resolve`, then run migrate again.');
  }
}

async function diff(engine: SchemaEngine, options: MigrateOptions, history: History, explain: (err: unknown) => unknown): Promise<string | null> {
  const to = { tag: 'schemaDatamodel' as const, files: options.files.map(([path, content]) => ({ path, content })) };
  const from =
    history.migrations.length === 0
      ? { tag: 'empty' as const }
      : history.latestSnapshot
        ? { tag: 'schemaDatamodel' as const, files: history.latestSnapshot.files.map(([path, content]) => ({ path: join(options.schemaDir, path), content })) }
        : { tag: 'schemaDatasource' as const, files: to.files, configDir: options.schemaDir };
  try {
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters: NO_FILTERS });
    return requoteIdentifiers(result.stdout, options.files);
  } catch (err) {
    throw engineError('Comparing the schema with the last migration failed', explain(err), 'Run `npx prisma validate` to check the schema.');
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
    migrationDirectories: history.migrations.map((m) => ({ path: m.name, migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok' as const, value: m.sql } } })),
  };
}

function engineError(what: string, err: unknown, hint: string): BubbleError {
  if (err instanceof BubbleError) return err;
  if (isConnectionError(err)) return asDbError(err) as BubbleError;
  const code = (err as { code?: string }).code;
  const message = (err instanceof Error ? err.message : String(err)).trim();
  return new BubbleError('MIGRATE_FAILED', `${what}${code ? ` (${code})` : ''}: ${message}`, { hint, cause: err });
}
