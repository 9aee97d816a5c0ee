/**
 * Evolution without a refetch: an app synced with a dictionary that lacked some fields (their values
 * went to `_unmapped`) and declared one number field as text; the full dictionary is generated and
 * migrated, and the new columns hold every value the app has — converted by the sync's own rules,
 * with zero requests to Bubble — exactly as a fresh full sync would have written them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { generate } from '../../generator/generate.js';
import type { Manifest } from '../../core/manifest/schema.js';
import type { Db } from '../../runtime/db/types.js';
import { introspect } from '../../runtime/introspect/index.js';
import { BACKFILL_MARK } from '../../runtime/migrate/backfill.js';
import { migrate, type MigrateResult } from '../../runtime/migrate/migrate.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { BubbleError } from '../../core/errors.js';
import { acquireSyncLock } from '../../runtime/db/lock.js';
import { BACKENDS, emptyDb, type TestDb } from '../db/support.js';
import { client } from '../sync/support/sample-project.js';
import { mismatches } from '../sync/support/compare.js';

/** Fields the first dictionary did not have: scalars, a flagged number, a list, a reference, JSON, a key with quotes. */
const LATER: Record<string, string[]> = {
  invoice: ['Amount', 'Amount Eligible for Comm', 'Reminder Dates', 'Customer', 'Billing Period'],
  customer: ['"quoted" "name', 'Billing Address'],
};
/** Declared as text at first, a number in the full dictionary: a changed conversion. */
const RETYPED = { type: 'package', key: 'Sort Order' };

let fake: FakeBubble;
let full: Dictionary;

beforeAll(async () => {
  fake = await startFakeBubble({ records: 500 });
  // One value that will not convert to the number column.
  const first = fake.allRecords('invoice').next().value as BubbleRecord;
  fake.mutate.modify('invoice', first._id, { Amount: 'n/a' });
  ({ dictionary: full } = await introspect({ client: client(fake, 0, 4), sample: 50 }));
});

afterAll(() => fake.close());

function earlier(dictionary: Dictionary): Dictionary {
  const copy = structuredClone(dictionary);
  for (const type of copy.types) {
    type.fields = type.fields.filter((f) => !(LATER[type.name] ?? []).includes(f.key));
    for (const f of type.fields) if (type.name === RETYPED.type && f.key === RETYPED.key) f.type = 'text';
  }
  return copy;
}

describe.each(BACKENDS)('on %s', (backend) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await emptyDb(backend);
    dir = mkdtempSync(join(tmpdir(), 'bubble-backfill-'));
    writeFileSync(join(dir, 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n');
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function migrateTo(dictionary: Dictionary, now: string, db: Db = t.db): Promise<{ manifest: Manifest; result: MigrateResult }> {
    const { manifest } = await generate({ dictionary, schemaDir: dir, outputDir: join(dir, 'generated') });
    const files = ['schema.prisma', 'bubble.prisma'].map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')] as [string, string]);
    const result = await migrate({
      db,
      schemaDir: dir,
      files,
      migrationsDir: join(dir, 'migrations'),
      manifest,
      allowDrop: true,
      backfillBatch: 37,
      now: new Date(now),
    });
    return { manifest, result };
  }
  const marks = async (): Promise<number> =>
    (await t.db.query(`SELECT 1 FROM pg_description WHERE description = $1`, [BACKFILL_MARK])).length;
  const withValues = (type: string, keys: string[]): number =>
    [...fake.allRecords(type)].filter((r) => keys.some((k) => (r as Record<string, unknown>)[k] !== undefined)).length;

  test('migrate fills the new and retyped columns of every synced row from _raw, with no Bubble request', async () => {
    const first = await migrateTo(earlier(full), '2025-01-01T00:00:00Z');
    const { result: synced } = await runSyncOnDb(
      t.db,
      first.manifest,
      { reportDir: false, concurrency: 4 },
      { source: pageSourceFromClient(client(fake, 0, 4)) },
    );
    expect(synced.status).toBe('COMPLETED');
    const [before] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "invoice" WHERE "_unmapped" ? 'Amount'`);
    expect(before!.n).toBe(withValues('invoice', ['Amount']));

    const requests = fake.stats.total;
    const { manifest, result } = await migrateTo(full, '2025-01-02T00:00:00Z');
    expect(fake.stats.total).toBe(requests);
    // The text column of the retyped field is dropped and added again as a number (allowed here).
    expect(result.created?.drops).toEqual([{ kind: 'column', table: 'package', name: RETYPED.key }]);
    expect(result.created?.sql).toContain(`COMMENT ON COLUMN "invoice"."Amount" IS '${BACKFILL_MARK}';`);
    // Per type in load order, the keys in dictionary order.
    const later = (type: string, keys: string[]): string[] =>
      manifest.types
        .find((x) => x.name === type)!
        .columns.map((c) => c.key)
        .filter((k) => keys.includes(k));
    expect(result.backfill.map((b) => [b.type, b.columns, b.rows])).toEqual([
      ['customer', later('customer', LATER.customer!), withValues('customer', LATER.customer!)],
      ['invoice', later('invoice', LATER.invoice!), withValues('invoice', LATER.invoice!)],
      ['package', [RETYPED.key], withValues('package', [RETYPED.key])],
    ]);
    for (const b of result.backfill) expect(b.updated).toBe(b.rows);
    expect(await marks()).toBe(0);

    // Exactly what a sync with the full dictionary writes: columns, _unmapped (values that do not convert stay there), _raw.
    for (const type of manifest.types) {
      expect(await mismatches(t.db, manifest, type.name, [...fake.allRecords(type.name)] as BubbleRecord[])).toEqual([]);
    }
    const kept = await t.db.query<{ amount: unknown; unmapped: unknown }>(
      `SELECT "Amount" AS amount, "_unmapped" -> 'Amount' AS unmapped FROM "invoice" WHERE "_unmapped" ? 'Amount'`,
    );
    expect(kept).toEqual([{ amount: null, unmapped: 'n/a' }]);

    const again = await migrateTo(full, '2025-01-03T00:00:00Z');
    expect(again.result).toEqual({ created: null, applied: [], backfill: [] });
  });

  test('while a sync holds the lock, the migration applies and the fill waits for the next migrate', async () => {
    const first = await migrateTo(earlier(full), '2025-01-01T00:00:00Z');
    await runSyncOnDb(t.db, first.manifest, { reportDir: false, concurrency: 4 }, { source: pageSourceFromClient(client(fake, 0, 4)) });
    const lock = await acquireSyncLock(t.db, { scope: first.manifest.state.jobTable, jobId: 'job-elsewhere' });
    try {
      const err = await migrateTo(full, '2025-01-02T00:00:00Z').catch((e: unknown) => e);
      expect((err as BubbleError).code).toBe('MIGRATE_BACKFILL');
      expect((err as BubbleError).message).toContain('Another sync is already running against this database');
      expect(await marks()).toBeGreaterThan(0);
    } finally {
      await lock.release();
    }
    const later = await migrateTo(full, '2025-01-03T00:00:00Z');
    expect(later.result.created).toBeNull();
    expect(later.result.backfill).toHaveLength(3);
    expect(await marks()).toBe(0);
  });

  test('an interrupted fill resumes on the next migrate', async () => {
    const first = await migrateTo(earlier(full), '2025-01-01T00:00:00Z');
    await runSyncOnDb(t.db, first.manifest, { reportDir: false, concurrency: 4 }, { source: pageSourceFromClient(client(fake, 0, 4)) });

    // The database fails the second batch transaction of the fill.
    let transactions = 0;
    const failing: Db = Object.create(t.db, {
      transaction: {
        value: <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
          transactions += 1;
          return transactions === 2 ? Promise.reject(new Error('disk on fire')) : t.db.transaction(fn);
        },
      },
    }) as Db;
    const err = await migrateTo(full, '2025-01-02T00:00:00Z', failing).catch((e: unknown) => e);
    expect((err as BubbleError).code).toBe('MIGRATE_BACKFILL');
    expect((err as BubbleError).message).toMatch(
      /^The migration is applied, but filling its new columns from stored records stopped: disk on fire$/,
    );
    expect(await marks()).toBeGreaterThan(0);

    const resumed = await migrateTo(full, '2025-01-03T00:00:00Z');
    expect(resumed.result.created).toBeNull();
    expect(resumed.result.backfill.map((b) => b.type)).toEqual(['customer', 'invoice', 'package']);
    expect(await marks()).toBe(0);
    for (const type of resumed.manifest.types) {
      expect(await mismatches(t.db, resumed.manifest, type.name, [...fake.allRecords(type.name)] as BubbleRecord[])).toEqual([]);
    }
  });
});
