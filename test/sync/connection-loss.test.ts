/**
 * Losing the database mid-sync: backends terminated, the server stopped and restarted, at several
 * points of a run (inside a page transaction, between pages, under the sync lock). Never a crash: the
 * run either completes or stops with one clear error, and a resumed run leaves the database equal to
 * the app. The server is taken away, so this file runs on a PostgreSQL cluster of its own.
 */
import { PAGE_STEP } from '../../runtime/sync/keyset.js';
import pg from 'pg';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../runtime/db/open.js';
import { lockKey } from '../../runtime/db/lock.js';
import { DatabaseConnectionLostError, SyncLockLostError } from '../../runtime/db/errors.js';
import type { Db } from '../../runtime/db/types.js';
import { runSyncOnDb, SyncFailedError, type RunSyncOptions } from '../../runtime/sync/runner.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { PageWriter } from '../../runtime/sync/ports.js';
import { createTestDatabase } from '../support/database.js';
import { startCluster, startServer, stopCluster, stopServer, type Cluster } from '../support/postgres-cluster.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { createSchema, testManifest } from './support/schema.js';
import { MemoryApp, seedItems } from './support/memory-app.js';
import { mismatches } from './support/compare.js';
import { cliProject, until as untilSeen } from './support/cli-project.js';
import type { SyncResult } from '../../runtime/api.js';

const manifest = testManifest();
let cluster: Cluster;
const opened: Db[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  for (const db of opened) await db.close().catch(() => undefined);
  stopCluster(cluster.dataDir);
});

async function freshDb(): Promise<{ db: Db; url: string; name: string }> {
  const { url } = await createTestDatabase('loss', cluster.url);
  const db = await openDb({ databaseUrl: url });
  opened.push(db);
  await createSchema(db, manifest);
  return { db, url, name: new URL(url).pathname.slice(1) };
}

function run(db: Db, app: MemoryApp, writer: PageWriter, options: RunSyncOptions = {}) {
  return runSyncOnDb(db, manifest, { reportDir: false, types: ['item'], ...options }, { source: app, writer });
}

/**
 * The default writer, pausing once inside the transaction that writes the page at `offset` (after its
 * rows are written). A write may hold several pages (group commit): a page is in it when its second
 * record is (the first is shared with the page before).
 */
function pausingWriter(offset: number, pause: () => Promise<void>): PageWriter & { offsets: number[] } {
  const inner = createPageWriter();
  const offsets: number[] = [];
  let paused = false;
  return {
    offsets,
    async write(tx, type, records, ctx) {
      const result = await inner.write(tx, type, records, ctx);
      const positions = ctx.positions ?? records.map((_, i) => ctx.position + i);
      const pages = positions.filter((p) => p % PAGE_STEP === 1).map((p) => p - 1);
      offsets.push(...pages);
      if (pages.includes(offset) && !paused) {
        paused = true;
        await pause();
      }
      return result;
    },
  };
}

/** Terminates every backend of `database` (waiting until they are gone) but the caller's own. */
async function terminateAll(database: string, filter = 'true'): Promise<void> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(
    `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${filter}`,
    [database],
  );
  await admin.end();
}

test('backends terminated inside a page transaction: the page is written again on a new connection and the run completes', async () => {
  const { db, name } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  const writer = pausingWriter(198, () => terminateAll(name));
  const { result, error } = await run(db, app, writer);
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  expect(writer.offsets.filter((o) => o === 198)).toHaveLength(2);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test("the network drops the sync's connections while the server keeps their sessions (and their locks): the orphans are ended, the lock taken back, the run completes", async () => {
  const { db: direct, name } = await freshDb();
  await direct.close();
  const proxy = await startTcpProxy(cluster.port);
  try {
    const db = await openDb({ databaseUrl: `postgresql://postgres@127.0.0.1:${proxy.port}/${name}` });
    opened.push(db);
    const app = new MemoryApp();
    seedItems(app, 600);
    // Inside the page's transaction its rows are written and locked: the orphaned session keeps them locked.
    const writer = pausingWriter(198, async () => proxy.cutClients());
    const { result, error } = await run(db, app, writer);
    expect(error).toBeNull();
    expect(result.status).toBe('COMPLETED');
    expect(writer.offsets.filter((o) => o === 198)).toHaveLength(2);
    expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
  } finally {
    await proxy.close();
  }
});

test('the server restarted during a page transaction, and still down when it commits: the commit waits for it and the run completes', async () => {
  const { db } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  let restarted: Promise<void> = Promise.resolve();
  const writer = pausingWriter(297, async () => {
    await stopServer(cluster, 'immediate');
    restarted = startServer(cluster);
  });
  const { result, error } = await run(db, app, writer, { concurrency: 2 });
  await restarted;
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  expect(writer.offsets.filter((o) => o === 297)).toHaveLength(2);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('the server shut down between two pages (while a page is being fetched) and started again: the run completes', async () => {
  const { db } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  let restarted: Promise<void> | null = null;
  app.beforeAnswer = async (_type, request) => {
    if (request.offset === 198 && restarted === null) {
      await stopServer(cluster, 'fast');
      restarted = startServer(cluster);
    }
  };
  const { result, error } = await run(db, app, createPageWriter());
  await restarted;
  expect(restarted).not.toBeNull();
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test("the sync lock's connection terminated: the lock is taken again on a new connection, a second sync is still refused, the run completes", async () => {
  const { db, url, name } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  const second = await openDb({ databaseUrl: url });
  opened.push(second);
  let refusal: unknown = null;
  app.beforeAnswer = async (_type, request) => {
    if (request.offset === 198) {
      await terminateAll(name, `application_name LIKE 'bubble-runtime sync%'`);
      await until(async () => (await lockHolders(name)) === 1);
      refusal = await run(second, new MemoryApp(), createPageWriter()).catch((err: unknown) => err);
    }
  };
  const { result, error } = await run(db, app, createPageWriter());
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  expect((refusal as Error).message).toMatch(/Another sync is already running against this database \(job /);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('another sync takes the lock while its connection is down: this run stops with one clear error, and a later run completes the job', async () => {
  const { db, name } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  const other = new pg.Client({ connectionString: serverUrl(name) });
  await other.connect();
  let otherHolds: Promise<unknown> | null = null;
  app.beforeAnswer = async (_type, request) => {
    if (request.offset === 198 && otherHolds === null) {
      // Queued behind this run's lock, the other session is granted it the moment the connection dies.
      otherHolds = other.query('SELECT pg_advisory_lock($1::int, $2::int)', [0x42554242, lockKey('public:sync_jobs')]);
      await until(async () => (await lockWaiters(name)) === 1);
      await terminateAll(name, `application_name LIKE 'bubble-runtime sync%'`);
    }
  };
  const first = await run(db, app, createPageWriter());
  await otherHolds;
  expect(first.error).toBeInstanceOf(SyncFailedError);
  expect((first.error as SyncFailedError).cause).toBeInstanceOf(SyncLockLostError);
  expect((first.error as Error).message).toMatch(/another sync took the lock meanwhile/);
  expect(first.result.status).toBe('ERROR');
  await other.end();

  app.beforeAnswer = null;
  const second = await run(db, app, createPageWriter());
  expect(second.result).toMatchObject({ jobId: first.result.jobId, status: 'COMPLETED' });
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('the server stays down past the retry budget: the run stops with one clear error, and once it is back a plain run resumes the job', async () => {
  const { db, url } = await freshDb();
  const app = new MemoryApp();
  seedItems(app, 600);
  process.env.SYNC_DB_RETRY_MS = '300';
  let first;
  try {
    first = await run(
      db,
      app,
      pausingWriter(198, () => stopServer(cluster, 'immediate')),
    );
  } finally {
    delete process.env.SYNC_DB_RETRY_MS;
    await startServer(cluster);
  }
  expect(first.error).toBeInstanceOf(SyncFailedError);
  const cause = (first.error as SyncFailedError).cause;
  expect(cause).toBeInstanceOf(DatabaseConnectionLostError);
  expect((first.error as Error).message).toMatch(/Lost the connection to the database: it did not come back within 300 ms/);
  expect((first.error as Error).message.split('\n')).toHaveLength(1);
  expect(first.result.status).toBe('ERROR');

  const again = await openDb({ databaseUrl: url });
  opened.push(again);
  const second = await run(again, app, createPageWriter());
  expect(second.result).toMatchObject({ jobId: first.result.jobId, status: 'COMPLETED' });
  expect(await mismatches(again, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('PGlite closed under a running sync: one clear error instead of internal TypeErrors, and the reopened database resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loss-pglite-'));
  try {
    const db = await openDb({ pgliteDir: join(dir, 'db') });
    await createSchema(db, manifest);
    const app = new MemoryApp();
    seedItems(app, 600);
    let closed: Promise<void> = Promise.resolve();
    const first = await run(
      db,
      app,
      pausingWriter(198, async () => {
        closed = db.close();
      }),
    );
    await closed;
    expect(first.error).toBeInstanceOf(SyncFailedError);
    expect((first.error as Error).message).toMatch(/Lost the connection to the database: the embedded database \(PGlite\) was closed/);

    const again = await openDb({ pgliteDir: join(dir, 'db') });
    try {
      const second = await run(again, app, createPageWriter());
      expect(second.result).toMatchObject({ jobId: first.result.jobId, status: 'COMPLETED' });
      expect(await mismatches(again, manifest, 'item', app.sorted('item'))).toEqual([]);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bubble-runtime sync with the server gone past the retry budget: one clear line, exit 1, the --json document and the report written; the next sync resumes', async () => {
  const p = await cliProject({ records: 300, latencyMs: 1, serverUrl: cluster.url });
  try {
    // Slow pages keep the run going long enough to lose the server in the middle of it.
    p.fake.faults.slow(200, { skip: 4, times: Infinity });
    const before = p.fake.log.length;
    const child = p.start(['sync', '--json'], { SYNC_DB_RETRY_MS: '1000' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    await untilSeen(() => p.fake.log.length >= before + 6);
    let code: number | null;
    try {
      await stopServer(cluster, 'immediate');
      code = await closed;
    } finally {
      await startServer(cluster);
    }

    expect(code).toBe(1);
    const errors = stderr.split('\n').filter((l) => l.startsWith('bubble-runtime:'));
    expect(errors).toEqual([expect.stringMatching(/Lost the connection to the database: it did not come back within 1 s/)]);
    expect(stderr).not.toMatch(/Unhandled|^\s+at /m);
    const doc = JSON.parse(stdout) as SyncResult;
    expect(doc).toMatchObject({ status: 'ERROR', error: { code: 'DB_CONNECTION_LOST' } });
    const report = join(p.dir, '.bubble', 'reports', doc.jobId, 'report.json');
    expect(existsSync(report)).toBe(true);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ status: 'ERROR', error: { code: 'DB_CONNECTION_LOST' } });

    p.fake.faults.clear();
    const resumed = await p.cli(['sync', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ jobId: doc.jobId, status: 'COMPLETED' });
    expect(await p.differences()).toEqual([]);
  } finally {
    await p.close();
  }
});

function serverUrl(database: string): string {
  const url = new URL(cluster.url);
  url.pathname = `/${database}`;
  return url.toString();
}

async function count(database: string, sql: string): Promise<number> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(sql, [database]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await admin.end();
  }
}

/** Granted advisory locks in `database`: 1 once the run holds its lock again. */
function lockHolders(database: string): Promise<number> {
  return count(
    database,
    `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
  );
}

/** Sessions of `database` waiting for an advisory lock. */
function lockWaiters(database: string): Promise<number> {
  return count(
    database,
    `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
  );
}

/** Waits for a state another connection reaches on its own (the server tells no one), polling briefly. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}
