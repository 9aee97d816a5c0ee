/**
 * The listener's HTTP side against whatever reaches it: wrong or missing secrets, oversized and
 * malformed bodies, unknown types, SQL-looking ids and a flood — nothing recorded that should not be,
 * nothing crashing, the secret in no output; and the worker coalescing duplicates, respecting the
 * app's rate and retrying failures until they apply.
 */
import { EventStore, eventState } from '../../runtime/listen/index.js';
import { openDb } from '../../runtime/db/open.js';
import type { Listener } from '../../runtime/listen/index.js';
import { listenSetting, SECRET, waitFor, type ListenSetting } from './support.js';

let s: ListenSetting;
let listener: Listener;
const logs: string[] = [];

beforeAll(async () => {
  s = await listenSetting();
  // The mirror as a first sync leaves it, so deletions have rows to mark.
  await s.sync();
  listener = await s.start({ apply: false, log: (line) => logs.push(line), pollMs: 50 });
});

afterAll(async () => {
  await s.close();
});

const invoice = (i: number) => s.fake.data.idOf('invoice', i);

afterEach(async () => {
  expect(logs.join('\n')).not.toContain(SECRET);
});

describe('refused requests record nothing', () => {
  beforeEach(async () => {
    await s.db.execute('DELETE FROM sync_events');
  });
  afterEach(async () => {
    expect(await s.events()).toEqual([]);
  });

  const good = () => ({ type: 'invoice', id: invoice(1), event: 'modified' });

  test.each([
    ['no Authorization header', {}],
    ['a wrong secret', { authorization: 'Bearer not-the-secret-at-all' }],
    ['the secret with one character changed', { authorization: `Bearer ${SECRET.slice(0, -1)}x` }],
    ['the secret as a prefix', { authorization: `Bearer ${SECRET}x` }],
    ['another scheme', { authorization: `Basic ${SECRET}` }],
    ['the bare secret', { authorization: SECRET }],
  ])('%s: 401', async (_case, headers) => {
    const answer = await s.post(good(), headers);
    expect(answer.status).toBe(401);
    expect(String(answer.body.error)).toMatch(/Missing or wrong secret/);
    expect(JSON.stringify(answer.body)).not.toContain(SECRET);
  });

  test('a body over the size limit: 413, even when it is valid JSON', async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => ({ type: 'invoice', id: invoice(i % 50), event: 'modified' }));
    const answer = await s.post(many);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatch(/larger than 128 KiB/);
  });

  test.each([
    ['not JSON', '{"type": "invoice", "id": ', /not valid JSON/],
    ['an empty body', '', /not valid JSON/],
    ['a JSON string', '"invoice"', /expected an object/],
    ['an empty array', '[]', /empty array/],
    ['no type', { id: 'x', event: 'created' }, /"type" must be/],
    ['no id', { type: 'invoice', event: 'created' }, /"id" must be/],
    ['an id that is a number', { type: 'invoice', id: 12, event: 'created' }, /"id" must be/],
    ['an unknown event', { type: 'invoice', id: 'x', event: 'updated' }, /"event" must be "created", "modified" or "deleted"/],
    ['an unknown type', { type: 'invoices', id: 'x', event: 'created' }, /unknown type "invoices"/],
    ['an id with SQL in it', { type: 'invoice', id: "1'; DROP TABLE invoice; --", event: 'deleted' }, /not a Bubble unique id/],
    ['an id far too long', { type: 'invoice', id: 'x'.repeat(500), event: 'deleted' }, /not a Bubble unique id/],
    [
      'one bad event among good ones',
      [
        { type: 'invoice', id: 'a1', event: 'created' },
        { type: 'nope', id: 'a2', event: 'created' },
      ],
      /Event 2: unknown type/,
    ],
    ['more than 1,000 events', Array.from({ length: 1_001 }, () => ({ type: 'user', id: '1x1', event: 'created' })), /Too many events/],
  ])('%s: 400 with one line saying why', async (_case, body, reason) => {
    const answer = await s.post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(reason);
    expect(String(answer.body.error)).not.toMatch(/\n/);
  });

  test('other paths and methods: 404, and the secret is checked before anything else on /bubble/*', async () => {
    expect((await fetch(`${listener.url}/anything`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${listener.url}/bubble/status`)).status).toBe(401);
  });
});

test('accepted events are recorded before the answer: 202 with the count, types matched as Bubble matches path names', async () => {
  await s.db.execute('DELETE FROM sync_events');
  const answer = await s.post([
    { type: 'invoice', id: invoice(2), event: 'modified' },
    { type: 'Invoice', id: invoice(3), event: 'deleted' },
    { type: 'agreement', id: s.fake.data.idOf('agreement', 1), event: 'created', extra: 'ignored' },
  ]);
  expect(answer).toEqual({ status: 202, body: { accepted: 3 } });
  expect((await s.events()).map((e) => [e.bubble_type, e.event, e.status])).toEqual([
    ['invoice', 'modified', 'PENDING'],
    ['invoice', 'deleted', 'PENDING'],
    ['agreement', 'created', 'PENDING'],
  ]);
  const health = await fetch(`${listener.url}/healthz`);
  expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
});

describe('applying', () => {
  beforeAll(() => listener.worker.start());
  beforeEach(async () => {
    await waitFor('the queue to drain', async () => (await new EventStore(s.db, eventState(s.manifest)).status()).pending === 0);
    await s.db.execute('DELETE FROM sync_events');
    s.fake.resetStats();
  });

  test('an id that looks like SQL but has no spaces is recorded as given, asked for, and changes nothing', async () => {
    const before = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM invoice');
    const id = "x'OR'1'='1";
    expect((await s.post({ type: 'invoice', id, event: 'deleted' })).status).toBe(202);
    await waitFor('the event to apply', async () => (await s.events()).every((e) => e.status === 'APPLIED'));
    expect((await s.events()).map((e) => [e.bubble_id, e.outcome])).toEqual([[id, 'absent']]);
    expect(s.fake.log.filter((e) => e.kind === 'get').map((e) => e.id)).toEqual([id]);
    expect(await s.db.query('SELECT count(*)::int AS n FROM invoice')).toEqual(before);
  });

  test('duplicates of one record coalesce into one request while it waits', async () => {
    // The receiver keeps recording while no worker applies.
    await listener.worker.stop();
    const id = invoice(5);
    s.fake.mutate.modify('invoice', id, { Status: 'Paid' });
    await s.fake.webhook.idle();
    for (let i = 0; i < 10; i++) expect((await s.post({ type: 'invoice', id, event: i % 2 ? 'modified' : 'created' })).status).toBe(202);
    expect(await s.events()).toHaveLength(11);
    listener = await restartListener(0, 4);
    await waitFor('the events to apply', async () => (await s.events()).every((e) => e.status === 'APPLIED'));
    expect(s.fake.log.filter((e) => e.kind === 'get' && e.id === id)).toHaveLength(1);
    expect(await s.differences([{ type: 'invoice', id }])).toEqual([]);
  });

  test('a failed application is retried with back-off until it applies, visible meanwhile', async () => {
    const id = invoice(7);
    s.fake.faults.status(400, { times: 2, match: (r) => r.kind === 'get' && r.id === id });
    s.fake.mutate.delete('invoice', id);
    await s.fake.webhook.idle();
    const store = new EventStore(s.db, eventState(s.manifest));
    await waitFor('the failure to show', async () => (await store.status()).retrying === 1);
    const status = await store.status();
    expect(status.failing).toEqual([
      expect.objectContaining({ type: 'invoice', bubbleId: id, attempts: 1, lastError: expect.stringMatching(/^BUBBLE_BAD_REQUEST: /) }),
    ]);
    await waitFor('the retries to succeed', async () => (await s.events()).every((e) => e.status === 'APPLIED'), 30_000);
    expect((await s.events()).map((e) => [e.outcome, e.attempts])).toEqual([['deleted', 2]]);
    expect(s.fake.log.filter((e) => e.kind === 'get' && e.id === id).map((e) => e.status)).toEqual([400, 400, 404]);
    expect(await s.differences([{ type: 'invoice', id }])).toEqual([]);
    expect(logs.some((l) => l.includes(`Could not apply invoice ${id} (attempt 1`))).toBe(true);
  });

  test('a flood: every accepted event is applied, at most `concurrency` requests in flight, at the rate allowed', async () => {
    await listener.worker.stop();
    const rate = 1_200;
    listener = await restartListener(rate, 3);
    const ids = Array.from({ length: 40 }, (_, i) => invoice(50 + i));
    // The app changes quietly; the flood below stands in for its triggers.
    s.fake.setWebhook(null);
    for (const id of ids) s.fake.mutate.modify('invoice', id, { Status: 'Flooded' });
    const arrays = Array.from({ length: 20 }, (_, k) =>
      Array.from({ length: 100 }, (_, i) => ({ type: 'invoice', id: ids[(k * 100 + i) % ids.length]!, event: 'modified' })),
    );
    const singles = Array.from({ length: 200 }, (_, i) => ({ type: 'invoice', id: ids[i % ids.length]!, event: 'modified' }));
    const answers = await Promise.all([...arrays, ...singles].map((body) => s.post(body)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect((await s.events()).length).toBe(2_200);
    await waitFor('the flood to apply', async () => (await new EventStore(s.db, eventState(s.manifest)).status()).pending === 0, 60_000);
    const gets = s.fake.log.filter((e) => e.kind === 'get');
    expect(gets.length).toBeGreaterThanOrEqual(ids.length);
    expect(gets.length).toBeLessThan(2_200);
    expect(s.fake.stats.peakInFlight).toBeLessThanOrEqual(3);
    expect(s.fake.stats.byStatus[429]).toBeUndefined();
    // The gate spaces requests 60000/rate ms apart: n requests span at least (n - 1) intervals.
    const span = gets[gets.length - 1]!.startedAt - gets[0]!.startedAt;
    expect(span).toBeGreaterThanOrEqual((gets.length - 1) * (60_000 / rate) * 0.9);
    expect(await s.differences(ids.map((id) => ({ type: 'invoice', id })))).toEqual([]);
  });
});

test('healthz answers 503 once the database is gone, and the receiver refuses (503) instead of accepting', async () => {
  const db = await openDb({ databaseUrl: s.databaseUrl });
  const { startListener } = await import('../../runtime/listen/index.js');
  const { createBubbleClient } = await import('../../runtime/bubble/index.js');
  const client = createBubbleClient({ appUrl: s.fake.url, token: s.fake.token, rateLimitRpm: 0 });
  const other = await startListener({ db, manifest: s.manifest, client, secret: SECRET, port: 0, concurrency: 1, apply: false });
  try {
    expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    await db.close();
    const health = await fetch(`${other.url}/healthz`);
    expect(health.status).toBe(503);
    const answer = await fetch(`${other.url}/bubble/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ type: 'invoice', id: 'a1x1', event: 'created' }),
    });
    expect(answer.status).toBe(503);
  } finally {
    await other.close();
  }
});

async function restartListener(rateLimitRpm: number, concurrency: number): Promise<Listener> {
  await listener.close();
  return s.start({ rateLimitRpm, concurrency, log: (line) => logs.push(line), pollMs: 50 });
}
