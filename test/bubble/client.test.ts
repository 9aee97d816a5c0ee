/**
 * The Data API client against the real fake server: retries (asserted on the server's request log and
 * an injected clock), errors that are not retried, rate/in-flight gates, metrics, and the token never
 * showing up anywhere.
 */
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import {
  BubbleAuthError,
  BubbleBadRequestError,
  BubbleOffsetRefusedError,
  BubbleTypeNotFoundError,
  BubbleUnavailableError,
  clientFromEnv,
  createBubbleClient,
  createGate,
  sharedGate,
  type BubbleClientEvent,
  type BubbleClientOptions,
} from '../../runtime/bubble/index.js';
import { formatError } from '../../core/errors.js';
import { SettingsError } from '../../core/settings/index.js';
import { BubbleConfigError, normalizeAppUrl } from '../../core/settings/app-url.js';
import { half, recordingClock } from './support.js';

let fake: FakeBubble;

beforeAll(async () => {
  fake = await startFakeBubble({ records: 700, seed: 11, offsetCap: { limit: 300, answer: 'error' } });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.faults.clear();
  fake.resetStats();
});

function client(extra: Partial<BubbleClientOptions> = {}) {
  const clock = recordingClock();
  const events: BubbleClientEvent[] = [];
  const c = createBubbleClient({
    appUrl: fake.url,
    token: fake.token,
    rateLimitRpm: 0,
    clock,
    random: half,
    onEvent: (e) => events.push(e),
    gate: createGate(0, 8),
    ...extra,
  });
  return { c, clock, events };
}

const statuses = () => fake.log.map((e) => e.status);

test('reads every page of a type with constraints equal to the fixture data', async () => {
  const { c } = client();
  const constraints = [{ key: 'Status', constraint_type: 'in' as const, value: ['Paid', 'Overdue'] }];
  const got: unknown[] = [];
  for await (const page of c.pages('invoice', { limit: 40, constraints })) got.push(...page.results);
  expect(got).toEqual([...fake.allRecords('invoice')].filter((r) => ['Paid', 'Overdue'].includes(r['Status'] as string)));
});

test('excludeRemaining sends exclude_remaining=true: remaining is null and Bubble counted nothing', async () => {
  const { c } = client();
  const page = await c.page('invoice', { limit: 10, excludeRemaining: true });
  expect(page).toMatchObject({ cursor: 0, count: 10, remaining: null });
  expect(fake.log[0]).toMatchObject({ excludeRemaining: true, counted: null });
  expect(fake.log[0]!.url).toContain('exclude_remaining=true');
  const counted = await c.page('invoice', { limit: 10 });
  expect(counted.remaining).toBe(fake.count('invoice') - 10);
  expect(fake.log[1]!.url).not.toContain('exclude_remaining');
});

test('pages() without a count reads on until an empty page, through short pages', async () => {
  const { c } = client();
  fake.setBehaviour({ shortPages: { fraction: 0.5 } });
  try {
    const got: unknown[] = [];
    for await (const page of c.pages('invoice', { limit: 30, excludeRemaining: true })) got.push(...page.results);
    expect(got).toEqual([...fake.allRecords('invoice')]);
    expect(fake.log.some((e) => e.anomaly === 'short-page')).toBe(true);
    expect(fake.log.every((e) => e.counted === null)).toBe(true);
  } finally {
    fake.setBehaviour({ shortPages: null });
  }
});

test('an empty page past the offset cap is passed on as Bubble sent it, and ends pages()', async () => {
  const { c } = client();
  fake.setBehaviour({ offsetCap: { limit: 150, answer: 'empty' } });
  try {
    const past = await c.page('invoice', { cursor: 101, limit: 100 });
    expect(past).toEqual({ results: [], cursor: 101, count: 0, remaining: fake.count('invoice') - 101 });
    const pages = [];
    for await (const page of c.pages('invoice', { limit: 50 })) pages.push(page);
    expect(pages.map((p) => [p.cursor, p.count])).toEqual([
      [0, 50],
      [50, 50],
      [100, 50],
      [150, 0],
    ]);
    expect(pages.at(-1)!.remaining).toBe(fake.count('invoice') - 150);
  } finally {
    fake.setBehaviour({ offsetCap: { limit: 300, answer: 'error' } });
  }
});

test('a 429 is retried after exactly the Retry-After the server sent', async () => {
  const { c, clock, events } = client();
  fake.faults.rateLimit(7, { match: (r) => r.kind === 'list' });
  const page = await c.page('customer', { limit: 5 });
  expect(page.count).toBe(5);
  expect(statuses()).toEqual([429, 200]);
  expect(clock.sleeps).toEqual([7000]);
  expect(events).toEqual([
    {
      kind: 'retry',
      what: 'GET /obj/customer (cursor 0)',
      type: 'customer',
      attempt: 1,
      reason: 'HTTP 429',
      waitMs: 7000,
      status: 429,
      retryAfterMs: 7000,
    },
  ]);
  const m = c.metrics();
  expect(m).toMatchObject({ requests: 1, calls: 2, successes: 1, failures: 1, retries: 1, rateLimited: 1, backoffMsTotal: 7000 });
});

test('5xx answers are retried with exponential backoff and jitter, then succeed', async () => {
  const { c, clock } = client();
  fake.faults.status(503, { times: 2 });
  fake.faults.status(500);
  await c.meta();
  expect(statuses()).toEqual([503, 503, 500, 200]);
  // Equal jitter with random() = 0.5: 3/4 of 500, 1000, 2000 ms.
  expect(clock.sleeps).toEqual([375, 750, 1500]);
});

test("an abort ends a request that hangs at once, with the caller's reason, and it is not retried", async () => {
  let arrived!: () => void;
  const inFlight = new Promise<void>((resolve) => (arrived = resolve));
  const { c, clock } = client();
  fake.faults.hang({
    times: Infinity,
    match: () => {
      arrived();
      return true;
    },
  });
  const controller = new AbortController();
  const page = c.page('user', { signal: controller.signal }).catch((e: unknown) => e);
  await inFlight;
  const reason = new Error('stopped by the test');
  controller.abort(reason);
  expect(await page).toBe(reason);
  expect(fake.log).toHaveLength(1);
  expect(clock.sleeps).toEqual([]);
  expect(c.metrics().retries).toBe(0);
});

test('an abort during the back-off before a retry ends the request without another attempt', async () => {
  const controller = new AbortController();
  const reason = new Error('stopped during the back-off');
  // A clock whose sleeps last until aborted, as the real one does for a long Retry-After.
  const { c } = client({
    clock: {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          if (signal?.aborted) reject(new Error('AbortError'));
          signal?.addEventListener('abort', () => reject(new Error('AbortError')));
        }),
    },
    onEvent: (e) => {
      if (e.kind === 'retry') controller.abort(reason);
    },
  });
  fake.faults.status(503, { times: Infinity });
  expect(await c.page('user', { signal: controller.signal }).catch((e: unknown) => e)).toBe(reason);
  expect(statuses()).toEqual([503]);
});

test('retry events carry the HTTP status of the failed attempt', async () => {
  const { c, events } = client();
  fake.faults.status(503);
  fake.faults.rateLimit(0);
  fake.faults.drop();
  await c.page('agent', { limit: 1 });
  expect(events.map((e) => (e.kind === 'retry' ? e.status : e.kind))).toEqual([503, 429, undefined]);
});

test("a Retry-After past the client's cap is waited out to the cap, and the event keeps what the app asked", async () => {
  const { c, clock, events } = client({ retry: { maxRetryAfterMs: 2000 } });
  fake.faults.rateLimit(300, { match: (r) => r.kind === 'list' });
  await c.page('agent', { limit: 1 });
  expect(clock.sleeps).toEqual([2000]);
  expect(events).toEqual([expect.objectContaining({ kind: 'retry', type: 'agent', waitMs: 2000, status: 429, retryAfterMs: 300_000 })]);
});

test('a last attempt that fails is an event too, so every 429 the app sent is one event', async () => {
  const { c, events } = client({ retry: { maxAttempts: 2 } });
  fake.faults.rateLimit(1, { times: 2, match: (r) => r.kind === 'list' });
  const err = await c.page('agent').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleUnavailableError);
  expect(events.map((e) => e.kind)).toEqual(['retry', 'request-failed']);
  expect(events[1]).toEqual({
    kind: 'request-failed',
    what: 'GET /obj/agent (cursor 0)',
    type: 'agent',
    attempts: 2,
    reason: 'HTTP 429',
    status: 429,
    retryAfterMs: 1000,
  });
  expect(statuses().filter((s) => s === 429)).toHaveLength(c.metrics().rateLimited);
  // /meta reads no type: its events carry none.
  fake.faults.status(503);
  await c.meta();
  expect(events[2]).toMatchObject({ kind: 'retry', what: 'GET /meta', status: 503 });
  expect(events[2]).not.toHaveProperty('type');
});

test('a call allowed fewer attempts (a count that may time out) still waits out 429s on the policy budget', async () => {
  const { c } = client({ retry: { maxAttempts: 6 } });
  fake.faults.rateLimit(1, { times: 3, match: (r) => r.kind === 'list' });
  const page = await c.page('agent', { limit: 5, maxAttempts: 2 });
  expect(page.count).toBe(5);
  expect(statuses()).toEqual([429, 429, 429, 200]);
  fake.resetStats();
  fake.faults.status(504, { times: Infinity });
  const err = await c.page('agent', { limit: 5, maxAttempts: 2 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleUnavailableError);
  expect((err as BubbleUnavailableError).attempts).toBe(2);
  expect(statuses()).toEqual([504, 504]);
});

test('the number of attempts is bounded: then a BubbleUnavailableError', async () => {
  const { c, clock } = client({ retry: { maxAttempts: 3 } });
  fake.faults.status(502, { times: Infinity });
  const err = await c.page('agent').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleUnavailableError);
  expect((err as BubbleUnavailableError).attempts).toBe(3);
  expect(statuses()).toEqual([502, 502, 502]);
  expect(clock.sleeps).toHaveLength(2);
});

test('dropped connections and truncated JSON are retried', async () => {
  const { c } = client();
  fake.faults.drop();
  fake.faults.truncate();
  const page = await c.page('package', { limit: 10 });
  expect(page.results).toEqual([...fake.allRecords('package')].slice(0, 10));
  expect(fake.log.map((e) => e.fault)).toEqual(['drop', 'truncate', undefined]);
  expect(c.metrics().retries).toBe(2);
});

test('a slow answer past the timeout is retried', async () => {
  const { c, events } = client({ timeoutMs: 100 });
  fake.faults.slow(1500);
  const page = await c.page('package', { limit: 1 });
  expect(page.count).toBe(1);
  expect(events[0]).toMatchObject({ kind: 'retry', reason: 'timeout after 100 ms' });
});

test('a bad token fails at once with a message that says what to check', async () => {
  const { c, clock } = client({ token: 'definitely-wrong-token' });
  const err = await c.page('user').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleAuthError);
  expect(formatError(err)).toMatch(/BUBBLE_API_TOKEN/);
  expect(fake.log).toHaveLength(1);
  expect(clock.sleeps).toEqual([]);
});

test('an unknown type is a 404 that names the API settings and live vs /version-test', async () => {
  const { c } = client();
  const err = await c.page('spaceship').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleTypeNotFoundError);
  expect(formatError(err)).toMatch(/Settings → API/);
  expect(formatError(err)).toMatch(/version-test/);
  expect(fake.log).toHaveLength(1);
});

test('a refused deep offset is its own error, not retried', async () => {
  const { c } = client();
  const err = await c.page('invoice', { cursor: 201 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BubbleOffsetRefusedError);
  expect((err as BubbleOffsetRefusedError).cursor).toBe(201);
  expect(fake.log[0]!.anomaly).toBe('offset-cap');
  expect(fake.log).toHaveLength(1);
});

test('a 400 past offset 0 is an offset refusal whatever Bubble words it, and at offset 0 a bad request', async () => {
  const answer400: typeof globalThis.fetch = async () =>
    new Response(
      JSON.stringify({ statusCode: 400, body: { status: 'INVALID_DATA', message: 'Search results beyond item 50000 are not available.' } }),
      { status: 400 },
    );
  const { c } = client({ fetch: answer400 });
  const deep = await c.page('invoice', { cursor: 50_094 }).catch((e: unknown) => e);
  expect(deep).toBeInstanceOf(BubbleOffsetRefusedError);
  expect(formatError(deep)).toMatch(/beyond item 50000/);
  const first = await c.page('invoice', { cursor: 0 }).catch((e: unknown) => e);
  expect(first).toBeInstanceOf(BubbleBadRequestError);
});

test('get returns one record, or null when it does not exist', async () => {
  const { c } = client();
  const first = [...fake.allRecords('agent')][0]!;
  expect(await c.get('agent', first['_id'] as string)).toEqual(first);
  expect(await c.get('agent', '1600000000000x1')).toBeNull();
});

test('the development database is reached through /version-test', async () => {
  const { c } = client({ appUrl: fake.testUrl });
  expect(c.appUrl).toBe(fake.testUrl);
  const page = await c.page('customer', { limit: 1 });
  expect(page.remaining! + 1).toBe(fake.count('customer', 'test'));
  expect(fake.log[0]!.db).toBe('test');
});

test('requests in flight never exceed the cap', async () => {
  const slow = await startFakeBubble({ records: 100, latencyMs: 60 });
  try {
    const c = createBubbleClient({ appUrl: slow.url, token: slow.token, rateLimitRpm: 0, gate: createGate(0, 3) });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.page('user', { cursor: i, limit: 1 })));
    expect(slow.stats.total).toBe(12);
    expect(slow.stats.peakInFlight).toBeLessThanOrEqual(3);
    expect(c.inFlight().peak).toBeLessThanOrEqual(3);
  } finally {
    await slow.close();
  }
});

test('the rate limit spreads requests evenly instead of bursting', async () => {
  // 1200/min = one request per 50 ms. Dispatch times are recorded where the request leaves the gate.
  // p-throttle plans slot k at first + k × 50 ms and never runs early, so six requests span at least
  // 250 ms minus however late the first one ran (allowed: 25 ms); a burst would span ~0 ms.
  const dispatched: number[] = [];
  const c = createBubbleClient({
    appUrl: fake.url,
    token: fake.token,
    rateLimitRpm: 1200,
    gate: createGate(1200, 8),
    fetch: (input, init) => {
      dispatched.push(performance.now());
      return fetch(input, init);
    },
  });
  await Promise.all(Array.from({ length: 6 }, () => c.page('package', { limit: 1 })));
  expect(dispatched).toHaveLength(6);
  expect(dispatched.at(-1)! - dispatched[0]!).toBeGreaterThanOrEqual(5 * 50 - 25);
  expect(fake.stats.total).toBe(6);
  expect(c.metrics().rateWaitMsTotal).toBeGreaterThan(0);
});

test('clients of the same app share one gate', () => {
  expect(sharedGate('https://a.bubbleapps.io', 600, 4)).toBe(sharedGate('https://a.bubbleapps.io/version-test', 600, 4));
  expect(sharedGate('https://a.bubbleapps.io', 600, 4)).not.toBe(sharedGate('https://b.bubbleapps.io', 600, 4));
});

describe('configuration', () => {
  test('BUBBLE_APP_URL, a flag override, and the token only from the environment', () => {
    const env = { BUBBLE_APP_URL: 'myapp.bubbleapps.io/', BUBBLE_API_TOKEN: 'tok', SYNC_RATE_LIMIT_RPM: '0' };
    expect(clientFromEnv({ env }).appUrl).toBe('https://myapp.bubbleapps.io');
    expect(clientFromEnv({ env, appUrl: 'https://other.io/version-test/api/1.1/obj' }).appUrl).toBe('https://other.io/version-test');
    expect(() => clientFromEnv({ env: { BUBBLE_APP_URL: 'https://x.io' } })).toThrow(SettingsError);
    expect(() => clientFromEnv({ env: { BUBBLE_API_TOKEN: 't' } })).toThrow(/BUBBLE_APP_URL/);
    expect(() => clientFromEnv({ env: { ...env, SYNC_RATE_LIMIT_RPM: '-1' } })).toThrow(/SYNC_RATE_LIMIT_RPM/);
    expect(() => normalizeAppUrl('ftp://x.io')).toThrow(BubbleConfigError);
  });
});

test('the token appears in no message, hint, event, metric or log line', async () => {
  const secret = fake.token;
  const captured: string[] = [];
  const { c, events } = client();
  // A server that echoes the token back in an error body must not leak it either.
  fake.faults.status(400, { body: `{"statusCode":400,"body":{"message":"bad request for token ${secret}"}}` });
  fake.faults.status(503, { times: Infinity, match: (r) => r.type === 'agent' });
  const errors = await Promise.all([
    c.page('user').catch((e: unknown) => e),
    c.page('spaceship').catch((e: unknown) => e),
    c.page('invoice', { cursor: 999 }).catch((e: unknown) => e),
    createBubbleClient({ appUrl: fake.url, token: `${secret}x`, gate: createGate(0, 1), clock: recordingClock() })
      .meta()
      .catch((e: unknown) => e),
    createBubbleClient({ appUrl: fake.url, token: secret, gate: createGate(0, 1), clock: recordingClock(), retry: { maxAttempts: 2 } })
      .page('agent')
      .catch((e: unknown) => e),
    createBubbleClient({
      appUrl: 'http://127.0.0.1:1',
      token: secret,
      gate: createGate(0, 1),
      clock: recordingClock(),
      retry: { maxAttempts: 2 },
    })
      .meta()
      .catch((e: unknown) => e),
  ]);
  for (const err of errors) {
    expect(err).toBeInstanceOf(Error);
    const e = err as Error & { hint?: string };
    captured.push(formatError(e), e.message, e.hint ?? '', e.stack ?? '', JSON.stringify(e));
  }
  captured.push(JSON.stringify(events), JSON.stringify(c.metrics()), JSON.stringify(fake.log.map(({ url, path }) => ({ url, path }))));
  const all = captured.join('\n');
  expect(all).toContain('[redacted]');
  expect(all).not.toContain(secret);
});
