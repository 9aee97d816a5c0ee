/**
 * The generated `toRow` on the sample app's records: every value lands in its column or in
 * `unmapped`, nothing is lost (the record is rebuilt from the row and compared), and the sync
 * functions hand the runtime the right plan and types.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_APP, SampleData } from '../../runtime/sample-app/index.js';
import { generate } from '../../generator/generate.js';
import type { ManifestColumn, ManifestType } from '../../core/manifest/schema.js';
import { toDate } from '../../runtime/convert/index.js';
import type { PrismaLike, SyncOptions, SyncPlan, SyncResult } from '../../runtime/api.js';
import { repoRoot } from '../support/prisma-cli.js';
import { FIXTURE_DICTIONARY } from './fixture.js';

type Row = Record<string, unknown>;
interface Adapter {
  type: string;
  descriptor: ManifestType;
  toRow: (record: Record<string, unknown>) => Row;
}

/** Calls the runtime received: a minimal in-memory runner standing in for `runSync`. */
const calls: { plan: SyncPlan; options: SyncOptions }[] = [];
jest.unstable_mockModule('prisma-generator-bubble/runtime', async () => {
  const real = await import('../../runtime/convert/index.js');
  return {
    ...real,
    runSync: async (_prisma: PrismaLike, plan: SyncPlan, options: SyncOptions = {}): Promise<SyncResult> => {
      calls.push({ plan, options });
      const types = options.types ?? plan.types.map((t) => t.name);
      return {
        jobId: `job${calls.length}`,
        mode: options.mode ?? 'full',
        status: 'COMPLETED',
        durationMs: 0,
        tables: plan.types
          .filter((t) => types.includes(t.name))
          .map((t) => ({
            type: t.name,
            table: t.table,
            records: 0,
            pages: 0,
            durationMs: 0,
            status: 'COMPLETED' as const,
            rawOnly: 0,
            rejected: 0,
            softDeleted: 0,
            heldBack: 0,
          })),
      };
    },
  };
});

let dir: string;
let generated: {
  adapters: readonly Adapter[];
  plan: SyncPlan;
  syncAll: (prisma: PrismaLike, options?: SyncOptions) => Promise<SyncResult>;
  [name: string]: unknown;
};

beforeAll(async () => {
  dir = mkdtempSync(join(repoRoot, '.tmp', 'to-row-'));
  await generate({ dictionaryPath: FIXTURE_DICTIONARY, schemaDir: join(dir, 'schema'), outputDir: join(dir, 'bubble') });
  generated = (await import(join(dir, 'bubble', 'index.ts'))) as typeof generated;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a column value says the original was, compared loosely where conversion normalises. */
function sameValue(column: ManifestColumn, original: unknown, stored: unknown): boolean {
  const one = (kind: string, o: unknown, s: unknown): boolean => {
    switch (kind) {
      case 'date':
        return s instanceof Date && s.getTime() === (toDate(o) as Date).getTime();
      case 'number':
        return typeof s === 'number' && s === Number(typeof o === 'string' ? o.trim() : o);
      case 'text':
        return s === String(o);
      case 'boolean':
        return typeof s === 'boolean' && (o === s || (typeof o === 'string' && ['true', 'yes'].includes(o.trim().toLowerCase()) === s));
      default:
        return JSON.stringify(s) === JSON.stringify(o);
    }
  };
  if (column.list)
    return (
      Array.isArray(original) &&
      Array.isArray(stored) &&
      original.length === stored.length &&
      original.every((o, i) => one(column.kind, o, stored[i]))
    );
  return one(column.kind, original, stored);
}

describe('generated toRow on the sample app records', () => {
  test('every value lands in its column or unmapped; the record can be rebuilt from the row', () => {
    const data = new SampleData(SAMPLE_APP, { records: 3000 });
    let records = 0;
    let unmappedValues = 0;
    for (const adapter of generated.adapters) {
      const byKey = new Map(adapter.descriptor.columns.map((c) => [c.key, c]));
      for (let i = 0; i < data.count(adapter.type); i++) {
        const record = data.record(adapter.type, i);
        const row = adapter.toRow(record);
        records += 1;
        expect(row.raw).toBe(record);
        const unmapped = (row.unmapped ?? {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(record)) {
          if (value === null || value === undefined) continue;
          if (Object.prototype.hasOwnProperty.call(unmapped, key)) {
            expect(unmapped[key]).toEqual(value);
            unmappedValues += 1;
            continue;
          }
          if (key === '_id') expect(row.bubbleId).toBe(value);
          else if (key === 'Created Date') expect((row.bubbleCreatedAt as Date).getTime()).toBe((toDate(value) as Date).getTime());
          else if (key === 'Modified Date') expect((row.bubbleModifiedAt as Date).getTime()).toBe((toDate(value) as Date).getTime());
          else if (key === 'Created By') expect(row.bubbleCreatedBy).toBe(value);
          else if (key === 'Slug') expect(row.bubbleSlug).toBe(value);
          else {
            const column = byKey.get(key);
            if (column === undefined) throw new Error(`${adapter.type}: key ${JSON.stringify(key)} is neither in a column nor in unmapped`);
            if (!sameValue(column, value, row[column.field]))
              throw new Error(`${adapter.type}.${key}: ${JSON.stringify(value)} stored as ${JSON.stringify(row[column.field])}`);
          }
        }
        // Nothing appears that the record did not hold.
        for (const column of adapter.descriptor.columns) {
          const stored = row[column.field];
          if (stored !== null && stored !== undefined) expect(record[column.key]).not.toBeUndefined();
        }
      }
    }
    expect(records).toBeGreaterThanOrEqual(2900);
    // The sample app has fields whose values do not fit (it mirrors real apps); they must surface.
    expect(unmappedValues).toBeGreaterThan(0);
  });

  test('syncAll and sync<Model> hand the runtime the plan, all types or just theirs', async () => {
    const prisma = {} as PrismaLike;
    const all = await generated.syncAll(prisma, { mode: 'full', concurrency: 3 });
    const first = generated.adapters[0]!;
    const syncOne = generated[`sync${first.descriptor.model}`] as (p: PrismaLike, o?: SyncOptions) => Promise<SyncResult>;
    const one = await syncOne(prisma, { mode: 'incremental' });
    expect(all.tables.map((t) => t.type)).toEqual(generated.adapters.map((a) => a.type));
    expect(one.tables.map((t) => t.type)).toEqual([first.type]);
    expect(calls[0]!.options).toEqual({ mode: 'full', concurrency: 3 });
    expect(calls[1]!.options).toEqual({ mode: 'incremental', types: [first.type] });
    expect(calls[0]!.plan.types).toEqual(generated.adapters.map((a) => a.descriptor));
    expect(calls[0]!.plan.state).toEqual({
      jobTable: 'sync_jobs',
      cursorTable: 'sync_cursors',
      pageTable: 'sync_pages',
      rejectTable: 'sync_rejects',
      eventTable: 'sync_events',
    });
  });
});
