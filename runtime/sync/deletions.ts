/**
 * Deletions after a completed full pass. Bubble never reports deletions, so a row the pass did not see
 * is a candidate — and only becomes a deletion when three checks agree:
 *
 * 1. complete: the records the pass saw are not fewer than Bubble reported for the stretches it read,
 *    beyond a small slack for records deleted while it ran (every window also ended on a verified page,
 *    or the pass would not have completed);
 * 2. guarded: when more than `maxDeleteFraction` of the table's live rows (and more than a handful)
 *    would go at once, they are held back — reported, not marked — unless the user allowed it;
 * 3. confirmed: Bubble is asked for the candidates by id; any it still has were missed by the pages
 *    (an under-read) and are written instead of deleted.
 *
 * Rows written after the pass began (by another process) are never candidates.
 */
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { readColumnTypes } from '../db/upsert.js';
import { ident } from './sql.js';

export interface DeletionPolicy {
  /** Largest share of a table's live rows one pass may mark deleted without `allowMassDelete`. */
  maxDeleteFraction: number;
  allowMassDelete: boolean;
}

export interface DeletionPlan {
  /** Rows this pass saw (written or confirmed unchanged). */
  seen: number;
  /** Rows with a value kept only in `_unmapped`, among those this pass saw. */
  rawOnly: number;
  /** Live rows the pass did not see. */
  candidates: number;
  /** `confirm`: ask Bubble for the candidates, then delete what it no longer has; otherwise hold them back. */
  decision: 'none' | 'confirm' | 'incomplete' | 'guard';
}

/** Up to this many rows may always go in one pass, whatever their share (small tables). */
export const MASS_DELETE_MIN_ROWS = 10;
/** Shortfall tolerated between what Bubble reported and what the pass saw: records deleted while it ran. */
const SEEN_SLACK_FRACTION = 0.01;
const SEEN_SLACK_MIN = 10;

/** A table's pass: which job saw which rows, and when it began (rows synced later are not candidates). */
export interface PassScope {
  type: Pick<ManifestType, 'table' | 'standard'>;
  jobId: string;
  /** ISO time the table's pass started. */
  startedAt: string;
}

async function unseenWhere(db: Db, scope: PassScope): Promise<string> {
  const s = scope.type.standard;
  const types = await readColumnTypes(db, scope.type.table);
  const since = types.get(s.syncedAt)?.includes('without time zone') ? `($2::timestamptz AT TIME ZONE 'UTC')` : '$2::timestamptz';
  return `${ident(s.syncJobId)} IS DISTINCT FROM $1::text AND NOT ${ident(s.isDeleted)}
    AND (${ident(s.syncedAt)} IS NULL OR ${ident(s.syncedAt)} < ${since})`;
}

/** Counts the pass against the table and decides what happens to the rows it did not see. */
export async function planDeletions(db: Db, scope: PassScope, reported: number, policy: DeletionPolicy): Promise<DeletionPlan> {
  const s = scope.type.standard;
  const [counts] = await db.query<{ seen: unknown; raw_only: unknown; live: unknown; unseen: unknown }>(
    `SELECT count(*) FILTER (WHERE ${ident(s.syncJobId)} = $1::text) AS seen,
            count(*) FILTER (WHERE ${ident(s.syncJobId)} = $1::text AND ${ident(s.unmapped)} IS NOT NULL) AS raw_only,
            count(*) FILTER (WHERE NOT ${ident(s.isDeleted)}) AS live,
            count(*) FILTER (WHERE ${await unseenWhere(db, scope)}) AS unseen
       FROM ${ident(scope.type.table)}`,
    [scope.jobId, scope.startedAt],
  );
  const seen = Number(counts?.seen ?? 0);
  const rawOnly = Number(counts?.raw_only ?? 0);
  const live = Number(counts?.live ?? 0);
  const candidates = Number(counts?.unseen ?? 0);
  const plan = (decision: DeletionPlan['decision']): DeletionPlan => ({ seen, rawOnly, candidates, decision });
  if (candidates === 0) return plan('none');
  if (seen + Math.max(SEEN_SLACK_MIN, Math.ceil(reported * SEEN_SLACK_FRACTION)) < reported) return plan('incomplete');
  const mass = candidates > MASS_DELETE_MIN_ROWS && candidates > policy.maxDeleteFraction * live;
  return plan(mass && !policy.allowMassDelete ? 'guard' : 'confirm');
}

/** The Bubble ids of the rows the pass did not see. */
export async function candidateIds(db: Db, scope: PassScope): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT ${ident(scope.type.standard.bubbleId)} AS id FROM ${ident(scope.type.table)} WHERE ${await unseenWhere(db, scope)}`,
    [scope.jobId, scope.startedAt],
  );
  return rows.map((r) => r.id);
}

/** Marks `ids` deleted (those still unseen by the pass); resolves to the rows marked. */
export async function markDeleted(tx: Db, scope: PassScope, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const s = scope.type.standard;
  const types = await readColumnTypes(tx, scope.type.table);
  const now = (column: string): string => (types.get(column)?.includes('without time zone') ? `(now() AT TIME ZONE 'UTC')` : 'now()');
  return tx.execute(
    `UPDATE ${ident(scope.type.table)} SET ${ident(s.isDeleted)} = true, ${ident(s.deletedAt)} = ${now(s.deletedAt)}, ${ident(s.updatedAt)} = ${now(s.updatedAt)}
      WHERE ${await unseenWhere(tx, scope)} AND ${ident(s.bubbleId)} = ANY($3::text[])`,
    [scope.jobId, scope.startedAt, ids],
  );
}
