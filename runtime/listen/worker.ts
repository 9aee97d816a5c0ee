/**
 * The applying worker: up to `concurrency` records at once, each claimed, fetched by id through the
 * client's rate-limited gate and written. Woken when events are recorded, and every second for
 * retries that came due and events another process recorded. Only the records being applied are in
 * memory; everything else waits in the event table, so a flood costs rows, not memory.
 *
 * On PostgreSQL each application runs in one transaction that holds its event rows (FOR UPDATE SKIP
 * LOCKED) while the record is fetched, so several `listen` processes share the work and a killed one
 * leaves its rows to the others at once (the server rolls the transaction back). Only event rows are
 * held that long; the data row is written at the end, and the sync lock is never taken. On PGlite
 * (one process) a claim is kept in memory instead, and the writes commit in a short transaction.
 */
import type { Manifest, ManifestType } from '../../core/manifest/schema.js';
import type { BubbleClient } from '../bubble/index.js';
import { isConnectionError } from '../db/errors.js';
import type { Db } from '../db/types.js';
import { BubbleError, formatError } from '../../core/errors.js';
import { createPageWriter } from '../sync/page-writer.js';
import type { BubbleRecord } from '../sync/ports.js';
import { createRowWriter, writtenBy, type RowWriter } from './applier.js';
import { EventStore, eventState, type Claim, type Outcome } from './event-store.js';

export interface WorkerOptions {
  db: Db;
  manifest: Manifest;
  client: BubbleClient;
  concurrency: number;
  /** Hold each claim in a transaction while the record is fetched (default: on PostgreSQL). */
  holdLocks?: boolean;
  /** How often to look for due retries and other processes' events, ms (default 1000). */
  pollMs?: number;
  /** A line for the operator (failures, database trouble); never carries a secret or token. */
  log?: (line: string) => void;
}

export interface WorkerCounts {
  /** Records applied (each may coalesce several events). */
  applied: number;
  /** Events those applications covered. */
  events: number;
  written: number;
  deleted: number;
  failed: number;
}

const MAINTENANCE_EVERY_MS = 5_000;
const PRUNE_EVERY_MS = 60 * 60_000;
const DB_PAUSE_FIRST_MS = 500;
const DB_PAUSE_MAX_MS = 30_000;

export class EventWorker {
  readonly counts: WorkerCounts = { applied: 0, events: 0, written: 0, deleted: 0, failed: 0 };
  private readonly store: EventStore;
  private readonly rows: RowWriter;
  private readonly types: ReadonlyMap<string, ManifestType>;
  private readonly holdLocks: boolean;
  private readonly busy = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  private drained = true;
  private pausedUntil = 0;
  private dbPauseMs = DB_PAUSE_FIRST_MS;
  private claiming: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastMaintenance = 0;
  private lastPrune = 0;
  private maintaining = false;

  constructor(private readonly options: WorkerOptions) {
    this.store = new EventStore(options.db, eventState(options.manifest));
    this.rows = createRowWriter(createPageWriter({ rejectTable: options.manifest.state.rejectTable }));
    this.types = new Map(options.manifest.types.map((t) => [t.name, t]));
    this.holdLocks = options.holdLocks ?? options.db.kind === 'postgres';
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.pollMs ?? 1_000);
    this.wake();
  }

  /** New events were recorded: apply them now. */
  wake(): void {
    this.drained = false;
    this.fill();
  }

  /** Stops claiming; applications in flight are cancelled (their events stay pending) and awaited. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort(new BubbleError('LISTEN_STOPPED', 'The listener is stopping.'));
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Records being applied right now. */
  get inFlight(): number {
    return this.active;
  }

  private tick(): void {
    this.fill();
    const now = Date.now();
    if (!this.maintaining && now - this.lastMaintenance >= MAINTENANCE_EVERY_MS && now >= this.pausedUntil) {
      this.maintaining = true;
      this.lastMaintenance = now;
      this.track(
        this.maintain(now)
          .catch((err: unknown) => this.dbTrouble(err))
          .finally(() => (this.maintaining = false)),
      );
    }
  }

  private fill(): void {
    // After a look that found nothing, one look at a time until something turns up.
    const limit = this.drained ? 1 : this.options.concurrency;
    while (!this.stopping.signal.aborted && Date.now() >= this.pausedUntil && this.active < limit) {
      this.active += 1;
      this.track(
        this.applyNext()
          .then(
            (found) => {
              this.drained = !found;
              if (found) this.dbPauseMs = DB_PAUSE_FIRST_MS;
            },
            (err: unknown) => {
              this.drained = true;
              if (!this.stopping.signal.aborted) this.dbTrouble(err);
            },
          )
          .finally(() => {
            this.active -= 1;
            if (!this.drained) this.fill();
          }),
      );
    }
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** The database failed under the worker: wait a little (longer each time) before the next claim. */
  private dbTrouble(err: unknown): void {
    this.pausedUntil = Date.now() + this.dbPauseMs;
    this.options.log?.(`Database trouble, pausing ${Math.round(this.dbPauseMs / 100) / 10} s: ${formatError(err).split('\n')[0]}`);
    this.dbPauseMs = Math.min(this.dbPauseMs * 2, DB_PAUSE_MAX_MS);
  }

  /** Claims and applies one record; false when nothing was due. */
  private async applyNext(): Promise<boolean> {
    const { db } = this.options;
    if (!this.holdLocks) return this.applyWith(db, (fn) => db.transaction(fn));
    return db.transaction((tx) => this.applyWith(tx, (fn) => tx.transaction(fn)));
  }

  private async applyWith(db: Db, write: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>): Promise<boolean> {
    const store = this.store.in(db);
    // Claims are taken one at a time in this process, each adding its record to `busy` before the next.
    const claimed = this.claiming.then(async () => {
      const found = await store.claim(this.busy);
      if (found) this.busy.add(keyOf(found));
      return found;
    });
    this.claiming = claimed.catch(() => undefined);
    const claim = await claimed;
    if (!claim) return false;
    try {
      const type = this.types.get(claim.type);
      let result: { record: BubbleRecord | null } | { error: unknown };
      try {
        if (!type || type.removed) throw new BubbleError('LISTEN_UNKNOWN_TYPE', `The manifest no longer syncs type "${claim.type}".`);
        result = { record: await this.options.client.get<BubbleRecord>(claim.type, claim.bubbleId, { signal: this.stopping.signal }) };
      } catch (err) {
        // Stopping: nothing is recorded, the events stay pending for the next start.
        if (this.stopping.signal.aborted) throw err;
        result = { error: err };
      }
      if ('record' in result && type) {
        const record = result.record;
        const outcome = await write(async (tx): Promise<Outcome | { failed: unknown }> => {
          const s = store.in(tx);
          try {
            // A savepoint on PostgreSQL: a row the database refuses fails this application, not the claim.
            const done = await tx.transaction(async (inner) => this.rows.apply(inner, type, claim, record));
            await s.markApplied(claim, done, await s.runningJob());
            return done;
          } catch (err) {
            if (isConnectionError(err)) throw err;
            await this.fail(s, claim, err);
            return { failed: err };
          }
        });
        if (typeof outcome === 'string') this.count(claim, outcome);
        return true;
      }
      await write((tx) => this.fail(this.store.in(tx), claim, 'error' in result ? result.error : null));
      return true;
    } finally {
      this.busy.delete(keyOf(claim));
    }
  }

  private async fail(store: EventStore, claim: Claim, err: unknown): Promise<void> {
    const message = err instanceof BubbleError ? `${err.code}: ${err.message}` : (formatError(err).split('\n')[0] ?? 'error');
    const delay = await store.markFailed(claim, message);
    this.counts.failed += 1;
    this.options.log?.(
      `Could not apply ${claim.type} ${claim.bubbleId} (attempt ${claim.attempts + 1}; next in ${Math.round(delay / 1000)} s): ${message}`,
    );
  }

  private count(claim: Claim, outcome: Outcome): void {
    this.counts.applied += 1;
    this.counts.events += claim.ids.length;
    if (outcome === 'written') this.counts.written += 1;
    if (outcome === 'deleted') this.counts.deleted += 1;
  }

  /** Re-queues events a finished sync may have overwritten; prunes old applied events now and then. */
  private async maintain(now: number): Promise<void> {
    const { db } = this.options;
    const again = await this.store.settleWatches((typeName, ids, jobId) => {
      const type = this.types.get(typeName);
      return type ? writtenBy(db, type, ids, jobId) : Promise.resolve([]);
    });
    if (again > 0) this.wake();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.store.prune();
    }
  }
}

function keyOf(claim: Claim): string {
  return `${claim.type}\u0000${claim.bubbleId}`;
}
