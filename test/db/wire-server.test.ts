/**
 * The wire-protocol server over PGlite with real clients (node-postgres, extended protocol): clients
 * share PGlite's one session, yet one client's open transaction is never seen or joined by another,
 * and a client that leaves inside a transaction does not block the others.
 */
import pg from 'pg';
import { openPglite, type PgliteDb } from '../../runtime/db/pglite.js';
import { serveWire, type WireServer } from '../../runtime/db/wire-server.js';

let db: PgliteDb;
let server: WireServer;

beforeAll(async () => {
  db = await openPglite(undefined);
  await db.execute('CREATE TABLE item (id int PRIMARY KEY, name text)');
  await db.execute("INSERT INTO item VALUES (1, 'one')");
  server = await serveWire(db.pglite, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
  await db.close();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

test('parameterised queries from several clients', async () => {
  const [a, b] = await Promise.all([client(), client()]);
  try {
    const [ra, rb] = await Promise.all([a.query('SELECT name FROM item WHERE id = $1', [1]), b.query('SELECT $1::int + 1 AS n', [41])]);
    expect(ra.rows).toEqual([{ name: 'one' }]);
    expect(rb.rows).toEqual([{ n: 42 }]);
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
});

test("another client's query waits for an open transaction to end instead of running inside it", async () => {
  const [a, b] = await Promise.all([client(), client()]);
  try {
    await a.query('BEGIN');
    await a.query("INSERT INTO item VALUES (2, 'uncommitted')");
    const seen = b.query('SELECT count(*)::int AS n FROM item');
    await a.query('ROLLBACK');
    expect((await seen).rows).toEqual([{ n: 1 }]);
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
});

test('a client that disconnects inside a transaction is rolled back and the others go on', async () => {
  const [a, b] = await Promise.all([client(), client()]);
  try {
    await a.query('BEGIN');
    await a.query("INSERT INTO item VALUES (3, 'abandoned')");
    const seen = b.query('SELECT count(*)::int AS n FROM item');
    await a.end();
    expect((await seen).rows).toEqual([{ n: 1 }]);
  } finally {
    await b.end();
  }
});
