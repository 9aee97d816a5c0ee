/** Per-test databases on the cluster that the global setup started (or on TEST_DATABASE_URL). */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test` (jest global setup).');
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
