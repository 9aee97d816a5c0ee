import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb } from '../../runtime/db/open.js';
import { DatabaseConnectionLostError, DatabaseUnreachableError, PgliteLockedError } from '../../runtime/db/errors.js';
import { DatabaseUrlError } from '../../core/settings/database-url.js';
import { createTestDatabase, testServerUrl } from '../support/database.js';
import { repoRoot } from '../support/prisma-cli.js';

describe('openDb', () => {
  test('a bad DATABASE_URL is a DatabaseUrlError that never shows the password', async () => {
    const err = await openDb({ databaseUrl: 'mysql://u:s3cret@host/db' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUrlError);
    expect(String((err as Error).message)).not.toContain('s3cret');
    expect((err as Error).message).toContain('mysql:');
    const notUrl = await openDb({ databaseUrl: 's3cret-not-a-url' }).catch((e: unknown) => e);
    expect(notUrl).toBeInstanceOf(DatabaseUrlError);
    expect((notUrl as Error).message).not.toContain('s3cret');
  });

  test('an unreachable server is a DatabaseUnreachableError naming host and port, not the password', async () => {
    // Port 1 on localhost: nothing listens there.
    const err = await openDb({ databaseUrl: 'postgresql://me:s3cret@127.0.0.1:1/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    const text = `${(err as DatabaseUnreachableError).message} ${(err as DatabaseUnreachableError).hint}`;
    expect(text).toContain('127.0.0.1:1');
    expect(text).not.toContain('s3cret');
  });

  test('a missing database is named in the error', async () => {
    const url = new URL(testServerUrl());
    url.pathname = '/no_such_database_here';
    const err = await openDb({ databaseUrl: url.toString() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as Error).message).toContain('no_such_database_here');
  });

  test('losing the server mid-run surfaces as DatabaseConnectionLostError (and the pool does not crash the process)', async () => {
    const t = await createTestDatabase('lost');
    const db = await openDb({ databaseUrl: t.url });
    try {
      await db.query('SELECT 1');
      const admin = new pg.Client({ connectionString: testServerUrl() });
      await admin.connect();
      const dbName = new URL(t.url).pathname.slice(1);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
      await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
      await admin.end();
      await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseConnectionLostError);
      await expect(db.transaction((tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(DatabaseConnectionLostError);
    } finally {
      await db.close();
      await t.drop();
    }
  });

  test('PGlite persists in a folder and refuses a second open, in this process and in another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bubble-pglite-'));
    const path = join(dir, 'pglite');
    try {
      const db = await openDb({ pgliteDir: path });
      await db.execute('CREATE TABLE kept (x int)');
      await db.execute('INSERT INTO kept VALUES (42)');
      await expect(openDb({ pgliteDir: path })).rejects.toBeInstanceOf(PgliteLockedError);
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { openDb } from ${JSON.stringify(join(repoRoot, 'dist/runtime/db/open.js'))}; try { await openDb({ pgliteDir: ${JSON.stringify(path)} }); console.log('opened'); } catch (e) { console.log(e.code, e.message); }`,
        ],
        { encoding: 'utf8' },
      );
      expect(child.stdout).toContain('DB_PGLITE_LOCKED');
      expect(child.stdout).toContain(`process ${process.pid}`);
      await db.close();
      const again = await openDb({ pgliteDir: path });
      expect(await again.query('SELECT x FROM kept')).toEqual([{ x: 42 }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
