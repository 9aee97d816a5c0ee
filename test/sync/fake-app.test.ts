/**
 * The sync against the fake Bubble server over HTTP, through the real client, into real PostgreSQL:
 * a full sync equals the app; a sync child process SIGKILLed at many points and resumed ends equal to
 * an uninterrupted run, re-reading no page beyond those in flight at each kill.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createTestDatabase } from '../support/database.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import type { FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { Manifest } from '../../core/manifest/schema.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { createSchema } from './support/schema.js';
import { client, startSampleApp } from './support/sample-project.js';
import { mismatches } from './support/compare.js';

let fake: FakeBubble;
let manifest: Manifest;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // Small records count, short latency, and an offset cap (answered 400) smaller than the largest type.
  ({ fake, manifest } = await startSampleApp({ records: 1400, latencyMs: 1, jitterMs: 3, offsetCap: { limit: 250, answer: 'error' } }));
});

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  await fake.close();
});

async function database(): Promise<{ db: Db; url: string }> {
  const { url, drop } = await createTestDatabase('syncfake');
  const db = await openDb({ databaseUrl: url });
  cleanup.push(drop, () => db.close());
  await createSchema(db, manifest);
  return { db, url };
}

async function expectEqualToApp(db: Db): Promise<void> {
  for (const type of manifest.types) {
    const records = [...fake.allRecords(type.name)] as BubbleRecord[];
    expect(await mismatches(db, manifest, type.name, records)).toEqual([]);
  }
}

/** Pages read (answered with records); refused deep offsets are not pages. */
function listRequests(): number {
  return fake.log.filter((r) => r.kind === 'list' && r.status === 200).length;
}

test("a full sync over HTTP makes PostgreSQL equal to the fake app, also past the app's maximum offset", async () => {
  const { db } = await database();
  expect(Math.max(...manifest.types.map((t) => fake.count(t.name)))).toBeGreaterThan(250);
  const { result, error } = await runSyncOnDb(
    db,
    manifest,
    { concurrency: 3, reportDir: false },
    { source: pageSourceFromClient(client(fake, 0, 3)) },
  );
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  expect(result.tables.map((t) => t.records)).toEqual(manifest.types.map((t) => fake.count(t.name)));
  await expectEqualToApp(db);
});

test('SIGKILL at many points, then resume: the database equals an uninterrupted run; no page re-read beyond the in-flight window', async () => {
  const concurrency = 3;
  // The uninterrupted run, for the request count.
  const reference = await database();
  const before = listRequests();
  expect(
    (
      await runSyncOnDb(
        reference.db,
        manifest,
        { concurrency, reportDir: false },
        { source: pageSourceFromClient(client(fake, 0, concurrency)) },
      )
    ).error,
  ).toBeNull();
  const uninterrupted = listRequests() - before;

  const { db, url } = await database();
  const dir = mkdtempSync(join(tmpdir(), 'sync-kill-'));
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const script = resolve('test/sync/support/child-sync.mjs');
  const env = {
    ...process.env,
    MANIFEST_PATH: manifestPath,
    CHILD_DATABASE_URL: url,
    FAKE_URL: fake.url,
    FAKE_TOKEN: fake.token,
    SYNC_CONCURRENCY: String(concurrency),
  };

  const startRequests = listRequests();
  let kills = 0;
  // Group commit writes several pages at once, so kill early and often.
  for (const killAfter of [1, 1, 2, 1, 3, 1, 2, 1, 2, 1]) {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let pages = 0;
    let finished = false;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line === 'page' && ++pages === killAfter) {
        child.kill('SIGKILL');
        kills += 1;
        break;
      }
      if (line === 'done') finished = true;
    }
    await exited;
    if (finished) break;
  }
  expect(kills).toBeGreaterThanOrEqual(5);
  const { result, error } = await runSyncOnDb(
    db,
    manifest,
    { concurrency, reportDir: false },
    { source: pageSourceFromClient(client(fake, 0, concurrency)) },
  );
  expect(error).toBeNull();
  expect(result.status).toBe('COMPLETED');
  await expectEqualToApp(db);
  // Each kill can lose at most the pages in flight: being fetched (SYNC_CONCURRENCY) or fetched and waiting
  // for the committer (as many again); everything committed is reused.
  expect(listRequests() - startRequests).toBeLessThanOrEqual(uninterrupted + kills * concurrency * 2);
});
