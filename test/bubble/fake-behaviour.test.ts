/**
 * The fake Data API's large-app behaviours, each as real Bubble shows it (docs/bubble-api.md): the offset
 * cap answered with an empty page, exclude_remaining skipping the count, count timeouts, short and empty
 * pages mid-table, per-type record counts, bulk-imported Created Date ties, /meta's captions flag and
 * sanitised caption keys, the hang fault, and the flags of `bubble-runtime fake-bubble`.
 */
import { DEFAULT_BEHAVIOUR, startFakeBubble, type FakeBubble, type FakeBubbleOptions } from '../../runtime/fake-bubble/index.js';
import { fakeOptionsFromFlags, type FakeFlags } from '../../runtime/cli/commands/fake-bubble.js';

type Rec = Record<string, unknown>;
interface ListBody {
  response: { cursor: number; results: Rec[]; count: number; remaining?: number };
}

const started: FakeBubble[] = [];
afterAll(async () => {
  for (const fake of started) await fake.close();
});

async function start(options: FakeBubbleOptions): Promise<FakeBubble> {
  const fake = await startFakeBubble({ records: 1400, seed: 7, ...options });
  started.push(fake);
  return fake;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of every shape, read loosely by the assertions
async function get(fake: FakeBubble, path: string, signal?: AbortSignal): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${fake.token}` }, ...(signal ? { signal } : {}) });
  return { status: res.status, body: await res.json() };
}

const list = (fake: FakeBubble, type: string, query: string): Promise<{ status: number; body: ListBody }> =>
  get(fake, `/api/1.1/obj/${type}?${query}`);
const ids = (records: readonly Rec[]): string[] => records.map((r) => r['_id'] as string);
const where = (constraints: unknown[]): string => `constraints=${encodeURIComponent(JSON.stringify(constraints))}`;

/** Waits, turn by turn of the event loop, until the server's state satisfies `ready`. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve));
}

describe('offset cap', () => {
  test('by default a page reaching past the cap is HTTP 200 with no results and remaining = the records after the cursor', async () => {
    const fake = await start({ offsetCap: { limit: 300 } });
    expect(fake.behaviour.offsetCap).toEqual({ limit: 300, answer: 'empty' });
    expect(fake.count('invoice')).toBe(448);
    const last = await list(fake, 'invoice', 'cursor=250&limit=50');
    expect(last.status).toBe(200);
    expect(ids(last.body.response.results)).toEqual(ids([...fake.allRecords('invoice')].slice(250, 300)));
    const past = await list(fake, 'invoice', 'cursor=251&limit=50');
    expect(past.status).toBe(200);
    expect(past.body.response).toEqual({ cursor: 251, results: [], count: 0, remaining: 448 - 251 });
    expect(fake.log.at(-1)).toMatchObject({ anomaly: 'offset-cap', counted: 448, excludeRemaining: false });
    const beyondEnd = await list(fake, 'invoice', 'cursor=500&limit=1');
    expect(beyondEnd.body.response.remaining).toBe(0);
    const excluded = await list(fake, 'invoice', 'cursor=251&limit=50&exclude_remaining=true');
    expect(excluded.body.response).toEqual({ cursor: 251, results: [], count: 0 });
  });

  test('the default is real Bubble: cap 50,000, empty answer, no other knob on', async () => {
    const fake = await start({});
    expect(fake.behaviour).toEqual(DEFAULT_BEHAVIOUR);
    expect(DEFAULT_BEHAVIOUR.offsetCap).toEqual({ limit: 50_000, answer: 'empty' });
  });

  test('setBehaviour switches to the 400 answer and back at run time', async () => {
    const fake = await start({ offsetCap: { limit: 300 } });
    fake.setBehaviour({ offsetCap: { answer: 'error' } });
    const refused = await list(fake, 'invoice', 'cursor=251&limit=50');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ statusCode: 400, body: { status: 'INVALID_DATA' } });
    expect(fake.log.at(-1)).toMatchObject({ anomaly: 'offset-cap', counted: null });
    fake.setBehaviour({ offsetCap: { answer: 'empty', limit: 1000 } });
    expect((await list(fake, 'invoice', 'cursor=251&limit=50')).body.response.count).toBe(50);
  });
});

describe('exclude_remaining and counting', () => {
  test('exclude_remaining=true omits remaining and the log records that nothing was counted', async () => {
    const fake = await start({});
    const counted = await list(fake, 'invoice', `limit=10&${where([{ key: 'Amount', constraint_type: 'greater than', value: 30000 }])}`);
    const matches = [...fake.allRecords('invoice')].filter((r) => (r['Amount'] as number) > 30000).length;
    expect(counted.body.response.remaining).toBe(matches - 10);
    expect(fake.log.at(-1)).toMatchObject({ excludeRemaining: false, counted: matches });
    const excluded = await list(fake, 'invoice', 'limit=10&exclude_remaining=true');
    expect(excluded.body.response.remaining).toBeUndefined();
    expect(excluded.body.response.count).toBe(10);
    expect(fake.log.at(-1)).toMatchObject({ excludeRemaining: true, counted: null });
    expect(fake.log.filter((e) => e.kind === 'list').map((e) => e.counted)).toEqual([matches, null]);
  });
});

describe('count timeouts', () => {
  test('a query that counts more than `above` matches answers 504 with a Bubble-like body; excluded or narrower queries do not', async () => {
    const fake = await start({ countTimeout: { above: 300 } });
    expect(fake.behaviour.countTimeout).toEqual({ above: 300, delayMs: 0, status: 504 });
    const timedOut = await list(fake, 'invoice', 'limit=100');
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toMatchObject({ statusCode: 504, body: { status: 'TIMEOUT' } });
    expect(fake.log.at(-1)).toMatchObject({ anomaly: 'count-timeout', counted: 448, status: 504 });
    expect((await list(fake, 'customer', 'limit=100')).status).toBe(504); // 350 records
    expect((await list(fake, 'payment', 'limit=100')).status).toBe(200); // 280 records
    expect((await list(fake, 'invoice', 'limit=100&exclude_remaining=true')).status).toBe(200);
    const pivot = [...fake.allRecords('invoice')][200]!['Created Date'];
    const narrower = await list(
      fake,
      'invoice',
      `limit=100&${where([{ key: 'Created Date', constraint_type: 'greater than', value: pivot }])}`,
    );
    expect(narrower.status).toBe(200);
    expect(narrower.body.response.count + narrower.body.response.remaining!).toBeLessThanOrEqual(300);
  });

  test('the status is configurable and the answer waits delayMs (a client that gives up first gets nothing)', async () => {
    const fake = await start({ countTimeout: { above: 300, status: 500, delayMs: 600_000 } });
    const abort = new AbortController();
    const waiting = get(fake, '/api/1.1/obj/customer?limit=1', abort.signal).catch((err: unknown) => err);
    await until(() => fake.log.some((e) => e.anomaly === 'count-timeout'));
    expect(fake.log[0]!.status).toBe(0);
    abort.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await until(() => fake.stats.inFlight === 0);
    expect(fake.log[0]!.status).toBe(0);
    fake.setBehaviour({ countTimeout: { above: 300, status: 500 } });
    const answered = await list(fake, 'customer', 'limit=1');
    expect(answered.status).toBe(500);
    expect(answered.body).toMatchObject({ statusCode: 500, body: { status: 'TIMEOUT' } });
    fake.setBehaviour({ countTimeout: null });
    expect((await list(fake, 'customer', 'limit=1')).status).toBe(200);
  });
});

/** Reads a type by offset, advancing by what each page returned. */
async function readByCount(fake: FakeBubble, type: string, limit: number): Promise<{ records: Rec[]; pages: ListBody['response'][] }> {
  const records: Rec[] = [];
  const pages: ListBody['response'][] = [];
  for (let cursor = 0; ;) {
    const { body } = await list(fake, type, `cursor=${cursor}&limit=${limit}`);
    pages.push(body.response);
    records.push(...body.response.results);
    if (body.response.remaining === 0) return { records, pages };
    cursor += body.response.count;
  }
}

describe('short and empty pages mid-table', () => {
  test('a seeded share of full pages is short; remaining counts after the returned records; the same page is short on every ask', async () => {
    const fake = await start({ shortPages: { fraction: 0.3 } });
    const { records, pages } = await readByCount(fake, 'invoice', 40);
    expect(ids(records)).toEqual(ids([...fake.allRecords('invoice')]));
    const short = pages.filter((p) => p.count < 40 && p.remaining! > 0);
    expect(short.length).toBeGreaterThan(0);
    for (const p of short) {
      expect(p.count).toBeGreaterThan(0);
      expect(p.remaining).toBe(448 - p.cursor - p.count);
    }
    expect(fake.log.filter((e) => e.anomaly === 'short-page')).toHaveLength(short.length);
    const again = await list(fake, 'invoice', `cursor=${short[0]!.cursor}&limit=40`);
    expect(again.body.response).toEqual(short[0]);
    const { pages: secondRead } = await readByCount(fake, 'invoice', 40);
    expect(secondRead).toEqual(pages);
  });

  test("remaining 'after-limit': the dropped records are in neither the page nor its remaining", async () => {
    const fake = await start({ shortPages: { match: (p) => p.cursor === 100, size: 10, remaining: 'after-limit' } });
    const all = ids([...fake.allRecords('invoice')]);
    const page = (await list(fake, 'invoice', 'cursor=100&limit=50')).body.response;
    expect(ids(page.results)).toEqual(all.slice(100, 110));
    expect(page.remaining).toBe(448 - 150);
    // A reader trusting count + remaining advances by the limit and never sees records 110..149.
    expect(page.cursor + page.count + page.remaining!).toBe(448 - 40);
  });

  test('the last page of a table is never short, so every short page has records after it', async () => {
    const fake = await start({ shortPages: { fraction: 1 } });
    const { records, pages } = await readByCount(fake, 'payment', 100);
    expect(ids(records)).toEqual(ids([...fake.allRecords('payment')]));
    expect(pages.slice(0, -1).every((p) => p.count < 100 && p.remaining! > 0)).toBe(true);
    expect(pages.at(-1)!.remaining).toBe(0);
  });

  test('an empty page below the cap with remaining > 0, for the pages a predicate picks', async () => {
    const fake = await start({ emptyPages: { match: (p) => p.type === 'invoice' && p.cursor === 100 } });
    const empty = (await list(fake, 'invoice', 'cursor=100&limit=100')).body.response;
    expect(empty).toEqual({ cursor: 100, results: [], count: 0, remaining: 348 });
    expect(fake.log.at(-1)!.anomaly).toBe('empty-page');
    expect((await list(fake, 'invoice', 'cursor=0&limit=100')).body.response.count).toBe(100);
    expect((await list(fake, 'customer', 'cursor=100&limit=100')).body.response.count).toBe(100);
    fake.setBehaviour({ emptyPages: null });
    expect((await list(fake, 'invoice', 'cursor=100&limit=100')).body.response.count).toBe(100);
  });
});

describe('app shape', () => {
  test('per-type record counts: named types get exactly theirs, the rest of `records` is split over the others', async () => {
    const fake = await start({ records: 200_000, typeRecords: { invoice: 60_000, payment: 60_000 }, countTimeout: { above: 50_000 } });
    expect(fake.count('invoice')).toBe(60_000);
    expect(fake.count('payment')).toBe(60_000);
    expect(fake.data.total).toBe(200_000);
    // The other 80,000 by weight (user 6, customer 25, agreement 15, agent 1.5, package 0.5).
    expect(['user', 'customer', 'agreement', 'agent', 'package'].map((t) => fake.data.count(t))).toEqual([
      10_000, 41_667, 25_000, 2_500, 833,
    ]);
    expect((await list(fake, 'invoice', 'limit=1')).status).toBe(504);
    const deep = await list(fake, 'invoice', 'cursor=49900&limit=100&exclude_remaining=true');
    expect(deep.body.response.results[0]!['_id']).toBe(fake.data.idOf('invoice', 49_900));
    expect(deep.body.response.results.at(-1)!['_id']).toBe(fake.data.idOf('invoice', 49_999));
    expect((await list(fake, 'invoice', 'cursor=49901&limit=100&exclude_remaining=true')).body.response.count).toBe(0);
  });

  test('bulk imports: a run of records shares one Created Date, ordered by _id', async () => {
    const fake = await start({ bulkImports: [{ type: 'invoice', from: 100, count: 250 }] });
    const all = [...fake.allRecords('invoice')];
    const stamp = all[100]!['Created Date'];
    expect(all.filter((r) => r['Created Date'] === stamp)).toHaveLength(250);
    expect(all.slice(100, 350).every((r) => r['Created Date'] === stamp)).toBe(true);
    expect(Date.parse(all[99]!['Created Date'] as string)).toBeLessThan(Date.parse(stamp as string));
    expect(Date.parse(all[350]!['Created Date'] as string)).toBeGreaterThan(Date.parse(stamp as string));
    const sorted = ids(all.slice(100, 350));
    expect(sorted).toEqual([...sorted].sort());
    const tied = await list(fake, 'invoice', `limit=100&${where([{ key: 'Created Date', constraint_type: 'equals', value: stamp }])}`);
    expect(tied.body.response.count + tied.body.response.remaining!).toBe(250);
  });

  test('bulk imports outside the type or overlapping are refused', async () => {
    await expect(startFakeBubble({ records: 1400, bulkImports: [{ type: 'invoice', from: 400, count: 100 }] })).rejects.toThrow(
      /inside the type's 448/,
    );
    await expect(
      startFakeBubble({
        records: 1400,
        bulkImports: [
          { type: 'invoice', from: 0, count: 10 },
          { type: 'invoice', from: 5, count: 10 },
        ],
      }),
    ).rejects.toThrow(/overlap/);
    await expect(startFakeBubble({ records: 1400, typeRecords: { spaceship: 5 } })).rejects.toThrow(/unknown type/);
  });
});

describe('/meta and record keys', () => {
  test('/meta says use_captions_for_get: true with captions, false with field ids, absent when omitted', async () => {
    expect((await get(await start({}), '/api/1.1/meta')).body.app_data).toEqual({ appname: 'acme-solar', use_captions_for_get: true });
    expect((await get(await start({ captions: false }), '/api/1.1/meta')).body.app_data.use_captions_for_get).toBe(false);
    expect((await get(await start({ meta: { omitCaptionsFlag: true } }), '/api/1.1/meta')).body.app_data).toEqual({
      appname: 'acme-solar',
    });
  });

  test('sanitised caption keys: records and constraints use the sanitised name, /meta keeps the display name', async () => {
    const fake = await start({ captionKeys: 'sanitised' });
    const meta = (await get(fake, '/api/1.1/meta')).body;
    expect(meta.types.invoice.fields.map((f: { display: string }) => f.display)).toContain('Price ($)');
    const page = (await list(fake, 'invoice', 'limit=100')).body.response.results;
    const keys = new Set(page.flatMap((r) => Object.keys(r)));
    expect(keys).toContain('Price');
    expect(keys).toContain('Paid');
    expect(keys).not.toContain('Price ($)');
    expect(keys).toContain('Invoice Number');
    const paid = await list(fake, 'invoice', `limit=100&${where([{ key: 'Paid', constraint_type: 'equals', value: true }])}`);
    expect(paid.status).toBe(200);
    expect(paid.body.response.results.every((r) => r['Paid'] === true)).toBe(true);
    expect(paid.body.response.count).toBeGreaterThan(0);
  });
});

describe('hang fault', () => {
  test('a hanging request never answers; the client giving up ends it and the next request is served', async () => {
    const fake = await start({});
    fake.faults.hang({ match: (r) => r.type === 'agent' });
    const abort = new AbortController();
    const hanging = get(fake, '/api/1.1/obj/agent?limit=1', abort.signal).catch((err: unknown) => err);
    await until(() => fake.log.some((e) => e.fault === 'hang'));
    expect((await list(fake, 'package', 'limit=1')).status).toBe(200);
    expect(fake.stats.inFlight).toBe(1);
    abort.abort();
    expect(await hanging).toMatchObject({ name: 'AbortError' });
    await until(() => fake.stats.inFlight === 0);
    expect(fake.log.find((e) => e.fault === 'hang')!.status).toBe(0);
    expect((await list(fake, 'agent', 'limit=1')).status).toBe(200);
  });

  test('closing the server ends a hanging request', async () => {
    const fake = await startFakeBubble({ records: 100 });
    fake.faults.hang();
    const hanging = get(fake, '/api/1.1/meta').catch((err: unknown) => err);
    await until(() => fake.stats.inFlight === 1);
    await fake.close();
    expect(await hanging).toMatchObject({ message: 'fetch failed' });
    expect(fake.stats.inFlight).toBe(0);
  });
});

describe('bubble-runtime fake-bubble flags', () => {
  const defaults: FakeFlags = {
    records: '10000',
    latency: '0',
    jitter: '0',
    port: '0',
    rateLimit: '0',
    seed: '1',
    offsetCap: '50000',
    offsetCapAnswer: 'empty',
    countTimeoutDelay: '0',
    countTimeoutStatus: '504',
    shortPagesRemaining: 'after-returned',
    captionsFlag: true,
  };

  test('the defaults are real Bubble: captions on, display keys, the flag in /meta, cap 50,000 answered empty', () => {
    expect(fakeOptionsFromFlags(defaults)).toEqual({
      records: 10_000,
      latencyMs: 0,
      jitterMs: 0,
      port: 0,
      rateLimitRpm: 0,
      seed: 1,
      offsetCap: { limit: 50_000, answer: 'empty' },
      captions: true,
      captionKeys: 'display',
      meta: { omitCaptionsFlag: false },
    });
  });

  test('every knob has a flag', () => {
    const options = fakeOptionsFromFlags({
      ...defaults,
      records: '200000',
      offsetCap: '40000',
      offsetCapAnswer: 'error',
      countTimeoutAbove: '50000',
      countTimeoutDelay: '2000',
      countTimeoutStatus: '500',
      shortPages: '0.03',
      shortPagesRemaining: 'after-limit',
      shortPageSize: '7',
      emptyPages: '0.01',
      typeRecords: 'invoice=60000,payment=60000',
      bulkImports: 'invoice:1000:5000,payment:0:300',
      fieldIds: true,
      sanitisedKeys: true,
      captionsFlag: false,
    });
    expect(options).toMatchObject({
      records: 200_000,
      offsetCap: { limit: 40_000, answer: 'error' },
      countTimeout: { above: 50_000, delayMs: 2000, status: 500 },
      shortPages: { fraction: 0.03, remaining: 'after-limit', size: 7 },
      emptyPages: { fraction: 0.01 },
      typeRecords: { invoice: 60_000, payment: 60_000 },
      bulkImports: [
        { type: 'invoice', from: 1000, count: 5000 },
        { type: 'payment', from: 0, count: 300 },
      ],
      captions: false,
      meta: { omitCaptionsFlag: true },
    });
  });

  test.each([
    [{ offsetCapAnswer: 'maybe' }, /--offset-cap-answer must be one of empty, error/],
    [{ shortPages: '3' }, /--short-pages must be a fraction/],
    [{ typeRecords: 'invoice' }, /--type-records takes type=count/],
    [{ bulkImports: 'invoice:1' }, /--bulk-imports takes type:from:count/],
    [{ countTimeoutAbove: '-1' }, /--count-timeout-above must be a whole number/],
  ])('a bad value is a usage error: %j', (bad, message) => {
    expect(() => fakeOptionsFromFlags({ ...defaults, ...bad })).toThrow(message);
  });
});
