/**
 * The sync lock: one sync per database (per schema and scope) at a time, across processes and
 * machines. PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own,
 * held for the run; the server releases it when that connection ends, so a killed process never leaves
 * a stale lock (and a run whose lock connection breaks takes it again on a new one). The holder's job id is published in that connection's `application_name`, so a refused
 * sync can say who holds the lock. PGlite: the folder lock (pglite.ts) already keeps other processes
 * out; inside the process a registry refuses a second holder. A user's Prisma Client: the advisory
 * lock is taken inside an interactive transaction kept open for the run (Prisma does not expose a
 * dedicated session).
 */
import type pg from 'pg';
import type { Db } from './types.js';
import { PostgresDb } from './postgres.js';
import { PgliteDb } from './pglite.js';
import { PrismaDb } from './prisma.js';
import type { PrismaLike } from '../api.js';
import { DatabaseConnectionLostError, SyncLockedError, SyncLockLostError, asDbError, isConnectionError } from './errors.js';
import { withConnectionRetry } from './retry.js';

export interface SyncLock {
  /** Publishes the job holding the lock (shown to a refused second sync). */
  setJob(jobId: string): Promise<void>;
  /**
   * Aborted when the lock is lost for good (its connection broke and it could not be taken again: another
   * sync holds it now, or the database did not come back in time); the reason says which. The run must stop.
   */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface SyncLockOptions {
  /** Separates independent mirrors in one schema (e.g. the sync-job table name). Default `default`. */
  scope?: string;
  jobId?: string;
}

/** First advisory key: "BUBB" — keeps clear of other applications' advisory locks. */
const LOCK_CLASS = 0x42554242;
const APP_NAME = 'bubble-runtime sync';

/** The lock's transaction lives as long as the run (Prisma's timeout is a setTimeout: 2^31-1 ms at most). */
const LOCK_TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 2 ** 31 - 1 };

const heldInProcess = new WeakMap<object, Set<string>>();

/** Takes the sync lock or throws SyncLockedError naming the holder when it can. */
export async function acquireSyncLock(db: Db, options: SyncLockOptions = {}): Promise<SyncLock> {
  const scope = options.scope ?? 'default';
  const [{ schema }] = (await db.query<{ schema: string }>('SELECT current_schema() AS schema')) as [{ schema: string }];
  const key = lockKey(`${schema}:${scope}`);
  if (db instanceof PostgresDb) return postgresLock(db, key, options.jobId);
  if (db instanceof PgliteDb) return processLock(db.pglite, `${schema}:${scope}`, options.jobId);
  if (db instanceof PrismaDb && db.prisma) {
    const [{ version }] = (await db.query<{ version: string }>('SELECT version() AS version')) as [{ version: string }];
    if (version.includes('PGlite')) return processLock(db.prisma, `${schema}:${scope}`, options.jobId);
    return transactionLock(db.prisma, key, options.jobId);
  }
  return processLock(db, `${schema}:${scope}`, options.jobId);
}

/** FNV-1a, folded to a non-negative int4 (the second advisory key). */
export function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

function appName(jobId: string | undefined): string {
  return jobId ? `${APP_NAME} job ${jobId}` : APP_NAME;
}

/**
 * The advisory lock on a connection of its own. When that connection breaks (server restart,
 * terminated backend), the lock is gone with it: it is taken again on a new connection, within the
 * same time budget as a page commit. If another sync took it meanwhile, or the database does not come
 * back in time, `signal` aborts and the run stops.
 */
async function postgresLock(db: PostgresDb, key: number, jobId: string | undefined): Promise<SyncLock> {
  let job = jobId;
  let client = await takeAdvisoryLock(db, key, job, undefined);
  const controller = new AbortController();
  // Aborted by release(): a re-take still waiting for the database gives up.
  const releasing = new AbortController();
  let retaking: Promise<void> | null = null;

  const retake = async (): Promise<void> => {
    // The network may have dropped the connection while the server kept its session, and the lock with it.
    const orphan = backendPid(client);
    void client.end().catch(() => undefined);
    try {
      const next = await withConnectionRetry(() => takeAdvisoryLock(db, key, job, orphan), { signal: releasing.signal });
      if (releasing.signal.aborted) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      watch(next);
    } catch (err) {
      if (releasing.signal.aborted) return;
      controller.abort(err instanceof SyncLockedError ? new SyncLockLostError(err.holder) : asDbError(err));
    }
  };
  function watch(c: pg.Client): void {
    const lost = (): void => {
      if (c !== client || retaking || releasing.signal.aborted || controller.signal.aborted) return;
      retaking = retake().finally(() => (retaking = null));
    };
    c.on('error', lost);
    c.on('end', lost);
  }
  watch(client);

  return {
    signal: controller.signal,
    async setJob(id) {
      job = id;
      // On a broken connection the re-take publishes the new name itself.
      await client.query(`SELECT set_config('application_name', $1, false)`, [appName(id)]).catch((err: unknown) => {
        if (!isConnectionError(err)) throw asDbError(err);
      });
    },
    async release() {
      if (releasing.signal.aborted) return;
      releasing.abort();
      await retaking;
      // Ending the session releases the lock even if the unlock query cannot run.
      await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [LOCK_CLASS, key]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * A new connection holding the advisory lock, or SyncLockedError naming the holder. `orphan`: the
 * server pid of this run's previous lock session; if that session still holds the lock (the network
 * dropped, the server has not noticed), it is ended and the lock taken.
 */
async function takeAdvisoryLock(db: PostgresDb, key: number, jobId: string | undefined, orphan: number | undefined): Promise<pg.Client> {
  const client = await db.dedicatedClient(appName(jobId));
  const tryLock = async (): Promise<boolean> =>
    (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [LOCK_CLASS, key])).rows[0]?.ok === true;
  try {
    if (await tryLock()) return client;
    let holder = await lockHolder(client, key);
    if (orphan !== undefined && holder?.pid === orphan) {
      await client.query('SELECT pg_terminate_backend($1::int, 5000)', [orphan]).catch((err: unknown) => {
        throw new DatabaseConnectionLostError(
          `the sync lock's old session (server pid ${orphan}) still holds it and could not be ended`,
          err,
        );
      });
      if (await tryLock()) return client;
      holder = await lockHolder(client, key);
    }
    throw new SyncLockedError(holder?.text);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw asDbError(err);
  }
}

/** The server pid of a connected client's session (pg keeps it from the startup handshake). */
function backendPid(client: pg.Client): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Who holds the advisory lock, from pg_locks + pg_stat_activity (needs no special privilege for the
 * basics). Advisory locks belong to one database, and pg_locks lists every database's: only this
 * database's holder is the one in the way.
 */
async function lockHolder(client: pg.Client, key: number): Promise<{ pid: number; text: string } | undefined> {
  try {
    const res = await client.query<{ pid: number; app: string | null; addr: string | null; since: Date | null }>(
      `SELECT a.pid, a.application_name AS app, a.client_addr::text AS addr, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE ${HOLDER_WHERE}
        LIMIT 1`,
      [LOCK_CLASS, key],
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const from = row.addr ? ` from ${row.addr}` : '';
    const since = row.since ? `, since ${row.since.toISOString()}` : '';
    return { pid: row.pid, text: `${jobOf(row.app)}server pid ${row.pid}${from}${since}` };
  } catch {
    return undefined;
  }
}

/** The granted advisory lock ($1, $2) in the current database. */
const HOLDER_WHERE = `l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** "job <id>, " when the holder published its job in application_name. */
function jobOf(app: string | null | undefined): string {
  return app?.startsWith(`${APP_NAME} job `) ? `job ${app.slice(APP_NAME.length + 5)}, ` : '';
}

/** Within one process: PGlite (its folder lock keeps other processes out) or a Prisma Client on PGlite. */
function processLock(owner: object, scope: string, jobId: string | undefined): SyncLock {
  const held = heldInProcess.get(owner) ?? new Set<string>();
  heldInProcess.set(owner, held);
  const holders = processHolders.get(owner) ?? new Map<string, string | undefined>();
  processHolders.set(owner, holders);
  if (held.has(scope)) {
    const holder = holders.get(scope);
    throw new SyncLockedError(holder ? `job ${holder}, in this process` : 'in this process');
  }
  held.add(scope);
  holders.set(scope, jobId);
  let released = false;
  return {
    signal: new AbortController().signal,
    async setJob(id) {
      holders.set(scope, id);
    },
    async release() {
      if (released) return;
      released = true;
      held.delete(scope);
      holders.delete(scope);
    },
  };
}
const processHolders = new WeakMap<object, Map<string, string | undefined>>();

/**
 * A user's Prisma Client on PostgreSQL: a transaction-level advisory lock in an interactive
 * transaction that stays open until `release()`. It occupies one pooled connection for the run.
 */
async function transactionLock(prisma: PrismaLike, key: number, jobId: string | undefined): Promise<SyncLock> {
  const controller = new AbortController();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let setJobInTx: ((id: string) => Promise<void>) | undefined;
  let finished: Promise<unknown> = Promise.resolve();
  const acquired = new Promise<void>((resolve, reject) => {
    finished = prisma
      .$transaction(async (ptx) => {
        const tx = new PrismaDb(ptx, undefined, 1);
        const [row] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS ok', [LOCK_CLASS, key]);
        if (row?.ok !== true) {
          const holder = await tx.query<{ pid: number; app: string | null }>(
            `SELECT a.pid, a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE ${HOLDER_WHERE} LIMIT 1`,
            [LOCK_CLASS, key],
          );
          const h = holder[0];
          throw new SyncLockedError(h ? `${jobOf(h.app)}server pid ${h.pid}` : undefined);
        }
        setJobInTx = async (id) => {
          await tx.query(`SELECT set_config('application_name', $1, true)`, [appName(id)]);
        };
        await tx.query(`SELECT set_config('application_name', $1, true)`, [appName(jobId)]);
        resolve();
        await released;
      }, LOCK_TRANSACTION_OPTIONS)
      .catch((err: unknown) => {
        reject(err);
        controller.abort(asDbError(err));
      });
  });
  await acquired;
  let done = false;
  return {
    signal: controller.signal,
    async setJob(id) {
      await setJobInTx?.(id);
    },
    async release() {
      if (done) return;
      done = true;
      release();
      // The lock goes with the transaction's commit: wait for it, so a next holder can take it at once.
      await finished;
    },
  };
}
