import pg from 'pg';
import { acquireSyncLock } from '../../runtime/db/lock.js';
import { SyncLockedError, DatabaseConnectionLostError } from '../../runtime/db/errors.js';
import { testServerUrl } from '../support/database.js';
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
  test('a holder whose connection dies loses the lock (signal aborts) and another can take it', async () => {
    const t = await emptyDb('postgres');
    try {
      const lock = await acquireSyncLock(t.db, { jobId: 'doomed' });
      const admin = new pg.Client({ connectionString: testServerUrl() });
      await admin.connect();
      const aborted = new Promise<unknown>((resolve) => lock.signal.addEventListener('abort', () => resolve(lock.signal.reason)));
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bubble-runtime sync job doomed'`);
      await admin.end();
      expect(await aborted).toBeInstanceOf(DatabaseConnectionLostError);
      const next = await acquireSyncLock(t.db);
      await next.release();
      await lock.release();
    } finally {
      await t.cleanup();
    }
  });
});
