/** Per-test databases on the run's one PostgreSQL cluster (or on TEST_DATABASE_URL). */
import pg from 'pg';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The server's URL. The first call in a run starts the cluster (under an OS file lock, so parallel
 * workers start exactly one and the others wait for it); suites that never call this never start one.
 */
export function testServerUrl(): string {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return given;
  const state = process.env.PGB_TEST_STATE_DIR;
  if (!state) throw new Error('No test database: run the tests through `npm test` (jest global setup), or set TEST_DATABASE_URL.');
  execFileSync('flock', [join(state, 'lock'), process.execPath, resolve('test/setup/ensure-cluster.js'), state], { stdio: 'inherit' });
  const url = readFileSync(join(state, 'url'), 'utf8');
  process.env.TEST_DATABASE_URL = url;
  return url;
}

/** Creates an empty database (on the shared cluster unless `serverUrl` names another) and returns its URL and a function that drops it. */
export async function createTestDatabase(prefix = 't', serverUrl = testServerUrl()): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = new URL(serverUrl);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
