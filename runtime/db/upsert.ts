/**
 * The set-based bulk upsert: one statement per page of converted rows, keyed by Bubble `_id`.
 *
 *   INSERT INTO "table" AS cur (cols…)
 *   SELECT r->>0, (r->>1)::timestamptz(3), …, NULLIF(r->5, 'null'), …, $2::text, now(), …
 *   FROM jsonb_array_elements($1::jsonb) AS r
 *   ON CONFLICT ("_id") DO UPDATE SET … WHERE (cur.data…, cur._sync_job_id, cur._is_deleted)
 *                                       IS DISTINCT FROM (EXCLUDED.data…, EXCLUDED._sync_job_id, false)
 *
 * The whole page travels as one parameter: a JSON array with one array per row, each cell the column's
 * PostgreSQL text input (see encode.ts) as a JSON string — or, for json/jsonb columns, the JSON itself,
 * so it is parsed once. One native JSON parse on each side replaces the driver's per-element escaping of
 * a `text[]` per column, which made a wide page cost twice the CPU. The cast to each column's real type
 * comes from the catalog, read once per table by `prepareUpsert`, so the SQL matches whatever types the
 * generated schema chose. Idempotence: a row whose data and job are unchanged is not rewritten at all (re-running
 * a page of the same job is a no-op); a row seen again by a *new* job with unchanged data gets only its
 * bookkeeping (`_sync_job_id`, `_synced_at`, `_sync_cursor_position`) updated — that is how a full pass
 * knows it saw the row — while its data and `_updated_at` stay as they were. `_updated_at` moves only
 * when data changes (or a soft-deleted row comes back).
 */
import type { ManifestType, StandardColumns } from '../../core/manifest/schema.js';
import type { Db } from './types.js';
import { encoderFor, storableText, type EncodeTally, type Encoder } from './encode.js';
import { SchemaMismatchError } from './errors.js';
import { quoteIdent } from '../../core/sql.js';

/**
 * One converted record, ready to write: runtime/convert's `ConvertedRecord` (with a non-null
 * `bubbleId`) plus the record itself as `raw`. `values[i]` belongs to `type.columns[i]`.
 */
export interface UpsertRow {
  bubbleId: string;
  createdAt?: Date | string | null;
  modifiedAt?: Date | string | null;
  createdBy?: string | null;
  slug?: string | null;
  /** The record as received (any JSON value); stored in `_raw`. */
  raw: unknown;
  /** Key → value that did not fit its column or is unknown; `null`/absent when none. */
  unmapped?: Record<string, unknown> | null;
  /** Position of the record in the pass (`_sync_cursor_position`). */
  cursorPosition?: number | null;
  values: readonly unknown[];
}

/** Column name → `format_type` of its type, for one table. */
export type ColumnTypes = ReadonlyMap<string, string>;

export interface PreparedUpsert {
  readonly table: string;
  /** The statement; parameters are `$1` (the page as JSON, see the module comment) and `$2` = job id. */
  readonly sql: string;
  /** Database columns written from each row, in parameter order. */
  readonly columns: readonly string[];
  /**
   * Encodes a page; rows repeating a `_id` keep the last occurrence (one row cannot be updated twice in a
   * statement). `tally.replaced` counts the strings of the records (`raw`: values and keys) in which
   * characters PostgreSQL cannot store were replaced; the same strings in columns are not counted again.
   */
  params(rows: readonly UpsertRow[], jobId: string, tally?: EncodeTally): unknown[];
  /** Writes a page; resolves to the number of rows inserted or changed (unchanged rows are not counted). */
  run(db: Db, rows: readonly UpsertRow[], jobId: string, tally?: EncodeTally): Promise<number>;
}

interface InputColumn {
  column: string;
  pgType: string;
  encode: Encoder;
  pick: (row: UpsertRow) => unknown;
  /** Part of the row's data (compared to decide whether anything changed). */
  data: boolean;
  /** The record itself (`_raw`): where replaced strings are counted. */
  counted: boolean;
}

/** Reads the table's column types once and builds its statement. */
export async function prepareUpsert(db: Db, type: ManifestType): Promise<PreparedUpsert> {
  return buildUpsert(type, await readColumnTypes(db, type.table));
}

/** Column types of `table` in the current schema (empty map when the table does not exist). */
export async function readColumnTypes(db: Db, table: string): Promise<Map<string, string>> {
  const rows = await db.query<{ name: string; type: string }>(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Pure: the statement and encoders for `type`, given its table's column types. */
export function buildUpsert(type: ManifestType, columnTypes: ColumnTypes): PreparedUpsert {
  const s = type.standard;
  if (columnTypes.size === 0)
    throw new SchemaMismatchError(`Table "${type.table}" (Bubble type "${type.name}") does not exist in the database.`);
  const typeOf = (column: string): string => {
    const t = columnTypes.get(column);
    if (t === undefined) throw new SchemaMismatchError(`Table "${type.table}" has no column "${column}" (Bubble type "${type.name}").`);
    return t;
  };
  const input = (column: string, pick: (row: UpsertRow) => unknown, data = true): InputColumn => {
    const pgType = typeOf(column);
    return { column, pgType, encode: encoderFor(pgType), pick, data, counted: column === s.raw };
  };

  const inputs: InputColumn[] = [
    input(s.bubbleId, (r) => r.bubbleId),
    input(s.bubbleCreatedAt, (r) => r.createdAt),
    input(s.bubbleModifiedAt, (r) => r.modifiedAt),
    input(s.bubbleCreatedBy, (r) => r.createdBy),
    input(s.bubbleSlug, (r) => r.slug),
    input(s.raw, (r) => r.raw),
    input(s.unmapped, (r) => (r.unmapped && Object.keys(r.unmapped).length > 0 ? r.unmapped : null)),
    input(s.syncCursorPosition, (r) => r.cursorPosition, false),
    ...type.columns.map((c, i) => input(c.column, (r) => r.values[i])),
  ];
  const seen = new Set<string>();
  for (const c of inputs) {
    if (seen.has(c.column)) throw new SchemaMismatchError(`Column "${c.column}" of table "${type.table}" is mapped twice in the manifest.`);
    seen.add(c.column);
  }
  const sql = renderUpsertSql(type.table, s, inputs, '$2', typeOf);
  const json = inputs.map((c) => isJson(c.pgType));

  const params = (rows: readonly UpsertRow[], jobId: string, tally?: EncodeTally): unknown[] => {
    const page = lastPerId(rows);
    const out: string[] = [];
    let r = 0;
    let c = 0;
    try {
      for (r = 0; r < page.length; r++) {
        const row = page[r]!;
        const cells: string[] = [];
        for (c = 0; c < inputs.length; c++) {
          const col = inputs[c]!;
          const text = col.encode(col.pick(row), col.counted ? tally : undefined);
          // An encoded json value is JSON text already (storable, see encode.ts): spliced in as it is.
          cells.push(text === null ? 'null' : json[c] ? text : JSON.stringify(text));
        }
        out.push(`[${cells.join(',')}]`);
      }
    } catch (err) {
      // Kept outside the hot loop: a try per cell costs measurably on 100k-row runs.
      throw new TypeError(`Cannot write ${type.table}."${inputs[c]?.column}" for _id ${page[r]?.bubbleId}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return [`[${out.join(',')}]`, jobId];
  };

  return {
    table: type.table,
    sql,
    columns: inputs.map((c) => c.column),
    params,
    async run(db, rows, jobId, tally) {
      if (rows.length === 0) return 0;
      return db.execute(sql, params(rows, jobId, tally));
    },
  };
}

function renderUpsertSql(
  table: string,
  s: StandardColumns,
  inputs: readonly InputColumn[],
  jobParam: string,
  typeOf: (c: string) => string,
): string {
  const now = (column: string): string => (typeOf(column).includes('without time zone') ? `(now() AT TIME ZONE 'UTC')` : 'now()');
  const q = quoteIdent;
  const bookkeeping: Array<[string, string]> = [
    [s.syncJobId, `${jobParam}::text`],
    [s.syncedAt, now(s.syncedAt)],
    [s.updatedAt, now(s.updatedAt)],
    [s.isDeleted, 'false'],
    [s.deletedAt, 'NULL'],
  ];
  for (const [column] of bookkeeping) typeOf(column);

  const targetCols = [...inputs.map((c) => c.column), ...bookkeeping.map(([c]) => c)].map(q).join(', ');
  const cell = (c: InputColumn, i: number): string => {
    // A JSON null cell is SQL NULL; a json/jsonb value is taken as JSON, everything else as text input.
    if (isJson(c.pgType)) return `NULLIF(r->${i}, 'null'::jsonb)${c.pgType === 'jsonb' ? '' : `::${c.pgType}`}`;
    return c.pgType === 'text' ? `(r->>${i})` : `(r->>${i})::${c.pgType}`;
  };
  const selectList = [...inputs.map(cell), ...bookkeeping.map(([, expr]) => expr)].join(', ');

  // json (not jsonb) has no equality operator: compare its text.
  const comparable = (prefix: string, c: InputColumn): string =>
    `${prefix}.${q(c.column)}${/^json(\[\])?$/.test(c.pgType) ? '::text' : ''}`;
  const dataCols = inputs.filter((c) => c.data && c.column !== s.bubbleId);
  const dataCur = dataCols.map((c) => comparable('cur', c)).join(', ');
  const dataNew = dataCols.map((c) => comparable('EXCLUDED', c)).join(', ');
  const dataChanged = `ROW(${dataCur}) IS DISTINCT FROM ROW(${dataNew})`;

  const sets = [
    ...inputs.filter((c) => c.column !== s.bubbleId).map((c) => `${q(c.column)} = EXCLUDED.${q(c.column)}`),
    `${q(s.syncJobId)} = EXCLUDED.${q(s.syncJobId)}`,
    `${q(s.syncedAt)} = EXCLUDED.${q(s.syncedAt)}`,
    `${q(s.updatedAt)} = CASE WHEN cur.${q(s.isDeleted)} OR ${dataChanged} THEN EXCLUDED.${q(s.updatedAt)} ELSE cur.${q(s.updatedAt)} END`,
    `${q(s.isDeleted)} = false`,
    `${q(s.deletedAt)} = NULL`,
  ];
  return [
    `INSERT INTO ${q(table)} AS cur (${targetCols})`,
    `SELECT ${selectList}`,
    `FROM jsonb_array_elements($1::jsonb) AS r`,
    `ON CONFLICT (${q(s.bubbleId)}) DO UPDATE SET ${sets.join(', ')}`,
    `WHERE cur.${q(s.isDeleted)} OR cur.${q(s.syncJobId)} IS DISTINCT FROM EXCLUDED.${q(s.syncJobId)} OR ${dataChanged}`,
  ].join('\n');
}

/** A json or jsonb column (not an array of them: those travel as array literals like other lists). */
function isJson(pgType: string): boolean {
  return pgType === 'jsonb' || pgType === 'json';
}

/** By the id as stored: two ids that differ only in characters PostgreSQL cannot store are one row. */
function lastPerId(rows: readonly UpsertRow[]): readonly UpsertRow[] {
  const index = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) index.set(storableText(rows[i]!.bubbleId), i);
  if (index.size === rows.length) return rows;
  return rows.filter((row, i) => index.get(storableText(row.bubbleId)) === i);
}

/**
 * After a *completed full pass* only: marks rows this job did not write as deleted. Rows already
 * marked keep their original `_deleted_at`. Resolves to the number of rows newly marked.
 */
export function softDeleteUnseenSql(type: Pick<ManifestType, 'table' | 'standard'>, columnTypes?: ColumnTypes): string {
  const s = type.standard;
  const q = quoteIdent;
  const now = columnTypes?.get(s.deletedAt)?.includes('without time zone') ? `(now() AT TIME ZONE 'UTC')` : 'now()';
  const updatedNow = columnTypes?.get(s.updatedAt)?.includes('without time zone') ? `(now() AT TIME ZONE 'UTC')` : 'now()';
  return `UPDATE ${q(type.table)} SET ${q(s.isDeleted)} = true, ${q(s.deletedAt)} = ${now}, ${q(s.updatedAt)} = ${updatedNow}
WHERE ${q(s.syncJobId)} IS DISTINCT FROM $1::text AND NOT ${q(s.isDeleted)}`;
}

export async function softDeleteUnseen(db: Db, type: Pick<ManifestType, 'table' | 'standard'>, jobId: string): Promise<number> {
  return db.execute(softDeleteUnseenSql(type, await readColumnTypes(db, type.table)), [jobId]);
}
