/**
 * Losing the database mid-sync: backends terminated, the server stopped and restarted, at several
 * points of a run (inside a page transaction, between pages, under the sync lock). Never a crash: the
 * run either completes or stops with one clear error, and a resumed run leaves the database equal to
 * the app. The server is taken away, so this file runs on a PostgreSQL cluster of its own.
 */
import pg from 'pg';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { runSyncOnDb, type RunSyncOptions } from '../../runtime/sync/runner.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { PageWriter } from '../../runtime/sync/ports.js';
import { createTestDatabase } from '../support/database.js';
import { startCluster, stopCluster, type Cluster } from '../support/postgres-cluster.js';
import { createSchema, testManifest } from './support/schema.js';
import { MemoryApp, seedItems } from './support/memory-app.js';
import { mismatches } from './support/compare.js';

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

/** The default writer, pausing once inside the transaction of the page at `offset` (after its rows are written). */
function pausingWriter(offset: number, pause: () => Promise<void>): PageWriter & { offsets: number[] } {
  const inner = createPageWriter();
  const offsets: number[] = [];
  let paused = false;
  return {
    offsets,
    async write(tx, type, records, ctx) {
      const result = await inner.write(tx, type, records, ctx);
      offsets.push(ctx.position);
      if (ctx.position === offset && !paused) {
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
  await admin.query(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${filter}`, [database]);
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
