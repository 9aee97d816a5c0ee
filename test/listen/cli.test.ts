/**
 * `bubble-runtime listen` as a real child process on PostgreSQL, fed by the fake app's database
 * triggers: changes made in the app reach the database without a sync, deletions marked exactly; a
 * wrong secret changes nothing; SIGKILL mid-burst loses no accepted event; two processes share the
 * work; `listen --status` shows the queue; the secret appears in no output.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { EventQueueStatus } from '../../runtime/listen/index.js';
import { cliProject, type CliProject } from '../sync/support/cli-project.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { SECRET, waitFor } from './support.js';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

let p: CliProject;
let db: Db;
const outputs: Array<() => string> = [];
const children: ChildProcessWithoutNullStreams[] = [];
const LISTEN_ENV = { BUBBLE_WEBHOOK_SECRET: SECRET, LISTEN_RATE_LIMIT_RPM: '0', LISTEN_CONCURRENCY: '4' };

beforeAll(async () => {
  p = await cliProject({ records: 600, latencyMs: 2 });
  db = await openDb({ databaseUrl: p.databaseUrl });
  // The mirror as last night's sync left it: the listener keeps it fresh from here.
  expect((await p.cli(['sync', '--mode', 'full'])).code).toBe(0);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  p.fake.setWebhook(null);
  await p.fake.webhook.idle();
  await db.close();
  await p.close();
  for (const output of outputs) expect(output()).not.toContain(SECRET);
});

/** Starts `listen --port 0` and waits for the line that says where it listens. */
async function listen(extra: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = p.start(['listen', '--port', '0'], { ...LISTEN_ENV, ...extra });
  children.push(child);
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  outputs.push(() => text);
  await waitFor('listen to start', () => /Listening on (http:\/\/\S+):/.test(text) || child.exitCode !== null);
  const url = /Listening on (http:\/\/\S+):/.exec(text)?.[1];
  if (!url) throw new Error(`listen did not start:\n${text}`);
  return { child, url, output: () => text, exited };
}

async function stop(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  expect(await running.exited).toBe(0);
}

const pending = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_events WHERE status = 'PENDING'`))[0]!.n;

/** Differences between the database and the app for these records. */
async function differences(records: ReadonlyArray<{ type: string; id: string }>): Promise<string[]> {
  const problems: string[] = [];
  const { mismatches } = await import('../sync/support/compare.js');
  for (const { type, id } of records) {
    const live = [...p.fake.allRecords(type)].find((r) => r._id === id);
    const table = p.manifest.types.find((t) => t.name === type)!.table;
    if (live) {
      problems.push(...(await mismatches(db, p.manifest, type, [live as never])).filter((m) => m.startsWith(`${type} ${id}:`)));
    } else {
      const [row] = await db.query<{ d: boolean; at: unknown }>(
        `SELECT "_is_deleted" AS d, "_deleted_at" AS at FROM "${table}" WHERE "_id" = $1`,
        [id],
      );
      if (!row?.d || row.at === null) problems.push(`${type} ${id}: not marked deleted`);
    }
  }
  return problems;
}

test('20 inserts, 30 edits and 15 deletions made in the app reach the database within 30 s without a sync; a wrong secret changes nothing', async () => {
  const running = await listen();
  p.fake.setWebhook({ url: `${running.url}/bubble/events`, secret: SECRET });
  const deletedBefore = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoice WHERE "_is_deleted"`);
  const logFrom = p.fake.log.length;
  const types = ['invoice', 'payment', 'customer', 'agreement', 'user'];
  const touched: Array<{ type: string; id: string }> = [];
  const deleted: Array<{ type: string; id: string }> = [];
  for (let i = 0; i < 20; i++) {
    const type = types[i % types.length]!;
    touched.push({ type, id: p.fake.mutate.insert(type)._id as string });
  }
  // The k-th generated record of each type: edits take the first six of each, deletions the next three.
  for (let i = 0; i < 30; i++) {
    const type = types[i % types.length]!;
    const id = p.fake.data.idOf(type, Math.floor(i / types.length));
    p.fake.mutate.modify(type, id, { 'Legacy Code': `edit ${i}` });
    touched.push({ type, id });
  }
  for (let i = 0; i < 15; i++) {
    const type = types[i % types.length]!;
    const id = p.fake.data.idOf(type, 6 + Math.floor(i / types.length));
    p.fake.mutate.delete(type, id);
    deleted.push({ type, id });
  }
  await waitFor("the app's changes in the database", async () => (await differences([...touched, ...deleted])).length === 0, 30_000);
  await p.fake.webhook.idle();
  expect(p.fake.webhook.deliveries.map((d) => d.status)).toEqual(Array(65).fill(202));
  // No sync ran: the app saw only requests for single records.
  expect(p.fake.log.slice(logFrom).every((e) => e.kind === 'get')).toBe(true);
  // Exactly those 15 are marked deleted, each with its time.
  const marked: Array<{ type: string; id: string }> = [];
  for (const type of types) {
    const rows = await db.query<{ id: string }>(`SELECT "_id" AS id FROM "${type}" WHERE "_is_deleted" AND "_deleted_at" IS NOT NULL`);
    marked.push(...rows.map((r) => ({ type, id: r.id })));
  }
  expect(marked.sort(byKey)).toEqual([...deleted].sort(byKey));
  expect(deletedBefore[0]!.n).toBe(0);

  // A wrong secret: 401, nothing recorded, nothing changed.
  const eventsBefore = await db.query('SELECT count(*)::int AS n FROM sync_events');
  const rowsBefore = await db.query(`SELECT "_id", "_is_deleted", "_updated_at" FROM invoice ORDER BY "_id"`);
  const refused = await fetch(`${running.url}/bubble/events`, {
    method: 'POST',
    headers: { authorization: 'Bearer wrong-secret-wrong-secret' },
    body: JSON.stringify({ type: 'invoice', id: touched[0]!.id, event: 'deleted' }),
  });
  expect(refused.status).toBe(401);
  expect(await db.query('SELECT count(*)::int AS n FROM sync_events')).toEqual(eventsBefore);
  expect(await db.query(`SELECT "_id", "_is_deleted", "_updated_at" FROM invoice ORDER BY "_id"`)).toEqual(rowsBefore);
  await stop(running);
  expect(running.output()).toMatch(/Stopped after applying \d+ events/);
});

test('SIGKILL mid-burst, then a restart: every accepted event is applied, none lost', async () => {
  let running = await listen();
  p.fake.setWebhook({ url: `${running.url}/bubble/events`, secret: SECRET });
  const burst = Array.from({ length: 200 }, (_, i) => ({ type: 'payment', id: p.fake.data.idOf('payment', 20 + (i % 90)) }));
  const at = p.fake.webhook.deliveries.length;
  for (const [i, { type, id }] of burst.entries()) p.fake.mutate.modify(type, id, { 'Legacy Code': `burst ${i}` });
  await waitFor('some of the burst to be accepted', () => p.fake.webhook.deliveries.slice(at).filter((d) => d.status === 202).length >= 30);
  running.child.kill('SIGKILL');
  await running.exited;
  await p.fake.webhook.idle();
  const calls = p.fake.webhook.deliveries.slice(at);
  const accepted = calls.filter((d) => d.status === 202);
  // Killed mid-burst: the calls after the kill found nobody.
  expect(calls.some((d) => d.status === 0)).toBe(true);
  expect(accepted.length).toBeGreaterThanOrEqual(30);

  running = await listen();
  await waitFor('every accepted event to apply', async () => (await pending()) === 0, 30_000);
  const recorded = await db.query<{ id: string }>(
    `SELECT bubble_id AS id FROM sync_events WHERE bubble_type = 'payment' AND status = 'APPLIED'`,
  );
  const applied = new Set(recorded.map((r) => r.id));
  expect(accepted.filter((d) => !applied.has(d.id))).toEqual([]);
  // The records whose last change was accepted are current (a refused later call may leave one behind: that is Bubble's side).
  const lastCall = new Map(calls.map((d) => [d.id, d.status]));
  const current = [...lastCall].filter(([, status]) => status === 202).map(([id]) => ({ type: 'payment', id }));
  expect(await differences(current)).toEqual([]);
  await stop(running);
});

test('two listen processes on one database share the work: every event applied once', async () => {
  const a = await listen();
  const b = await listen();
  p.fake.setWebhook(null);
  const ids = Array.from({ length: 60 }, (_, i) => p.fake.data.idOf('customer', 80 + i));
  for (const id of ids) p.fake.mutate.modify('customer', id, { 'Legacy Code': 'shared' });
  const logFrom = p.fake.log.length;
  const answers = await Promise.all(
    ids.map((id, i) =>
      fetch(`${(i % 2 ? a : b).url}/bubble/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({ type: 'customer', id, event: 'modified' }),
      }),
    ),
  );
  expect(answers.map((r) => r.status)).toEqual(Array(60).fill(202));
  await waitFor('the events to apply', async () => (await pending()) === 0);
  const gets = p.fake.log.slice(logFrom).filter((e) => e.kind === 'get');
  expect(gets.map((e) => e.id).sort()).toEqual([...ids].sort());
  expect(await differences(ids.map((id) => ({ type: 'customer', id })))).toEqual([]);
  await Promise.all([stop(a), stop(b)]);
});

test('listen --status shows the queue: failing events with their error, then applied', async () => {
  const running = await listen();
  p.fake.setWebhook({ url: `${running.url}/bubble/events`, secret: SECRET });
  const id = p.fake.data.idOf('agreement', 3);
  p.fake.faults.status(400, { times: Infinity, match: (r) => r.kind === 'get' && r.id === id });
  p.fake.mutate.modify('agreement', id, { 'Legacy Code': 'status' });
  await waitFor(
    'the failure to be recorded',
    async () => (await db.query(`SELECT 1 FROM sync_events WHERE bubble_id = $1 AND attempts > 0`, [id])).length > 0,
  );
  const text = await p.cli(['listen', '--status']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^Events: 1 pending \(1 retrying after failures\)/);
  expect(text.stdout).toMatch(new RegExp(`failing: agreement ${id}, \\d+ attempts?, next `));
  p.fake.faults.clear();
  await waitFor('the retry to apply', async () => (await pending()) === 0);
  const json = await p.cli(['listen', '--status', '--json']);
  const status = JSON.parse(json.stdout) as EventQueueStatus;
  expect(status).toMatchObject({ pending: 0, retrying: 0, failing: [] });
  expect(status.appliedLastDay).toBeGreaterThan(0);
  expect(await differences([{ type: 'agreement', id }])).toEqual([]);
  await stop(running);
});

test('listen refuses to start without a usable secret, and --json without --status is a usage error', async () => {
  const none = await p.cli(['listen', '--port', '0'], { BUBBLE_WEBHOOK_SECRET: '' });
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/BUBBLE_WEBHOOK_SECRET is not set/);
  const short = await p.cli(['listen', '--port', '0'], { BUBBLE_WEBHOOK_SECRET: 'short' });
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/BUBBLE_WEBHOOK_SECRET must be at least 16 characters/);
  expect(short.stderr).not.toContain('short\n');
  expect((await p.cli(['listen', '--json'])).code).toBe(2);
});

function byKey(a: { type: string; id: string }, b: { type: string; id: string }): number {
  return `${a.type} ${a.id}` < `${b.type} ${b.id}` ? -1 : 1;
}
