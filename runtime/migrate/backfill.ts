/**
 * Filling new columns from what the database already holds. When a migration adds a column to a
 * table that has rows (a field the dictionary did not have, or a field whose type changed), every row
 * already carries the value in `_raw`; this converts it with the sync's own converter
 * (runtime/convert) and writes it, so no record is fetched from Bubble again.
 *
 * The migration `migrate` writes marks each such column with a comment (`BACKFILL_MARK`), in the same
 * transaction that adds it; the backfill clears the mark when the table is done. A backfill that is
 * interrupted therefore resumes on the next `migrate`, and a migration applied elsewhere with
 * `prisma migrate deploy` is filled by the next `bubble-runtime migrate` there.
 *
 * Rows are read in batches in primary-key order, each batch converted and written in its own
 * transaction, under the sync lock (a sync writing the same rows meanwhile could pair new columns with
 * an older `_raw`). The key leaves `_unmapped` where its value now has a column and stays there (taken
 * from `_raw`, so exact) where it does not convert; other `_unmapped` entries are not touched.
 */
import type { Manifest, ManifestColumn, ManifestType } from '../../core/manifest/schema.js';
import { compileConverter } from '../convert/index.js';
import { encoderFor, type Encoder } from '../db/encode.js';
import { acquireSyncLock } from '../db/lock.js';
import { quoteIdent, quoteLiteral } from '../../core/sql.js';
import type { Db } from '../db/types.js';
import { readColumnTypes } from '../db/upsert.js';
import type { ScriptSummary } from './sql-script.js';

/** The comment a new column carries until it has been filled. */
export const BACKFILL_MARK = 'prisma-generator-bubble: backfill from _raw pending';

export const DEFAULT_BACKFILL_BATCH = 1000;

export interface BackfillResult {
  type: string;
  table: string;
  /** Bubble keys of the columns filled. */
  columns: string[];
  /** Rows holding a value for one of them. */
  rows: number;
  /** Rows whose values changed. */
  updated: number;
  durationMs: number;
}

/**
 * Statements for the end of a new migration: a mark on every column it adds to (or retypes in) an
 * existing table of the manifest. Empty when there is none.
 */
export function backfillMarks(summary: ScriptSummary, manifest: Manifest | undefined): string {
  const lines: string[] = [];
  for (const change of summary.tables) {
    const type = change.created ? undefined : manifest?.types.find((t) => t.table === change.table);
    if (type === undefined) continue;
    const columns = new Set(type.columns.map((c) => c.column));
    for (const column of new Set([...change.added, ...change.retyped])) {
      if (columns.has(column))
        lines.push(`COMMENT ON COLUMN ${quoteIdent(type.table)}.${quoteIdent(column)} IS ${quoteLiteral(BACKFILL_MARK)};`);
    }
  }
  if (lines.length === 0) return '';
  return `\n-- prisma-generator-bubble: mark the new columns of tables that have rows; \`bubble-runtime migrate\` fills them from "_raw", then clears the mark\n${lines.join('\n')}\n`;
}

/** Fills every marked column of the manifest's tables; resolves to what it did, per type. */
export async function backfill(db: Db, manifest: Manifest, options: { batchSize?: number } = {}): Promise<BackfillResult[]> {
  const marked = await markedColumns(db);
  const work = manifest.types
    .map((type) => ({ type, columns: type.columns.filter((c) => marked.get(type.table)?.has(c.column)) }))
    .filter((w) => w.columns.length > 0);
  if (work.length === 0) return [];
  const lock = await acquireSyncLock(db, { scope: manifest.state.jobTable });
  try {
    const results: BackfillResult[] = [];
    for (const { type, columns } of work)
      results.push(await backfillType(db, type, columns, options.batchSize ?? DEFAULT_BACKFILL_BATCH, lock.signal));
    return results;
  } finally {
    await lock.release();
  }
}

async function markedColumns(db: Db): Promise<Map<string, Set<string>>> {
  const rows = await db.query<{ table: string; column: string }>(
    `SELECT c.relname::text AS "table", a.attname::text AS "column"
       FROM pg_description d
       JOIN pg_class c ON c.oid = d.objoid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
      WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0 AND n.nspname = current_schema() AND d.description = $1`,
    [BACKFILL_MARK],
  );
  const byTable = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = byTable.get(r.table);
    if (!set) byTable.set(r.table, (set = new Set()));
    set.add(r.column);
  }
  return byTable;
}

async function backfillType(
  db: Db,
  type: ManifestType,
  columns: ManifestColumn[],
  batchSize: number,
  signal: AbortSignal,
): Promise<BackfillResult> {
  const started = Date.now();
  const converter = compileConverter(type);
  const slots = columns.map((c) => type.columns.indexOf(c));
  const keys = columns.map((c) => c.key);
  const types = await readColumnTypes(db, type.table);
  const encoders: Encoder[] = columns.map((c) => encoderFor(types.get(c.column) ?? c.pgType));
  const select = selectSql(type, keys.length);
  const update = updateSql(type, columns, types);
  const clear = columns.map((c) => `COMMENT ON COLUMN ${quoteIdent(type.table)}.${quoteIdent(c.column)} IS NULL`);

  let rows = 0;
  let updated = 0;
  let after = '';
  for (;;) {
    // The lock's connection broke: another sync could start now.
    signal.throwIfAborted();
    const read = await db.transaction(async (tx) => {
      const batch = await tx.query<Record<string, unknown> & { id: string }>(select, [keys, after, batchSize]);
      const ids: string[] = [];
      const values = columns.map(() => [] as Array<string | null>);
      const failed: string[] = [];
      for (const row of batch) {
        // The record as far as these columns go: a column's value depends on its own key only.
        const record: Record<string, unknown> = {};
        keys.forEach((key, i) => {
          const value = row[`v${i}`];
          if (value !== null && value !== undefined) record[key] = value;
        });
        if (Object.keys(record).length === 0) continue;
        const converted = converter.convert(record);
        ids.push(row.id);
        slots.forEach((slot, i) => values[i]!.push(encoders[i]!(converted.values[slot])));
        failed.push(JSON.stringify(converted.issues.map((issue) => issue.key)));
      }
      rows += ids.length;
      if (ids.length > 0) updated += await tx.execute(update, [ids, ...values, failed, keys, ids[0], ids[ids.length - 1]]);
      return batch;
    });
    if (read.length < batchSize) break;
    after = read[read.length - 1]!.id;
  }
  await db.transaction(async (tx) => {
    for (const statement of clear) await tx.execute(statement);
  });
  return { type: type.name, table: type.table, columns: keys, rows, updated, durationMs: Date.now() - started };
}

/**
 * The next batch of rows after a primary key: the id and each key's value (`v0`, `v1`, …). Rows without
 * the keys are skipped in code, not in SQL: a filter on `_raw` makes the planner sort the whole table
 * for every batch instead of walking the primary key index.
 */
function selectSql(type: ManifestType, keyCount: number): string {
  const s = type.standard;
  const id = quoteIdent(s.id);
  const raw = quoteIdent(s.raw);
  const values = Array.from({ length: keyCount }, (_, i) => `${raw} -> ($1::text[])[${i + 1}] AS v${i}`);
  return `SELECT ${id}::text AS id, ${values.join(', ')} FROM ${quoteIdent(type.table)}
WHERE ${id} > $2
ORDER BY ${id} LIMIT $3`;
}

/**
 * One statement per batch: `$1` ids, then one `text[]` per column (encoded as the sync encodes
 * them), then per row the JSON array of keys whose value did not convert, then all the keys, then the
 * batch's first and last id (the range keeps the join on the primary key index: without it the
 * planner may hash the whole table for every batch). Rows already holding these values are left alone.
 */
function updateSql(type: ManifestType, columns: ManifestColumn[], types: ReadonlyMap<string, string>): string {
  const s = type.standard;
  const q = quoteIdent;
  const pgType = (c: ManifestColumn): string => types.get(c.column) ?? c.pgType;
  const failed = `$${columns.length + 2}`;
  const keys = `$${columns.length + 3}`;
  const [first, last] = [`$${columns.length + 4}`, `$${columns.length + 5}`];
  const unnests = ['$1', ...columns.map((_, i) => `$${i + 2}`), failed].map((p) => `unnest(${p}::text[])`).join(', ');
  const aliases = ['id', ...columns.map((_, i) => `p${i}`), 'f'].join(', ');
  const fresh = columns.map((c, i) => (pgType(c) === 'text' ? `s.p${i}` : `s.p${i}::${pgType(c)}`));
  const kept = `(COALESCE(cur.${q(s.unmapped)}, '{}'::jsonb) - ${keys}::text[])`;
  const moved = `COALESCE((SELECT jsonb_object_agg(k, cur.${q(s.raw)} -> k) FROM jsonb_array_elements_text(s.f::jsonb) AS k), '{}'::jsonb)`;
  const unmapped = `NULLIF(${kept} || ${moved}, '{}'::jsonb)`;
  const comparable = (expr: string, t: string): string => (t === 'json' || t === 'json[]' ? `(${expr})::text` : expr);
  const current = [...columns.map((c) => comparable(`cur.${q(c.column)}`, pgType(c))), `cur.${q(s.unmapped)}`].join(', ');
  const next = [...columns.map((c, i) => comparable(fresh[i]!, pgType(c))), unmapped].join(', ');
  const updatedType = types.get(s.updatedAt) ?? '';
  const now = updatedType.includes('without time zone') ? `(now() AT TIME ZONE 'UTC')` : 'now()';
  return `UPDATE ${q(type.table)} AS cur
SET ${[...columns.map((c, i) => `${q(c.column)} = ${fresh[i]}`), `${q(s.unmapped)} = ${unmapped}`, `${q(s.updatedAt)} = ${now}`].join(', ')}
FROM ROWS FROM (${unnests}) AS s(${aliases})
WHERE cur.${q(s.id)} BETWEEN ${first}::text AND ${last}::text AND cur.${q(s.id)} = s.id AND ROW(${current}) IS DISTINCT FROM ROW(${next})`;
}
