/**
 * The rejects table (`<tablePrefix>sync_rejects`, model `<modelPrefix>SyncReject`): records kept whole
 * instead of in their type's table — records without a non-empty string `_id` (nothing to key a row by)
 * and records the database refused — with the job, the type, the table and the reason. Rows are written
 * in the page's transaction; an id derived from job, table and record makes a page written twice in one
 * job add nothing.
 */
import { createHash } from 'node:crypto';
import type { ManifestType } from '../../core/manifest/schema.js';
import { stringifyJson } from '../convert/json.js';
import { storableText, type EncodeTally } from '../db/encode.js';
import { SchemaMismatchError } from '../db/errors.js';
import type { Db } from '../db/types.js';
import { ident, num, UTC_NOW } from './sql.js';

export interface Reject {
  /** The record as received. */
  record: unknown;
  /** Its `_id` when it had a usable one (a record the database refused). */
  bubbleId: string | null;
  reason: string;
}

/** Why a record has no usable `_id` (the reason stored with it). */
export function missingIdReason(record: unknown): string {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return `not a JSON object (${record === null ? 'null' : Array.isArray(record) ? 'array' : typeof record})`;
  if (!Object.prototype.hasOwnProperty.call(record, '_id')) return 'no "_id"';
  const id = (record as Record<string, unknown>)._id;
  if (id === undefined || id === null) return 'no "_id"';
  if (id === '') return '"_id" is empty';
  return `"_id" is not a string (${Array.isArray(id) ? 'array' : typeof id})`;
}

/** Where one page's rejects go. */
export interface RejectTarget {
  /** The rejects table (`manifest.state.rejectTable`); undefined for a manifest that predates it. */
  table: string | undefined;
  type: ManifestType;
  jobId: string;
  /**
   * Counts the strings in which characters PostgreSQL cannot store were replaced (as for rows: the
   * record text keeps its structure at any depth, since `raw` is text).
   */
  tally?: EncodeTally | undefined;
}

/** Stores `rejects` for one page; resolves to the rows added. */
export async function storeRejects(tx: Db, target: RejectTarget, rejects: readonly Reject[]): Promise<number> {
  if (rejects.length === 0) return 0;
  const { table, type, jobId, tally } = target;
  if (table === undefined) {
    throw new SchemaMismatchError(
      `A record of ${type.name} cannot be written to "${type.table}", and this manifest predates the rejects table that keeps such records.`,
    );
  }
  const ids: string[] = [];
  const bubbleIds: Array<string | null> = [];
  const raws: string[] = [];
  const reasons: string[] = [];
  for (const reject of rejects) {
    const raw = stringifyJson(reject.record, { mapString: (s) => storableText(s, tally) }) ?? 'null';
    ids.push(createHash('sha256').update(`${jobId}\u0000${type.table}\u0000${raw}`).digest('hex').slice(0, 32));
    bubbleIds.push(reject.bubbleId === null ? null : storableText(reject.bubbleId));
    raws.push(raw);
    reasons.push(storableText(reject.reason));
  }
  return tx.execute(
    `INSERT INTO ${ident(table)} (id, sync_job_id, bubble_type, table_name, bubble_id, raw, reason, created_at)
     SELECT r.id, $5::text, $6::text, $7::text, r.bubble_id, r.raw, r.reason, ${UTC_NOW}
       FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[])) AS r(id, bubble_id, raw, reason)
     ON CONFLICT (id) DO NOTHING`,
    [ids, bubbleIds, raws, reasons, jobId, type.name, type.table],
  );
}

/** Rejected records of one job, per table; empty when the database predates the rejects table. */
export async function countRejects(db: Db, table: string | undefined, jobId: string): Promise<Map<string, number>> {
  if (table === undefined) return new Map();
  try {
    const rows = await db.query<{ table_name: string; n: unknown }>(
      `SELECT table_name, count(*) AS n FROM ${ident(table)} WHERE sync_job_id = $1 GROUP BY table_name`,
      [jobId],
    );
    return new Map(rows.map((r) => [r.table_name, num(r.n)]));
  } catch (err) {
    if (err instanceof SchemaMismatchError) return new Map();
    throw err;
  }
}
