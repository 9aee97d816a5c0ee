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
import { samplePage, unitModel, unitType } from './fixtures/sample.js';

type Client = PrismaLike & {
  rentalUnit: { findMany(args: object): Promise<Array<Record<string, unknown>>> };
  $disconnect(): Promise<void>;
};

test('bulk upsert through a real Prisma Client with adapter-pg', async () => {
  const { prisma, cleanup } = await migratedPrismaProject<Client>(unitModel, 'prisma');
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

    const lock = await acquireSyncLock(db, { jobId: 'job-3' });
    await expect(acquireSyncLock(db)).rejects.toBeInstanceOf(SyncLockedError);
    await lock.release();
    await (await acquireSyncLock(db)).release();
  } finally {
    await cleanup();
  }
});
