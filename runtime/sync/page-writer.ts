/**
 * The default PageWriter: converts each record with the type's compiled converter and writes the page
 * with the database layer's set-based upsert (one statement per page). A value that does not fit its
 * column stays in `_unmapped` (and the whole record in `_raw`) and the record is counted as raw-only;
 * nothing aborts the run:
 *
 * - a record without a non-empty string `_id` cannot be keyed: it goes to the rejects table;
 * - the page's upsert runs inside a savepoint; when the database refuses it for a value (a data
 *   exception or a limit, not a lost connection), the page is split in halves until the refused records
 *   are alone, the rest is written, and each refused record goes to the rejects table with the error.
 */
import type { ManifestType } from '../../core/manifest/schema.js';
import { compileConverter, type ConvertedRecord, type RecordConverter } from '../convert/index.js';
import { storableText, type EncodeTally } from '../db/encode.js';
import { isConnectionError } from '../db/errors.js';
import type { Db } from '../db/types.js';
import { prepareUpsert, type PreparedUpsert, type UpsertRow } from '../db/upsert.js';
import type { BubbleRecord, PageWriter, WriteContext, WriteResult } from './ports.js';
import { missingIdReason, storeRejects, type Reject } from './rejects.js';

export interface PageWriterOptions {
  /** The sync-state table that keeps records that cannot be written to their table (`manifest.state.rejectTable`). */
  rejectTable?: string | undefined;
}

export function createPageWriter(options: PageWriterOptions = {}): PageWriter {
  const statements = new Map<string, Promise<PreparedUpsert>>();
  const converters = new Map<string, RecordConverter>();

  return {
    async write(tx: Db, type: ManifestType, records: BubbleRecord[], context: WriteContext): Promise<WriteResult> {
      let statement = statements.get(type.table);
      if (!statement) {
        statement = prepareUpsert(tx, type);
        statements.set(type.table, statement);
        // A failed prepare (table missing) must not be cached for the next attempt.
        statement.catch(() => statements.delete(type.table));
      }
      let converter = converters.get(type.table);
      if (!converter) {
        converter = compileConverter(type);
        converters.set(type.table, converter);
      }
      const rows: UpsertRow[] = [];
      const rejects: Reject[] = [];
      // By the id as stored; the first occurrence of an id in the page wins.
      const seen = new Set<string>();
      records.forEach((record, i) => {
        const c = converter.convert(record);
        if (!keyed(c)) {
          rejects.push({ record, bubbleId: null, reason: missingIdReason(record) });
          return;
        }
        const key = storableText(c.bubbleId);
        if (seen.has(key)) return;
        seen.add(key);
        rows.push(upsertRow(record, c, context.positions?.[i] ?? context.position + i));
      });
      const tally: EncodeTally = { replaced: 0 };
      const { written, refused } = await writeRows(tx, { statement: await statement, jobId: context.jobId, tally }, rows);
      for (const { row, error } of refused) rejects.push({ record: row.raw, bubbleId: row.bubbleId, reason: refusalReason(error) });
      const refusedRows = new Set(refused.map((r) => r.row));
      const rawOnly = rows.filter((row) => row.unmapped !== null && row.unmapped !== undefined && !refusedRows.has(row)).length;
      const rejected = await storeRejects(tx, { table: options.rejectTable, type, jobId: context.jobId, tally }, rejects);
      return { written, rawOnly, rejected, replaced: tally.replaced };
    },
  };
}

type KeyedRecord = ConvertedRecord & { bubbleId: string };

function keyed(c: ConvertedRecord): c is KeyedRecord {
  return c.bubbleId !== null;
}

/** The row the bulk upsert writes for a record: its converted values, and the record itself as `_raw`. */
export function upsertRow(record: BubbleRecord, c: KeyedRecord, position: number): UpsertRow {
  return {
    bubbleId: c.bubbleId,
    createdAt: c.createdAt,
    modifiedAt: c.modifiedAt,
    createdBy: c.createdBy,
    slug: c.slug,
    raw: record,
    unmapped: c.unmapped,
    cursorPosition: position,
    values: c.values,
  };
}

/** What every batch of one page's rows is written with. */
interface RowBatch {
  statement: PreparedUpsert;
  jobId: string;
  /** Replaced strings of the batches written. */
  tally: EncodeTally;
}

interface Written {
  written: number;
  refused: Array<{ row: UpsertRow; error: unknown }>;
}

/**
 * Writes `rows` in a savepoint; when the database refuses them for a value, halves the batch until each
 * refused row is alone. Replaced strings are counted only for batches that were written.
 */
async function writeRows(tx: Db, batch: RowBatch, rows: readonly UpsertRow[]): Promise<Written> {
  if (rows.length === 0) return { written: 0, refused: [] };
  const attempt: EncodeTally = { replaced: 0 };
  try {
    const written = await tx.transaction((savepoint) => batch.statement.run(savepoint, rows, batch.jobId, attempt));
    batch.tally.replaced += attempt.replaced;
    return { written, refused: [] };
  } catch (error) {
    if (!isRecordError(error)) throw error;
    if (rows.length === 1) return { written: 0, refused: [{ row: rows[0]!, error }] };
    const half = rows.length >>> 1;
    const first = await writeRows(tx, batch, rows.slice(0, half));
    const second = await writeRows(tx, batch, rows.slice(half));
    return { written: first.written + second.written, refused: [...first.refused, ...second.refused] };
  }
}

/**
 * Errors that belong to the values being written rather than to the database or the connection:
 * PostgreSQL data exceptions (SQLSTATE class 22), program limits (54: a value too deep or too large),
 * a statement touching one row twice (21000), and encoding errors raised before the statement is sent.
 */
function isRecordError(error: unknown): boolean {
  if (isConnectionError(error)) return false;
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('54') || code === '21000');
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a pg or PGlite error, or of a Prisma error that wraps one. */
function sqlState(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ['code', 'originalCode']) {
      const code = o[key];
      if (typeof code === 'string' && SQLSTATE.test(code) && !code.startsWith('P')) return code;
    }
    queue.push(o.cause, o.meta, o.driverAdapterError);
  }
  return undefined;
}

function refusalReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  return `could not be written${code ? ` (SQLSTATE ${code})` : ''}: ${message}`.slice(0, 2000);
}
