/**
 * Applying one record's events: Bubble is asked for the record by id whatever the events said, so the
 * row ends up as the app has it now. A record Bubble has is written through the sync's own converter
 * and writer; a record it answers 404 for is marked deleted (`_is_deleted`, `_deleted_at`) — exactly
 * that row, nothing guessed. Every write stamps `_synced_at` and `_sync_job_id` = `listen:<event id>`,
 * so a full pass that began earlier never takes the row for a deletion.
 */
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { readColumnTypes } from '../db/upsert.js';
import type { BubbleRecord, PageWriter } from '../sync/ports.js';
import { ident } from '../sync/sql.js';
import type { Claim, Outcome } from './event-store.js';

/** The `_sync_job_id` a listener write leaves on a row. */
export function listenerJobId(claim: Claim): string {
  return `listen:${claim.ids[claim.ids.length - 1]}`;
}

export interface RowWriter {
  /** Writes what Bubble answered (the record, or null for 404) inside `tx`. */
  apply(tx: Db, type: ManifestType, claim: Claim, record: BubbleRecord | null): Promise<Outcome>;
}

export function createRowWriter(writer: PageWriter): RowWriter {
  const columnTypes = new Map<string, Promise<Map<string, string>>>();
  const typesOf = (tx: Db, table: string): Promise<Map<string, string>> => {
    let types = columnTypes.get(table);
    if (!types) {
      types = readColumnTypes(tx, table);
      columnTypes.set(table, types);
      types.catch(() => columnTypes.delete(table));
    }
    return types;
  };

  return {
    async apply(tx, type, claim, record) {
      const jobId = listenerJobId(claim);
      const s = type.standard;
      const types = await typesOf(tx, type.table);
      // The time of the write itself, not of the transaction's start (which may precede the fetch): a full
      // pass that began in between must see the row as written after it.
      const now = (column: string): string =>
        types.get(column)?.includes('without time zone') ? `(clock_timestamp() AT TIME ZONE 'UTC')` : 'clock_timestamp()';
      if (record !== null) {
        await writer.write(tx, type, [record], { jobId, position: 0 });
        await tx.execute(
          `UPDATE ${ident(type.table)} SET ${ident(s.syncedAt)} = ${now(s.syncedAt)} WHERE ${ident(s.bubbleId)} = $1 AND ${ident(s.syncJobId)} = $2`,
          [record._id, jobId],
        );
        return 'written';
      }
      const marked = await tx.execute(
        `UPDATE ${ident(type.table)} SET ${ident(s.isDeleted)} = true, ${ident(s.deletedAt)} = ${now(s.deletedAt)},
           ${ident(s.updatedAt)} = ${now(s.updatedAt)}, ${ident(s.syncedAt)} = ${now(s.syncedAt)}, ${ident(s.syncJobId)} = $2
          WHERE ${ident(s.bubbleId)} = $1 AND NOT ${ident(s.isDeleted)}`,
        [claim.bubbleId, jobId],
      );
      if (marked > 0) return 'deleted';
      const [row] = await tx.query(`SELECT 1 AS found FROM ${ident(type.table)} WHERE ${ident(s.bubbleId)} = $1`, [claim.bubbleId]);
      return row ? 'deleted' : 'absent';
    },
  };
}

/** Of `ids`, those whose row `jobId` wrote last (the sync's page overwrote the listener's application). */
export async function writtenBy(db: Db, type: ManifestType, ids: string[], jobId: string): Promise<string[]> {
  const s = type.standard;
  const rows = await db.query<{ id: string }>(
    `SELECT ${ident(s.bubbleId)} AS id FROM ${ident(type.table)} WHERE ${ident(s.bubbleId)} = ANY($1::text[]) AND ${ident(s.syncJobId)} = $2`,
    [ids, jobId],
  );
  return rows.map((r) => r.id);
}
