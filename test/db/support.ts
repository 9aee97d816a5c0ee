/** Opens each kind of test database with the sample table migrated in (through bubble-runtime's migrate). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../runtime/db/types.js';
import { openDb } from '../../runtime/db/open.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { createTestDatabase } from '../support/database.js';
import { datasource, unitModel } from './fixtures/sample.js';

export type Backend = 'postgres' | 'pglite';
export const BACKENDS: Backend[] = ['postgres', 'pglite'];

export interface TestDb {
  db: Db;
  url?: string;
  cleanup(): Promise<void>;
}

/** An empty database of the given kind. */
export async function emptyDb(backend: Backend): Promise<TestDb> {
  if (backend === 'postgres') {
    const t = await createTestDatabase('db');
    const db = await openDb({ databaseUrl: t.url });
    return {
      db,
      url: t.url,
      cleanup: async () => {
        await db.close();
        await t.drop();
      },
    };
  }
  const db = await openDb({ pgliteDir: ':memory:' });
  return { db, cleanup: () => db.close() };
}

/** A database with the sample model's table (and `extraModels`, Prisma text), created by `migrate`. */
export async function sampleDb(backend: Backend, extraModels = ''): Promise<TestDb> {
  const t = await emptyDb(backend);
  const dir = mkdtempSync(join(tmpdir(), 'bubble-db-'));
  await migrate({
    db: t.db,
    schemaDir: dir,
    files: [[join(dir, 'schema.prisma'), datasource + unitModel + extraModels]],
    migrationsDir: join(dir, 'migrations'),
  });
  return {
    ...t,
    cleanup: async () => {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
