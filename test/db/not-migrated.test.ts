/**
 * A database that was never migrated (e.g. `sync` before `migrate`): reading the sync state must say
 * to migrate, on PostgreSQL and on PGlite alike, instead of surfacing PostgreSQL's bare
 * `relation "sync_jobs" does not exist`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../runtime/db/open.js';
import { SchemaMismatchError } from '../../runtime/db/errors.js';
import { formatError } from '../../core/errors.js';
import { createTestDatabase } from '../support/database.js';

async function readMissing(db: Awaited<ReturnType<typeof openDb>>): Promise<unknown> {
  return db.query('SELECT id FROM "sync_jobs" LIMIT 1').catch((e: unknown) => e);
}

test('PostgreSQL: a missing table or column is a SchemaMismatchError that says to migrate', async () => {
  const t = await createTestDatabase('notmigrated');
  const db = await openDb({ databaseUrl: t.url });
  try {
    const err = await readMissing(db);
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(formatError(err)).toContain('sync_jobs');
    expect(formatError(err)).toContain('bubble-runtime migrate');
    await db.query('CREATE TABLE "sync_jobs" (x int)');
    expect(await readMissing(db)).toBeInstanceOf(SchemaMismatchError);
  } finally {
    await db.close();
    await t.drop();
  }
});

test('PGlite: the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bubble-notmigrated-'));
  const db = await openDb({ pgliteDir: join(dir, 'pglite') });
  try {
    const err = await readMissing(db);
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(formatError(err)).toContain('bubble-runtime migrate');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
