/**
 * Paging against the ways a real Bubble app answers at scale: short pages while records remain, an empty
 * page past the offset cap, counts that time out on big queries, and the mass-deletion guard that keeps
 * an under-read from ever becoming deletions. In-process app (MemoryApp) into in-memory PGlite.
 */
import fc from 'fast-check';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { runSyncOnDb, type RunSyncOptions } from '../../runtime/sync/runner.js';
import { PAGE_LIMIT, PAGE_STEP } from '../../runtime/sync/keyset.js';
import { createSchema, testManifest } from './support/schema.js';
import { MemoryApp, seedItems } from './support/memory-app.js';
import { mismatches } from './support/compare.js';

const manifest = testManifest();
const dbs: Db[] = [];

async function pglite(): Promise<Db> {
  const db = await openDb({ pgliteDir: ':memory:' });
  dbs.push(db);
  await createSchema(db, manifest);
  return db;
}

afterAll(async () => {
  for (const db of dbs) await db.close().catch(() => undefined);
});

function run(db: Db, app: MemoryApp, options: RunSyncOptions = {}) {
  return runSyncOnDb(db, manifest, { reportDir: false, types: ['item'], ...options }, { source: app });
}

async function deletedCount(db: Db): Promise<number> {
  const [row] = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM item WHERE _is_deleted`);
  return Number(row?.n ?? 0);
}

describe.each([['after-limit' as const], ['after-returned' as const]])(
  'short pages while records remain (remaining counted %s)',
  (shortRemaining) => {
    test('two full passes read every record; none is marked deleted', async () => {
      const db = await pglite();
      const app = new MemoryApp();
      seedItems(app, 4000);
      app.shortRemaining = shortRemaining;
      // 3% of the full pages answer short.
      let full = 0;
      let shortened = 0;
      app.shortPage = (_type, _req, n) => {
        if (n < PAGE_LIMIT || ++full % 33 !== 0) return null;
        shortened += 1;
        return 37;
      };
      for (const mode of ['full', 'full'] as const) {
        const { result, error } = await run(db, app, { mode, concurrency: 4 });
        expect(error).toBeNull();
        expect(result.tables[0]).toMatchObject({ status: 'COMPLETED', softDeleted: 0, heldBack: 0 });
      }
      expect(shortened).toBeGreaterThan(0);
      expect(await deletedCount(db)).toBe(0);
      expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
    });
  },
);

test('a short last page that says nothing remains cannot make a full pass delete what it missed: candidates are confirmed first', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 450);
  expect((await run(db, app)).error).toBeNull();
  // Every window's last page now drops its final records while saying none remain (remaining counted
  // from the end of the full page): the pages alone cannot tell.
  app.shortRemaining = 'after-limit';
  const drop = (n: number) => (_type: string, _req: unknown, count: number) => (count < PAGE_LIMIT && count > n ? count - n : null);
  app.shortPage = drop(8);
  const { result, error } = await run(db, app, { mode: 'full', concurrency: 2 });
  expect(error).toBeNull();
  // Asked by id, Bubble still has all eight: they are written, not deleted.
  expect(result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: 0 });
  expect(app.lookups.length).toBe(8);
  expect(await deletedCount(db)).toBe(0);

  // Thirty missing is more than records deleted during a pass explain: the pass is incomplete, nothing goes.
  app.shortPage = drop(30);
  const incomplete = await run(db, app, { mode: 'full', concurrency: 2 });
  expect(incomplete.result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: 30, heldBackReason: 'incomplete' });
  expect(await deletedCount(db)).toBe(0);
  app.shortPage = null;
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test("Bubble's offset cap answered with an empty page (records remaining) closes the window, never ends the table", async () => {
  const db = await pglite();
  const app = new MemoryApp();
  app.maxOffset = 1000;
  app.capAnswer = 'empty';
  seedItems(app, 2600);
  // BUBBLE_MAX_OFFSET set above the app's real cap: the sync learns the cap from the empty page.
  const { result, error } = await run(db, app, { concurrency: 3, maxOffset: 5000 });
  expect(error).toBeNull();
  expect(result.tables[0]).toMatchObject({ records: 2600, status: 'COMPLETED' });
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
  const second = await run(db, app, { mode: 'full', concurrency: 3, maxOffset: 5000 });
  expect(second.result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: 0 });
});

test('an app that answers one exact query with an empty page every time (records remaining): restarts vary the query, and the table completes', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 700);
  app.shortRemaining = 'after-returned';
  // The table's first page, asked exactly so (no constraints, offset 0, counted), is always empty.
  let refusals = 0;
  app.shortPage = (_type, request, n) => {
    if (request.offset !== 0 || (request.constraints ?? []).length > 0 || request.excludeRemaining || n < PAGE_LIMIT) return null;
    refusals += 1;
    return 0;
  };
  const { result, error } = await run(db, app, { concurrency: 3 });
  expect(error).toBeNull();
  expect(result.tables[0]).toMatchObject({ records: 700, status: 'COMPLETED' });
  expect(refusals).toBeGreaterThanOrEqual(2);
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
  const second = await run(db, app, { mode: 'full', concurrency: 3 });
  expect(second.result.tables[0]).toMatchObject({ status: 'COMPLETED', softDeleted: 0, heldBack: 0 });
});

test('counts that time out on big queries: windows are bounded by probes, no counted request matches more than the app can count', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 4000);
  app.countTimeoutAbove = 1500;
  const { result, error } = await run(db, app, { concurrency: 4, maxOffset: 1000 });
  expect(error).toBeNull();
  expect(result.tables[0]).toMatchObject({ records: 4000, status: 'COMPLETED' });
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
  // One timeout on the first, unbounded count; after that every counted query is bounded.
  expect(app.timeouts).toBe(1);
  expect(app.log.filter((r) => !r.counted).every((r) => r.limit === 1)).toBe(true);

  // A second full pass knows the table is big from its own copy: it bounds before counting.
  app.timeouts = 0;
  const second = await run(db, app, { mode: 'full', concurrency: 4, maxOffset: 1000 });
  expect(second.error).toBeNull();
  expect(app.timeouts).toBe(0);
  expect(second.result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: 0 });
});

test('an under-read never becomes deletions: a 40% drop is held back and reported; a real deletion of 18 rows is applied exactly', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 1000);
  expect((await run(db, app)).error).toBeNull();

  // The app stops returning 40% of the records (an under-read, or a mass deletion nobody meant).
  const all = app.sorted('item');
  const hidden = all.filter((_, i) => i % 5 < 2);
  for (const r of hidden) app.delete('item', r._id);
  const held = await run(db, app, { mode: 'full' });
  expect(held.error).toBeNull();
  expect(held.result.status).toBe('COMPLETED');
  expect(held.result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: hidden.length, heldBackReason: 'guard' });
  expect(await deletedCount(db)).toBe(0);

  // They come back; then 18 are really deleted: under the guard, applied exactly.
  for (const r of hidden) app.table('item').set(r._id, r);
  const gone = app
    .sorted('item')
    .filter((_, i) => i % 50 === 7)
    .slice(0, 18);
  for (const r of gone) app.delete('item', r._id);
  const applied = await run(db, app, { mode: 'full' });
  expect(applied.result.tables[0]).toMatchObject({ softDeleted: 18, heldBack: 0 });
  const flagged = await db.query<{ _id: string }>(`SELECT _id FROM item WHERE _is_deleted ORDER BY _id`);
  expect(flagged.map((r) => r._id)).toEqual(gone.map((r) => r._id).sort());
});

test('the user can apply a mass deletion deliberately', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 200);
  expect((await run(db, app)).error).toBeNull();
  for (const r of app.sorted('item').slice(0, 120)) app.delete('item', r._id);
  const held = await run(db, app, { mode: 'full' });
  expect(held.result.tables[0]).toMatchObject({ softDeleted: 0, heldBack: 120 });
  const applied = await run(db, app, { mode: 'full', allowMassDelete: true });
  expect(applied.result.tables[0]).toMatchObject({ softDeleted: 120, heldBack: 0 });
  expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
});

test('a record with a raw-only value on the overlap of two pages is counted once', async () => {
  const db = await pglite();
  const app = new MemoryApp();
  seedItems(app, 150);
  const overlap = app.sorted('item')[PAGE_STEP]!;
  app.modify('item', overlap._id, { Amount: 'not a number either' });
  const { result } = await run(db, app, { concurrency: 2 });
  // seedItems puts two raw-only records among the first 15; the overlap record is the third.
  expect(result.tables[0]).toMatchObject({ records: 150, rawOnly: 3 });
});

describe('the paging invariant (property)', () => {
  test('any mix of short pages, empty pages, mutations and caps: every record that stayed is read, nothing is deleted', async () => {
    const db = await pglite();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: 0, max: 900 }),
          ties: fc.integer({ min: 0, max: 150 }),
          shortEvery: fc.constantFrom(0, 3, 5, 8, 12),
          shortRemaining: fc.constantFrom('after-limit' as const, 'after-returned' as const),
          cap: fc.constantFrom(Number.POSITIVE_INFINITY, 400, 700),
          capAnswer: fc.constantFrom('empty' as const, 'error' as const),
          countLimit: fc.constantFrom(Number.POSITIVE_INFINITY, 500),
          maxOffset: fc.constantFrom(300, 10_000),
          deleteEvery: fc.integer({ min: 0, max: 6 }),
          insertEvery: fc.integer({ min: 0, max: 6 }),
          concurrency: fc.integer({ min: 1, max: 6 }),
        }),
        async (p) => {
          await db.execute('TRUNCATE item, note, sync_jobs, sync_cursors, sync_pages');
          const app = new MemoryApp();
          seedItems(app, p.size);
          const tie = app.tick();
          for (let i = 0; i < p.ties; i++) app.insert('item', { Name: `tied ${i}` }, tie);
          seedItems(app, 20);
          app.maxOffset = p.cap;
          app.capAnswer = p.capAnswer;
          app.countTimeoutAbove = p.countLimit;
          app.shortRemaining = p.shortRemaining;
          // Transient: every n-th request answers short (a real anomaly does not repeat on every retry).
          let requests = 0;
          if (p.shortEvery > 0) app.shortPage = (_type, _req, n) => (++requests % p.shortEvery === 0 && n > 1 ? (requests * 13) % n : null);
          const original = app.sorted('item');
          const removed = new Set<string>();
          let calls = 0;
          app.afterAnswer = () => {
            calls += 1;
            if (p.deleteEvery > 0 && calls % p.deleteEvery === 0 && calls < 40) {
              const victim = app.sorted('item')[(calls * 7) % Math.max(1, app.table('item').size)];
              if (victim) {
                app.delete('item', victim._id);
                removed.add(victim._id);
              }
            }
            if (p.insertEvery > 0 && calls % p.insertEvery === 0 && calls < 40) app.insert('item', { Name: `new ${calls}` });
          };
          const first = await run(db, app, { concurrency: p.concurrency, maxOffset: p.maxOffset });
          if (first.error) {
            // Only more ties than the app's cap may stop a pass, and then with the clear error.
            expect(String(first.error)).toMatch(/share Created Date/);
            return;
          }
          // A short page is seen for what it is whenever Bubble counts past it; only a last page that claims
          // nothing remains (counted from the end of the full page) can hide records from one pass.
          if (p.shortRemaining === 'after-returned' || p.shortEvery === 0) {
            const ids = new Set((await db.query<{ _id: string }>('SELECT _id FROM item')).map((r) => r._id));
            expect(original.filter((r) => !removed.has(r._id) && !ids.has(r._id)).map((r) => r._id)).toEqual([]);
          }
          app.afterAnswer = null;
          app.shortPage = null;
          const second = await run(db, app, { mode: 'full', concurrency: p.concurrency, maxOffset: p.maxOffset, allowMassDelete: true });
          expect(second.error).toBeNull();
          expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
          const [live] = await db.query<{ n: unknown }>('SELECT count(*) AS n FROM item WHERE NOT _is_deleted');
          expect(Number(live?.n)).toBe(app.table('item').size);
        },
      ),
      { seed: 42, numRuns: 20 },
    );
  });
});
