/**
 * The generated-`syncAll` path: the engine through a user's real Prisma Client (prisma-client
 * generator, adapter-pg), on tables created by `migrate` from the models the generator renders for the
 * manifest — the sync-state models (SyncJob, SyncCursor, SyncPage) included, so the runtime's raw SQL
 * is checked against the schema users really get. Prisma Client reads back what the sync wrote.
 */
import type { PrismaLike } from '../../runtime/api.js';
import { dbFromPrisma } from '../../runtime/db/prisma.js';
import { renderModelBlocks } from '../../generator/emit/models.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { migratedPrismaProject } from '../support/prisma-project.js';
import { testManifest } from './support/schema.js';
import { MemoryApp, seedItems } from './support/memory-app.js';
import { mismatches } from './support/compare.js';

type Client = PrismaLike & {
  item: { count(args?: object): Promise<number> };
  syncCursor: { findMany(args?: object): Promise<Array<Record<string, unknown>>> };
  syncJob: { findMany(args?: object): Promise<Array<Record<string, unknown>>> };
  $disconnect(): Promise<void>;
};

test('a sync through a real Prisma Client into the generated schema, read back by Prisma Client', async () => {
  const manifest = testManifest();
  const models = renderModelBlocks(manifest, { dictionary: 'dictionary.json' }).join('\n\n');
  const { prisma, cleanup } = await migratedPrismaProject<Client>(models, 'syncprisma');
  try {
    const db = dbFromPrisma(prisma);
    const app = new MemoryApp();
    seedItems(app, 330, 12);
    const { result, error } = await runSyncOnDb(db, manifest, { concurrency: 3 }, { source: app });
    expect(error).toBeNull();
    expect(result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
    expect(await mismatches(db, manifest, 'item', app.sorted('item'))).toEqual([]);
    expect(await mismatches(db, manifest, 'note', app.sorted('note'))).toEqual([]);

    expect(await prisma.item.count()).toBe(330);
    const jobs = await prisma.syncJob.findMany();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: result.jobId, status: 'COMPLETED', mode: 'full', types: ['item', 'note'] });
    const cursors = await prisma.syncCursor.findMany({ orderBy: { bubbleDataType: 'asc' } });
    expect(cursors.map((c) => [c.bubbleDataType, c.status, c.syncedRecords])).toEqual([
      ['item', 'COMPLETED', 330],
      ['note', 'COMPLETED', 12],
    ]);
    expect(cursors[0]!.startedAt).toBeInstanceOf(Date);

    app.modify('item', app.sorted('item')[7]!._id, { Name: 'changed' });
    const incremental = await runSyncOnDb(db, manifest, {}, { source: app });
    expect(incremental.result).toMatchObject({ mode: 'incremental', status: 'COMPLETED' });
    expect(incremental.result.tables.map((t) => t.records)).toEqual([1, 0]);
  } finally {
    await cleanup();
  }
});
