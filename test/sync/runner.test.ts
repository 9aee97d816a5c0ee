/**
 * The sync engine against real databases (PostgreSQL from the jest cluster, in-memory PGlite) with an
 * in-process app whose page answers the tests order by hand: no sleeps, no timing assumptions.
 */
import { createTestDatabase } from '../support/database.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import type { ProgressEvent } from '../../runtime/api.js';
import { runSyncOnDb, SyncFailedError, SyncInterruptedError, SyncOtherAppError, type RunSyncOptions } from '../../runtime/sync/runner.js';
import { SyncStateStore } from '../../runtime/sync/state-store.js';
import { createSchema, testManifest } from './support/schema.js';
import { MemoryApp, seedItems } from './support/memory-app.js';
import { mismatches } from './support/compare.js';

const manifest = testManifest();
const dbs: Array<{ db: Db; drop?: () => Promise<void> }> = [];

async function postgres(): Promise<{ db: Db; url: string }> {
  const { url, drop } = await createTestDatabase('sync');
  const db = await openDb({ databaseUrl: url });
  dbs.push({ db, drop });
  await createSchema(db, manifest);
  return { db, url };
}

async function pglite(): Promise<Db> {
  const db = await openDb({ pgliteDir: ':memory:' });
  dbs.push({ db });
  await createSchema(db, manifest);
  return db;
}

afterAll(async () => {
  for (const { db, drop } of dbs) {
    await db.close().catch(() => undefined);
    await drop?.();
  }
});

function run(db: Db, app: MemoryApp, options: RunSyncOptions = {}) {
  return runSyncOnDb(db, manifest, { reportDir: false, ...options }, { source: app });
}

async function expectEqual(db: Db, app: MemoryApp): Promise<void> {
  for (const type of ['item', 'note']) {
    expect(await mismatches(db, manifest, type, app.sorted(type))).toEqual([]);
  }
}

/** Resolves once `n` pages have committed (from the progress events). */
function afterPages(n: number): { onProgress: (e: ProgressEvent) => void; reached: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return {
    reached,
    onProgress: (e) => {
      if (e.kind === 'page-done' && ++count === n) resolve();
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each([
  ['PostgreSQL', async () => (await postgres()).db],
  ['PGlite', pglite],
])('full sync on %s', (_name, open) => {
  test('makes the database equal to the app, every record and field; a second run changes nothing', async () => {
    const db = await open();
    const app = new MemoryApp();
    seedItems(app, 260, 30);
    const first = await run(db, app, { concurrency: 3 });
    expect(first.error).toBeNull();
    expect(first.result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
    const item = first.result.tables.find((t) => t.type === 'item')!;
    expect(item).toMatchObject({ records: 260, status: 'COMPLETED', rawOnly: 2, softDeleted: 0 });
    expect(first.result.tables.find((t) => t.type === 'note')).toMatchObject({ records: 30, status: 'COMPLETED' });
    await expectEqual(db, app);

    const before = await db.query(`SELECT _id, _updated_at FROM item ORDER BY _id`);
    const second = await run(db, app, { concurrency: 3 });
    expect(second.error).toBeNull();
    expect(second.result.mode).toBe('incremental');
    expect(second.result.tables.map((t) => t.records)).toEqual([0, 0]);
    expect(await db.query(`SELECT _id, _updated_at FROM item ORDER BY _id`)).toEqual(before);
  });
});

test('pages finishing out of order never move the persisted cursor past an unfinished page', async () => {
  const { db } = await postgres();
  const app = new MemoryApp();
  seedItems(app, 400); // window 0: pages at offsets 0, 99, 198, 297 (and 396 for the last record)
  const cursors = new SyncStateStore(db, manifest.state, manifest.types);
  const held = deferred();
  app.beforeAnswer = async (type, req) => {
    if (type === 'item' && req.offset === 99 && req.constraints.length === 0) await held.promise;
  };
  const progress = afterPages(4);
  const running = run(db, app, { concurrency: 4, types: ['item'], onProgress: progress.onProgress });
  await progress.reached; // pages 0, 2, 3 and 4 committed; page 1 still held back
  const job = (await cursors.latestJob())!;
  const cursor = (await cursors.resumeFromCursor('item', job.id))!;
  expect(cursor.currentCursor).toBe(99);
  expect(cursor.pages).toBe(4);
  const ledger = await db.query<{ page_index: number }>(`SELECT page_index FROM sync_pages WHERE sync_job_id = $1 ORDER BY page_index`, [
    job.id,
  ]);
  expect(ledger.map((r) => r.page_index)).toEqual([0, 2, 3, 4]);
  held.resolve();
  const { result, error } = await running;
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  const done = (await cursors.resumeFromCursor('item', job.id))!;
  expect(done.currentCursor).toBe(5 * 99);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('records inserted, modified and deleted during a sync: nothing else is skipped, the next run converges', async () => {
  const { db } = await postgres();
  const app = new MemoryApp();
  seedItems(app, 400);
  const original = app.sorted('item');
  const deleted = [original[5]!, original[50]!, original[97]!, original[120]!];
  const modified = [original[10]!, original[300]!];
  let mutated = false;
  app.afterAnswer = (type, req) => {
    // Between the first and second page: four records before later offsets vanish, two change, two arrive.
    if (type === 'item' && req.offset === 0 && !mutated) {
      mutated = true;
      for (const r of deleted) app.delete('item', r._id);
      for (const r of modified) app.modify('item', r._id, { Name: `${String(r.Name)} (edited)` });
      app.insert('item', { Name: 'new during sync A' });
      app.insert('item', { Name: 'new during sync B' });
    }
  };
  const first = await run(db, app, { concurrency: 2, types: ['item'] });
  expect(first.error).toBeNull();
  expect(mutated).toBe(true);
  const ids = new Set((await db.query<{ _id: string }>(`SELECT _id FROM item`)).map((r) => r._id));
  const gone = new Set(deleted.map((r) => r._id));
  const skipped = original.filter((r) => !gone.has(r._id) && !ids.has(r._id)).map((r) => r._id);
  expect(skipped).toEqual([]);

  app.afterAnswer = null;
  const second = await run(db, app, { mode: 'full', types: ['item'] });
  expect(second.error).toBeNull();
  expect(second.result.tables[0]!.softDeleted).toBe(deleted.length - deleted.filter((r) => !ids.has(r._id)).length);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test.each([
  ['the app refuses deep offsets', { appMax: 250, maxOffset: undefined }],
  ['BUBBLE_MAX_OFFSET is reached', { appMax: Number.POSITIVE_INFINITY, maxOffset: 300 }],
])('a table larger than the maximum offset syncs completely when %s', async (_name, { appMax, maxOffset }) => {
  const db = await pglite();
  const app = new MemoryApp();
  app.maxOffset = appMax;
  seedItems(app, 900);
  const { result, error } = await run(db, app, { concurrency: 3, types: ['item'], ...(maxOffset ? { maxOffset } : {}) });
  expect(error).toBeNull();
  expect(result.tables[0]).toMatchObject({ records: 900, status: 'COMPLETED' });
  expect(app.log.every((r) => r.offset <= Math.min(appMax, maxOffset ?? Infinity) + (appMax === 250 ? 99 : 0))).toBe(true);
  const cursor = (await new SyncStateStore(db, manifest.state, manifest.types).resumeFromCursor('item', result.jobId))!;
  expect(cursor.windowIndex).toBeGreaterThanOrEqual(2);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('more records sharing one Created Date than BUBBLE_MAX_OFFSET still sync: a window of ties pages on until the app refuses', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 50);
  const tie = app.tick();
  for (let i = 0; i < 700; i++) app.insert('item', { Name: `Imported ${i}` }, tie);
  seedItems(app, 50);
  const { result, error } = await run(db, app, { concurrency: 3, types: ['item'], maxOffset: 300 });
  expect(error).toBeNull();
  expect(result.tables[0]).toMatchObject({ records: 800, status: 'COMPLETED' });
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);

  // Past the app's own limit the ties cannot be paged: a clear error, everything before them kept.
  const limited = new MemoryApp();
  limited.maxOffset = 400;
  seedItems(limited, 50);
  const stamp = limited.tick();
  for (let i = 0; i < 700; i++) limited.insert('item', { Name: `Imported ${i}` }, stamp);
  const db2 = await pglite();
  const stopped = await run(db2, limited, { concurrency: 2, types: ['item'], maxOffset: 300 });
  expect(stopped.error).toBeInstanceOf(SyncFailedError);
  expect(String((stopped.error as Error).message) + String((stopped.error as SyncFailedError).cause ?? '')).toMatch(/share Created Date/);
});

test('incremental picks up exactly the changed records; a full pass soft-deletes removed ones', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 150, 10);
  expect((await run(db, app)).result.mode).toBe('full');
  const items = app.sorted('item');
  for (const r of items.slice(20, 24)) app.modify('item', r._id, { Amount: 42 });
  for (let i = 0; i < 3; i++) app.insert('item', { Name: `added ${i}` });
  const incremental = await run(db, app);
  expect(incremental.error).toBeNull();
  expect(incremental.result.mode).toBe('incremental');
  expect(incremental.result.tables.map((t) => [t.type, t.records, t.softDeleted])).toEqual([
    ['item', 7, 0],
    ['note', 0, 0],
  ]);
  await expectEqual(db, app);

  const removed = items.slice(40, 44);
  for (const r of removed) app.delete('item', r._id);
  const full = await run(db, app, { mode: 'full' });
  expect(full.result.tables.map((t) => [t.type, t.softDeleted])).toEqual([
    ['item', 4],
    ['note', 0],
  ]);
  const flagged = await db.query<{ _id: string }>(`SELECT _id FROM item WHERE _is_deleted AND _deleted_at IS NOT NULL ORDER BY _id`);
  expect(flagged.map((r) => r._id)).toEqual(removed.map((r) => r._id).sort());
  await expectEqual(db, app);
});

test('incremental reads edits an app stamps with its own clock, even when that clock is far behind ours', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 120);
  expect((await run(db, app)).result.mode).toBe('full');
  // The app's clock lags (or it stamps times of its own): edits carry times just after its last record,
  // years before this machine's clock and the previous pass's start.
  const items = app.sorted('item');
  const lastStamp = Date.parse(String(items[items.length - 1]!['Modified Date']));
  for (const [i, r] of items.slice(10, 13).entries()) {
    app.table('item').set(r._id, { ...r, Amount: 7, 'Modified Date': new Date(lastStamp + 1000 * (i + 1)).toISOString() });
  }
  const incremental = await run(db, app);
  expect(incremental.error).toBeNull();
  expect(incremental.result.mode).toBe('incremental');
  expect(incremental.result.tables[0]!.records).toBe(3);
  await expectEqual(db, app);
});

test('an interrupted run stops after in-flight pages commit and a plain re-run resumes the same job', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 700, 20);
  const controller = new AbortController();
  const progress = afterPages(3);
  void progress.reached.then(() => controller.abort());
  const first = await run(db, app, { concurrency: 2, signal: controller.signal, onProgress: progress.onProgress });
  expect(first.error).toBeInstanceOf(SyncInterruptedError);
  expect(first.result.status).toBe('PENDING');
  const fetchedBefore = app.log.length;

  const second = await run(db, app, { concurrency: 2 });
  expect(second.error).toBeNull();
  expect(second.result.jobId).toBe(first.result.jobId);
  expect(second.result.status).toBe('COMPLETED');
  await expectEqual(db, app);
  // Uninterrupted: ceil(700/99) + ceil(20/99) pages. Resuming re-reads nothing that committed.
  expect(app.log.length).toBeLessThanOrEqual(8 + 1 + 2);
  expect(fetchedBefore).toBeGreaterThanOrEqual(3);
});

test('a stop before the first table starts leaves the job resumable: it is never recorded as a completed full sync', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 150, 5);
  const first = await run(db, app, { signal: AbortSignal.abort() });
  expect(first.error).toBeInstanceOf(SyncInterruptedError);
  expect(first.result.status).toBe('PENDING');
  expect(app.log).toEqual([]);

  const second = await run(db, app);
  expect(second.error).toBeNull();
  expect(second.result).toMatchObject({ jobId: first.result.jobId, mode: 'full', status: 'COMPLETED' });
  await expectEqual(db, app);
});

test('a non-retryable error stops the table with ERROR, keeps committed pages, and the next run resumes', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 500);
  app.beforeAnswer = (type, req) => {
    if (type === 'item' && req.offset === 297) throw new Error('HTTP 400 from the app');
  };
  const first = await run(db, app, { types: ['item'], concurrency: 1 });
  expect(first.error).toBeInstanceOf(SyncFailedError);
  expect((first.error as Error).message).toMatch(/stopped at item: HTTP 400 from the app/);
  expect(first.result.status).toBe('ERROR');
  expect(first.result.tables[0]).toMatchObject({ status: 'ERROR', records: 298 });
  const cursor = (await new SyncStateStore(db, manifest.state, manifest.types).resumeFromCursor('item', first.result.jobId))!;
  expect(cursor.lastError).toMatch(/HTTP 400/);

  app.beforeAnswer = null;
  const second = await run(db, app);
  expect(second.result).toMatchObject({ jobId: first.result.jobId, status: 'COMPLETED' });
  expect(app.log.filter((r) => r.offset === 0).length).toBe(1);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('an unfinished job covering a type since removed from the app: a plain run supersedes it, --resume says to cancel', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 150, 20);
  app.beforeAnswer = (type) => {
    if (type === 'note') throw new Error('HTTP 404 from the app');
  };
  const first = await run(db, app);
  expect(first.result.status).toBe('ERROR');
  app.beforeAnswer = null;
  // Re-introspected and regenerated: the manifest now marks `note` removed.
  const removed = { ...manifest, types: manifest.types.map((t) => (t.name === 'note' ? { ...t, removed: true } : t)) };
  const resumed = await runSyncOnDb(db, removed, { reportDir: false, resume: true }, { source: app }).catch((e: unknown) => e);
  expect(String((resumed as Error).message)).toMatch(/covers type "note".*removed/);
  const plain = await runSyncOnDb(db, removed, { reportDir: false }, { source: app });
  expect(plain.error).toBeNull();
  expect(plain.result.jobId).not.toBe(first.result.jobId);
  expect(plain.result.tables.map((t) => t.type)).toEqual(['item']);
  expect((await new SyncStateStore(db, manifest.state, manifest.types).getJob(first.result.jobId))?.status).toBe('CANCELLED');
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

describe('two apps (development and live database) synced into one database', () => {
  const DEV = 'https://myapp.bubbleapps.io/version-test';
  const LIVE = 'https://myapp.bubbleapps.io';

  /** Development holds 150 items and 10 notes; live shares the first 100 items' ids, 3 of them edited there. */
  function apps(): { dev: MemoryApp; live: MemoryApp } {
    const dev = new MemoryApp(undefined, { appUrl: DEV });
    seedItems(dev, 150, 10);
    const live = new MemoryApp(undefined, { appUrl: LIVE });
    seedItems(live, 100, 5);
    for (const r of live.sorted('item').slice(0, 3)) live.modify('item', r._id, { Name: 'edited live' });
    return { dev, live };
  }

  const jobs = (db: Db) => new SyncStateStore(db, manifest.state, manifest.types);

  test("a plain sync of the other app is a full pass: the tables then mirror it, the first app's rows soft-deleted", async () => {
    const db = await pglite();
    const { dev, live } = apps();
    const first = await run(db, dev);
    expect(first.result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
    expect((await jobs(db).getJob(first.result.jobId))?.appUrl).toBe(DEV);

    // A third of the items vanish at once: the mass-deletion guard holds them back (the notes, all ten, pass:
    // a handful may always go).
    const second = await run(db, live);
    expect(second.error).toBeNull();
    expect(second.result.mode).toBe('full');
    expect(second.result.tables.map((t) => [t.type, t.records, t.softDeleted, t.heldBack])).toEqual([
      ['item', 100, 0, 50],
      ['note', 5, 10, 0],
    ]);
    // Switching apps is the user's call: allowed, the full pass applies them.
    const allowed = await run(db, live, { mode: 'full', allowMassDelete: true });
    expect(allowed.result.tables.map((t) => [t.type, t.softDeleted, t.heldBack])).toEqual([
      ['item', 50, 0],
      ['note', 0, 0],
    ]);
    await expectEqual(db, live);

    // Back to development: the tables hold live's records, so again a full pass, not an incremental one.
    const third = await run(db, dev);
    expect(third.result.mode).toBe('full');
    await expectEqual(db, dev);
  });

  test('a plain sync of the other app supersedes an unfinished job; --resume refuses, naming both apps', async () => {
    const db = await pglite();
    const { dev, live } = apps();
    dev.beforeAnswer = (type) => {
      if (type === 'note') throw new Error('HTTP 400 from the app');
    };
    const first = await run(db, dev);
    expect(first.result.status).toBe('ERROR');

    const refused = await run(db, live, { resume: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SyncOtherAppError);
    expect((refused as SyncOtherAppError).message).toContain(DEV);
    expect((refused as SyncOtherAppError).message).toContain(LIVE);
    expect((refused as SyncOtherAppError).hint).toMatch(/--app-url .*without --resume/);
    expect((await jobs(db).getJob(first.result.jobId))?.status).toBe('ERROR');

    // Switching apps drops a third of the items at once: allowed here, the user's own call.
    const plain = await run(db, live, { allowMassDelete: true });
    expect(plain.error).toBeNull();
    expect(plain.result.jobId).not.toBe(first.result.jobId);
    expect(plain.result.mode).toBe('full');
    expect((await jobs(db).getJob(first.result.jobId))?.status).toBe('CANCELLED');
    expect((await jobs(db).getJob(plain.result.jobId))?.appUrl).toBe(LIVE);
    await expectEqual(db, live);
  });

  test('jobs written before the app was recorded (app_url NULL) match any app: no forced full resync on upgrade', async () => {
    const db = await pglite();
    const { dev } = apps();
    const first = await run(db, dev);
    expect((await jobs(db).getJob(first.result.jobId))?.appUrl).toBe(DEV);
    await db.execute(`UPDATE sync_jobs SET app_url = NULL`);

    for (const r of dev.sorted('item').slice(5, 7)) dev.modify('item', r._id, { Amount: 9 });
    const next = await run(db, dev);
    expect(next.error).toBeNull();
    expect(next.result.mode).toBe('incremental');
    expect(next.result.tables.map((t) => [t.type, t.records])).toEqual([
      ['item', 2],
      ['note', 0],
    ]);
    await expectEqual(db, dev);
  });
});

test('a second sync against the same database refuses while one runs; --cancel ends a job for good', async () => {
  const { db, url } = await postgres();
  const app = new MemoryApp();
  seedItems(app, 300);
  const gate = deferred();
  const started = deferred();
  app.beforeAnswer = async () => {
    started.resolve();
    await gate.promise;
  };
  const first = run(db, app, { types: ['item'] });
  await started.promise;
  const other = await openDb({ databaseUrl: url });
  dbs.push({ db: other });
  await expect(run(other, new MemoryApp())).rejects.toThrow(/Another sync is already running/);
  gate.resolve();
  expect((await first).error).toBeNull();

  const cursors = new SyncStateStore(db, manifest.state, manifest.types);
  const jobId = await cursors.initializeSyncJob(['item', 'note'], { mode: 'full' });
  await cursors.cancelSyncJob(jobId);
  const progress = await cursors.getSyncProgress(jobId);
  expect(progress.job.status).toBe('CANCELLED');
  expect(progress.tables.map((t) => t.status)).toEqual(['CANCELLED', 'CANCELLED']);
  app.beforeAnswer = null;
  const next = await run(db, app);
  expect(next.result.jobId).not.toBe(jobId);
});

test('incremental: records modified while it runs move to the end of the keyset and are read again in the same run', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 300);
  expect((await run(db, app, { types: ['item'] })).error).toBeNull();
  const items = app.sorted('item');
  for (const r of items.slice(0, 150)) app.modify('item', r._id, { Amount: 1 });
  let mutated = false;
  app.afterAnswer = (type, req) => {
    if (type === 'item' && req.offset === 0 && !mutated) {
      mutated = true;
      // Already read (shifts later offsets), not yet read, and never touched before.
      for (const r of [...items.slice(3, 6), ...items.slice(140, 143), ...items.slice(200, 202)]) app.modify('item', r._id, { Amount: 2 });
    }
  };
  const { result, error } = await run(db, app, { types: ['item'], concurrency: 2 });
  expect(error).toBeNull();
  expect(mutated).toBe(true);
  expect(result.mode).toBe('incremental');
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});
