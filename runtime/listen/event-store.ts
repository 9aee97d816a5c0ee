/**
 * The event table (`SyncEvent`, `manifest.state.eventTable`) in raw SQL. Every received event is one
 * row, inserted as it arrives (receiving never waits for anything else). Applying claims the oldest
 * due PENDING row of one record — only the oldest of a record's pending rows can be claimed, so one
 * record is never applied by two workers at once — together with that record's other pending rows
 * (duplicates coalesce into one application), and marks them APPLIED or schedules a retry.
 */
import type { ManifestSyncState } from '../../generator/manifest/types.js';
import { lockKey } from '../db/lock.js';
import type { Db } from '../db/types.js';
import { ident, num, readUtc, toIso, UTC_NOW } from '../sync/sql.js';
import type { ReceivedEvent } from './events.js';

/** One record's pending events, claimed for one application. */
export interface Claim {
  type: string;
  bubbleId: string;
  /** Event row ids (bigint as text), oldest first. */
  ids: string[];
  /** The oldest row's failed attempts so far. */
  attempts: number;
}

export type Outcome = 'written' | 'deleted' | 'absent';

export interface FailingEvent {
  type: string;
  bubbleId: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** What `listen --status` shows. */
export interface EventQueueStatus {
  pending: number;
  /** Pending events whose application failed at least once (they are retried with back-off). */
  retrying: number;
  oldestPendingAt: string | null;
  appliedLastDay: number;
  deletedLastDay: number;
  lastReceivedAt: string | null;
  lastAppliedAt: string | null;
  /** Up to ten records whose events keep failing, most attempts first. */
  failing: FailingEvent[];
}

/** Applied rows are kept this long for `listen --status`, then pruned. */
export const APPLIED_RETENTION_DAYS = 7;
const PRUNE_BATCH = 1_000;

/** Waits before the next attempt after `attempts` failures: 2 s, 4 s, 8 s, … up to 15 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(15 * 60_000, 2_000 * 2 ** Math.max(0, Math.min(attempts, 20) - 1));
}

export class EventStore {
  private readonly table: string;
  private readonly jobs: string;
  private readonly lockClass: number;

  constructor(private readonly db: Db, private readonly state: Pick<ManifestSyncState, 'eventTable' | 'jobTable'>) {
    this.table = ident(state.eventTable);
    this.jobs = ident(state.jobTable);
    this.lockClass = lockKey(`events:${state.eventTable}`);
  }

  in(tx: Db): EventStore {
    return new EventStore(tx, this.state);
  }

  /** Records events in one statement: all of them or none. */
  async record(events: readonly ReceivedEvent[]): Promise<void> {
    await this.db.execute(
      `INSERT INTO ${this.table} (bubble_type, bubble_id, event, status, attempts, next_attempt_at, received_at)
       SELECT t, i, e, 'PENDING', 0, ${UTC_NOW}, ${UTC_NOW} FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS s(t, i, e, n) ORDER BY n`,
      [events.map((e) => e.type), events.map((e) => e.id), events.map((e) => e.event)],
    );
  }

  /**
   * Claims the oldest due record among those not in `busy` (`type\u0000id` keys this process is already
   * applying), locking its pending rows until the transaction ends. Null when nothing is due.
   */
  async claim(busy: ReadonlySet<string>): Promise<Claim | null> {
    const keys = [...busy].map((k) => k.split('\u0000'));
    const [head] = await this.db.query<{ id: string; type: string; bubble_id: string; attempts: unknown }>(
      `SELECT e.id::text AS id, e.bubble_type AS type, e.bubble_id, e.attempts FROM ${this.table} e
        WHERE e.status = 'PENDING' AND e.next_attempt_at <= ${UTC_NOW}
          AND NOT EXISTS (SELECT 1 FROM ${this.table} o WHERE o.bubble_type = e.bubble_type AND o.bubble_id = e.bubble_id
                            AND o.status = 'PENDING' AND o.id < e.id)
          AND (e.bubble_type, e.bubble_id) NOT IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY e.next_attempt_at, e.id
        LIMIT 1
        FOR UPDATE OF e SKIP LOCKED`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    if (!head) return null;
    // A record's events inserted out of commit order could expose an older row to another process while
    // this one applies a newer one: a per-record lock for the transaction keeps them one after another.
    await this.db.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2 || chr(31) || $3))', [this.lockClass, head.type, head.bubble_id]);
    const rows = await this.db.query<{ id: string }>(
      `SELECT id::text AS id FROM ${this.table} WHERE bubble_type = $1 AND bubble_id = $2 AND status = 'PENDING' ORDER BY id FOR UPDATE`,
      [head.type, head.bubble_id],
    );
    return { type: head.type, bubbleId: head.bubble_id, ids: rows.map((r) => r.id), attempts: num(head.attempts) };
  }

  /** The sync job running right now, if any: its pages may have read the record before this application. */
  async runningJob(): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `SELECT id FROM ${this.jobs} WHERE status::text = 'RUNNING' ORDER BY started_at DESC NULLS LAST LIMIT 1`,
    );
    return row?.id ?? null;
  }

  async markApplied(claim: Claim, outcome: Outcome, watchJobId: string | null): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.table} SET status = 'APPLIED', applied_at = (clock_timestamp() AT TIME ZONE 'UTC'), outcome = $2, watch_job_id = $3, last_error = NULL
        WHERE id = ANY($1::bigint[])`,
      [claim.ids, outcome, watchJobId],
    );
  }

  /** The application failed: every row of the claim waits for the next attempt (never dropped). */
  async markFailed(claim: Claim, error: string): Promise<number> {
    const attempts = claim.attempts + 1;
    const delay = retryDelayMs(attempts);
    await this.db.execute(
      `UPDATE ${this.table} SET attempts = $2, last_error = $3, next_attempt_at = ${UTC_NOW} + make_interval(secs => $4::double precision / 1000)
        WHERE id = ANY($1::bigint[])`,
      [claim.ids, attempts, error.slice(0, 1000), delay],
    );
    return delay;
  }

  /**
   * Applied events whose watched sync job has ended: the events to apply again (those whose row that job
   * wrote after the event's application) are queued anew, and the watch is cleared. `wroteAfter` answers,
   * per type, which of the ids the job's pages wrote.
   */
  async settleWatches(wroteAfter: (type: string, ids: string[], jobId: string) => Promise<string[]>): Promise<number> {
    const watched = await this.db.query<{ id: string; type: string; bubble_id: string; job: string }>(
      `SELECT e.id::text AS id, e.bubble_type AS type, e.bubble_id, e.watch_job_id AS job FROM ${this.table} e
         LEFT JOIN ${this.jobs} j ON j.id = e.watch_job_id
        WHERE e.watch_job_id IS NOT NULL AND j.status::text IS DISTINCT FROM 'RUNNING'
        LIMIT 500`,
    );
    if (watched.length === 0) return 0;
    const groups = new Map<string, { type: string; job: string; ids: Set<string> }>();
    for (const w of watched) {
      const key = `${w.type}\u0000${w.job}`;
      const group = groups.get(key) ?? { type: w.type, job: w.job, ids: new Set<string>() };
      group.ids.add(w.bubble_id);
      groups.set(key, group);
    }
    const again: ReceivedEvent[] = [];
    for (const g of groups.values()) {
      for (const id of await wroteAfter(g.type, [...g.ids], g.job)) again.push({ type: g.type, id, event: 'modified' });
    }
    await this.db.transaction(async (tx) => {
      const store = this.in(tx);
      if (again.length > 0) await store.record(again);
      await tx.execute(`UPDATE ${this.table} SET watch_job_id = NULL WHERE id = ANY($1::bigint[])`, [watched.map((w) => w.id)]);
    });
    return again.length;
  }

  /** Deletes applied events older than the retention, a batch at a time; resolves to the rows deleted. */
  async prune(): Promise<number> {
    return this.db.execute(
      `DELETE FROM ${this.table} WHERE id IN (
         SELECT id FROM ${this.table} WHERE status = 'APPLIED' AND watch_job_id IS NULL
            AND applied_at < ${UTC_NOW} - make_interval(days => ${APPLIED_RETENTION_DAYS}) LIMIT ${PRUNE_BATCH})`,
    );
  }

  async status(): Promise<EventQueueStatus> {
    const dayAgo = `${UTC_NOW} - interval '1 day'`;
    const [row] = await this.db.query<Record<string, unknown>>(
      `SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
              count(*) FILTER (WHERE status = 'PENDING' AND attempts > 0) AS retrying,
              count(*) FILTER (WHERE status = 'APPLIED' AND applied_at > ${dayAgo}) AS applied,
              count(*) FILTER (WHERE status = 'APPLIED' AND applied_at > ${dayAgo} AND outcome = 'deleted') AS deleted,
              (min(received_at) FILTER (WHERE status = 'PENDING')) AT TIME ZONE 'UTC' AS oldest,
              max(received_at) AT TIME ZONE 'UTC' AS received,
              max(applied_at) AT TIME ZONE 'UTC' AS applied_at
         FROM ${this.table}`,
    );
    const failing = await this.db.query<Record<string, unknown>>(
      `SELECT DISTINCT ON (bubble_type, bubble_id) bubble_type, bubble_id, attempts, last_error, ${readUtc('next_attempt_at', 'next')}
         FROM ${this.table} WHERE status = 'PENDING' AND attempts > 0
        ORDER BY bubble_type, bubble_id, id`,
    );
    return {
      pending: num(row?.pending),
      retrying: num(row?.retrying),
      oldestPendingAt: toIso(row?.oldest),
      appliedLastDay: num(row?.applied),
      deletedLastDay: num(row?.deleted),
      lastReceivedAt: toIso(row?.received),
      lastAppliedAt: toIso(row?.applied_at),
      failing: failing
        .map((f) => ({
          type: String(f.bubble_type),
          bubbleId: String(f.bubble_id),
          attempts: num(f.attempts),
          lastError: f.last_error === null || f.last_error === undefined ? null : String(f.last_error),
          nextAttemptAt: toIso(f.next),
        }))
        .sort((a, b) => b.attempts - a.attempts)
        .slice(0, 10),
    };
  }

  /** Fails (as the database layer's typed error) when the table is missing: the database is not migrated. */
  async check(): Promise<void> {
    await this.db.query(`SELECT 1 FROM ${this.table} LIMIT 0`);
  }
}
