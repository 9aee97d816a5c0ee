import pg from 'pg';
import { acquireSyncLock, lockKey } from '../../runtime/db/lock.js';
import { SyncLockedError, SyncLockLostError } from '../../runtime/db/errors.js';
import { BACKENDS, emptyDb, type TestDb } from './support.js';

describe.each(BACKENDS)('sync lock on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await emptyDb(backend);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  test('a second holder is refused with the first job named; release frees it', async () => {
    const first = await acquireSyncLock(t.db, { jobId: 'job-a' });
    const err = await acquireSyncLock(t.db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncLockedError);
    expect((err as Error).message).toContain('job job-a');
    await first.setJob('job-b');
    expect(((await acquireSyncLock(t.db).catch((e: unknown) => e)) as Error).message).toContain('job job-b');
    await first.release();
    const second = await acquireSyncLock(t.db);
    await second.release();
  });

  test('scopes are independent', async () => {
    const a = await acquireSyncLock(t.db, { scope: 'a' });
    const b = await acquireSyncLock(t.db, { scope: 'b' });
    await a.release();
    await b.release();
  });
});

describe('sync lock across processes (PostgreSQL)', () => {
  test('a holder whose connection dies takes the lock again; if another took it first, the signal aborts naming the loss', async () => {
    const t = await emptyDb('postgres');
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    try {
      const lock = await acquireSyncLock(t.db, { jobId: 'first' });
      const terminate = `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'bubble-runtime sync job first'`;
      await admin.query(terminate);
      // Taken again on a new connection, under the same job name: a second holder is still refused.
      await until(async () => (await admin.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted`)).rowCount === 1);
      expect(((await acquireSyncLock(t.db).catch((e: unknown) => e)) as Error).message).toContain('job first');
      expect(lock.signal.aborted).toBe(false);

      // Another session queued for the lock is granted it the moment the holder's connection dies.
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      const key = lockKey('public:default');
      const granted = other.query('SELECT pg_advisory_lock($1::int, $2::int)', [0x42554242, key]);
      await until(async () => (await admin.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rowCount === 1);
      const aborted = new Promise<unknown>((resolve) => lock.signal.addEventListener('abort', () => resolve(lock.signal.reason)));
      await admin.query(terminate);
      await granted;
      expect(await aborted).toBeInstanceOf(SyncLockLostError);
      await lock.release();
      await other.end();
      const next = await acquireSyncLock(t.db);
      await next.release();
    } finally {
      await admin.end();
      await t.cleanup();
    }
  });

  test("two databases on one server: each has its own lock, and a refusal names the job holding this database's", async () => {
    const others = await Promise.all([1, 2, 3, 4].map(() => emptyDb('postgres')));
    const mine = await emptyDb('postgres');
    try {
      const held = await Promise.all(others.map((o, i) => acquireSyncLock(o.db, { jobId: `elsewhere-${i}` })));
      const lock = await acquireSyncLock(mine.db, { jobId: 'mine' });
      const refusal = (await acquireSyncLock(mine.db).catch((e: unknown) => e)) as Error;
      expect(refusal).toBeInstanceOf(SyncLockedError);
      expect(refusal.message).toMatch(/\(job mine, server pid \d+/);
      expect(refusal.message).not.toContain('elsewhere');
      await lock.release();
      for (const h of held) await h.release();
    } finally {
      for (const t of [...others, mine]) await t.cleanup();
    }
  });
});

/** Waits for a state the server reaches on its own (a connection opened, a lock queued), polling briefly. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}
