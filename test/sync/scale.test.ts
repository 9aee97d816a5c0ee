/**
 * A big app as real Bubble serves it, over HTTP, at a tenth of the real scale so it runs in `npm test`
 * (the full-size run is `npm run bench -- --only scale`): two types of 6,000 records in an app of 20,000,
 * offsets capped at 5,000 (answered with an empty page, not an error) and counting queries that time out
 * above 5,000 matches. Introspect and a full sync at SYNC_CONCURRENCY=8 complete and every id arrives.
 */
import { createTestDatabase } from '../support/database.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import type { FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { Manifest } from '../../core/manifest/schema.js';
import { createSchema } from './support/schema.js';
import { client, startSampleApp } from './support/sample-project.js';

const CAP = 5_000;
let fake: FakeBubble;
let manifest: Manifest;
let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  // startSampleApp introspects the app first: sampling must not count, or it would time out here.
  ({ fake, manifest } = await startSampleApp({
    records: 20_000,
    typeRecords: { invoice: 6_000, payment: 6_000 },
    offsetCap: { limit: CAP, answer: 'empty' },
    countTimeout: { above: CAP },
  }));
  const created = await createTestDatabase('scale');
  drop = created.drop;
  db = await openDb({ databaseUrl: created.url });
  await createSchema(db, manifest);
});

afterAll(async () => {
  await db?.close();
  await drop?.();
  await fake?.close();
});

async function storedIds(table: string): Promise<Set<string>> {
  return new Set((await db.query<{ _id: string }>(`SELECT _id FROM "${table}" WHERE NOT _is_deleted`)).map((r) => r._id));
}

test('introspect and a full sync complete; every id is stored; no request counts past what the app can count', async () => {
  expect(manifest.types.map((t) => t.name)).toEqual(expect.arrayContaining(['invoice', 'payment']));
  const sync = () =>
    runSyncOnDb(
      db,
      manifest,
      { mode: 'full', concurrency: 8, maxOffset: 1_000, reportDir: false },
      { source: pageSourceFromClient(client(fake, 0, 8)) },
    );

  fake.resetStats();
  const { result, error } = await sync();
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  for (const type of manifest.types) {
    const ids = await storedIds(type.table);
    const missing = [...fake.allRecords(type.name)].filter((r) => !ids.has(String(r._id)));
    expect({ type: type.name, missing: missing.length }).toEqual({ type: type.name, missing: 0 });
  }
  // Only each big type's first, unbounded count may time out (twice: one retry); every other counted
  // request is bounded; nothing was read past the cap.
  const timeouts = fake.log.filter((e) => e.anomaly === 'count-timeout');
  expect(timeouts.length).toBeLessThanOrEqual(4);
  expect(fake.log.filter((e) => e.counted !== null && e.counted > CAP && e.anomaly !== 'count-timeout')).toEqual([]);
  expect(fake.log.filter((e) => e.anomaly === 'offset-cap')).toEqual([]);

  // The next full pass bounds big tables from its own copy before asking for a count: no timeout at all.
  fake.resetStats();
  const again = await sync();
  expect(again.error).toBeNull();
  expect(fake.log.filter((e) => e.anomaly === 'count-timeout')).toEqual([]);
  expect(again.result.tables.every((t) => t.softDeleted === 0 && t.heldBack === 0)).toBe(true);
});
