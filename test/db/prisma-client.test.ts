/**
 * The generated syncAll path: the bulk upsert, softDeleteUnseen and the lock through a real Prisma
 * Client (prisma-client generator, adapter-pg), and Prisma Client reading back what raw SQL wrote.
 */
import type { PrismaLike } from '../../runtime/api.js';
import { dbFromPrisma } from '../../runtime/db/prisma.js';
import { acquireSyncLock } from '../../runtime/db/lock.js';
import { SyncLockedError } from '../../runtime/db/errors.js';
import { prepareUpsert, softDeleteUnseen } from '../../runtime/db/upsert.js';
import { migratedPrismaProject } from '../support/prisma-project.js';
import { renderSyncStateModels, syncStateNames } from '../../generator/emit/sync-state.js';
import { JsonNumber } from '../../runtime/convert/json.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { samplePage, unitModel, unitType } from './fixtures/sample.js';

type Client = PrismaLike & {
  rentalUnit: { findMany(args: object): Promise<Array<Record<string, unknown>>> };
  $disconnect(): Promise<void>;
};

const state = syncStateNames('', '');

test('bulk upsert through a real Prisma Client with adapter-pg', async () => {
  const { prisma, cleanup } = await migratedPrismaProject<Client>(unitModel + renderSyncStateModels(state), 'prisma');
  try {
    const db = dbFromPrisma(prisma);
    const up = await prepareUpsert(db, unitType);
    expect(await db.transaction((tx) => up.run(tx, samplePage(), 'job-1'))).toBe(2);
    expect(await up.run(db, samplePage(), 'job-1')).toBe(0);

    const rows = await prisma.rentalUnit.findMany({ orderBy: { bubbleId: 'asc' } });
    expect(rows).toHaveLength(2);
    const a = rows[0]!;
    expect(a.unitName).toBe('Unit "A" \\ {x}');
    expect(a.photos).toEqual(['//cdn.bubble.io/a.png', 'b,"c"}', '', 'NULL']);
    expect(a.visits).toEqual([new Date('2024-01-01T00:00:00.000Z'), new Date('2024-12-31T23:59:59.999Z')]);
    expect(a.address).toEqual({ address: 'Main St', lat: 1.5, lng: -2 });
    expect(a.bubbleCreatedAt).toEqual(new Date('2024-01-02T03:04:05.678Z'));
    expect(a.syncJobId).toBe('job-1');

    await up.run(db, samplePage().slice(0, 1), 'job-2');
    expect(await softDeleteUnseen(db, unitType, 'job-2')).toBe(1);
    expect((await db.query<{ n: number }>('SELECT count(*) AS n FROM rentalunit WHERE _is_deleted'))[0]!.n).toBe(1);

    // A record the database refuses, through Prisma's error wrapping and savepoints: kept aside, the rest written.
    const writer = createPageWriter({ rejectTable: state.rejectTable });
    const page = [
      { _id: 'p1' },
      { _id: 'p2', Address: { x: new JsonNumber('1e200000') } },
      { _id: 'p3', 'Unit name': 'cut \ud83d' },
    ] as BubbleRecord[];
    expect(await db.transaction((tx) => writer.write(tx, unitType, page, { jobId: 'job-2', position: 0 }))).toEqual({
      written: 2,
      rawOnly: 0,
      rejected: 1,
      replaced: 1,
    });
    const [reject] = await db.query<{ bubble_id: string; reason: string }>(`SELECT bubble_id, reason FROM ${state.rejectTable}`);
    expect(reject!.bubble_id).toBe('p2');
    expect(reject!.reason).toContain('SQLSTATE 22003');

    const lock = await acquireSyncLock(db, { jobId: 'job-3' });
    await expect(acquireSyncLock(db)).rejects.toBeInstanceOf(SyncLockedError);
    await lock.release();
    await (await acquireSyncLock(db)).release();
  } finally {
    await cleanup();
  }
});
