/**
 * The fake Data API behaves like Bubble: paging, constraints, sorting, sparse records, errors, the
 * version-test database, mutations and the maximum offset. Checked through plain HTTP (fetch) and
 * against `allRecords`, the server's own view of the data.
 */
import { spawn } from 'node:child_process';
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import { SAMPLE_APP, SampleData } from '../../runtime/sample-app/index.js';

type Rec = Record<string, unknown>;

let fake: FakeBubble;

beforeAll(async () => {
  fake = await startFakeBubble({ records: 1400, seed: 7, offsetCap: { limit: 500, answer: 'error' } });
});
afterAll(async () => {
  await fake.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of every shape, read loosely by the assertions
async function get(path: string, token = fake.token): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function readAll(type: string, limit: number, extra = ''): Promise<Rec[]> {
  const out: Rec[] = [];
  for (let cursor = 0; ;) {
    const { status, body } = await get(`/api/1.1/obj/${type}?cursor=${cursor}&limit=${limit}${extra}`);
    expect(status).toBe(200);
    const r = body.response;
    expect(r.cursor).toBe(cursor);
    expect(r.count).toBe(r.results.length);
    expect(r.count).toBeLessThanOrEqual(Math.min(limit, 100));
    out.push(...r.results);
    if (r.remaining === 0) return out;
    cursor += r.count;
  }
}

function where(type: string, pred: (r: Rec) => boolean): Rec[] {
  return [...fake.allRecords(type)].filter(pred);
}

const ids = (records: Rec[]): string[] => records.map((r) => r['_id'] as string);

describe('paging', () => {
  test.each([7, 33, 100, 250])('reading every page with limit %i yields exactly the fixture data in order', async (limit) => {
    const records = await readAll('customer', limit);
    expect(records).toEqual([...fake.allRecords('customer')]);
    expect(records.length).toBe(fake.count('customer'));
  });

  test('default order is Created Date ascending with _id breaking deliberate ties', async () => {
    const records = [...fake.allRecords('invoice')];
    let ties = 0;
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1]!;
      const b = records[i]!;
      const da = Date.parse(a['Created Date'] as string);
      const db = Date.parse(b['Created Date'] as string);
      expect(da).toBeLessThanOrEqual(db);
      if (da === db) {
        ties++;
        expect((a['_id'] as string) < (b['_id'] as string)).toBe(true);
      }
    }
    expect(ties).toBeGreaterThan(10);
  });

  test('exclude_remaining drops the remaining count', async () => {
    const { body } = await get('/api/1.1/obj/agent?limit=5&exclude_remaining=true');
    expect(body.response.remaining).toBeUndefined();
    expect(body.response.count).toBe(5);
  });

  test('records are sparse: empty fields are omitted, never null', () => {
    for (const r of fake.allRecords('payment'))
      for (const v of Object.values(r)) expect(v === null || v === '' || (Array.isArray(v) && v.length === 0)).toBe(false);
    const withRefund = where('payment', (r) => 'Refund Amount' in r).length;
    expect(withRefund).toBeLessThan(fake.count('payment') / 4);
  });

  test("with offsetCap answer 'error', a page reaching past the cap (cursor + limit > cap) is refused with 400", async () => {
    expect(fake.count('invoice')).toBe(448);
    const ok = await get('/api/1.1/obj/invoice?cursor=400&limit=100');
    expect(ok.status).toBe(200);
    expect(ok.body.response.count).toBe(48);
    const refused = await get('/api/1.1/obj/invoice?cursor=401&limit=100');
    expect(refused.status).toBe(400);
    expect(refused.body.body.message).toMatch(/too large/);
    expect((await get('/api/1.1/obj/invoice?cursor=447&limit=54')).status).toBe(400);
    expect((await get('/api/1.1/obj/invoice?cursor=447&limit=53')).status).toBe(200);
  });
});

describe('constraints', () => {
  const q = (constraints: unknown[], more = '') => `&constraints=${encodeURIComponent(JSON.stringify(constraints))}${more}`;

  test('equals / not equal on an option set', async () => {
    expect(ids(await readAll('invoice', 100, q([{ key: 'Status', constraint_type: 'equals', value: 'Paid' }])))).toEqual(
      ids(where('invoice', (r) => r['Status'] === 'Paid')),
    );
    expect(ids(await readAll('invoice', 100, q([{ key: 'Status', constraint_type: 'not equal', value: 'Paid' }])))).toEqual(
      ids(where('invoice', (r) => r['Status'] !== 'Paid')),
    );
  });

  test('is_empty / is_not_empty', async () => {
    expect(ids(await readAll('customer', 100, q([{ key: 'Logo', constraint_type: 'is_empty' }])))).toEqual(
      ids(where('customer', (r) => !('Logo' in r))),
    );
    expect(ids(await readAll('customer', 100, q([{ key: 'Logo', constraint_type: 'is_not_empty' }])))).toEqual(
      ids(where('customer', (r) => 'Logo' in r)),
    );
  });

  test('text contains (case-insensitive) and not text contains', async () => {
    const has = (r: Rec) => typeof r['Customer Name'] === 'string' && (r['Customer Name'] as string).toLowerCase().includes('an');
    expect(ids(await readAll('customer', 100, q([{ key: 'Customer Name', constraint_type: 'text contains', value: 'AN' }])))).toEqual(
      ids(where('customer', has)),
    );
    expect(ids(await readAll('customer', 100, q([{ key: 'Customer Name', constraint_type: 'not text contains', value: 'an' }])))).toEqual(
      ids(where('customer', (r) => !has(r))),
    );
  });

  test('greater than / less than on numbers and on Created Date, Modified Date, _id', async () => {
    expect(ids(await readAll('invoice', 100, q([{ key: 'Amount', constraint_type: 'greater than', value: 30000 }])))).toEqual(
      ids(where('invoice', (r) => (r['Amount'] as number) > 30000)),
    );
    const all = [...fake.allRecords('invoice')];
    const pivot = all[200]!;
    const created = Date.parse(pivot['Created Date'] as string);
    expect(
      ids(await readAll('invoice', 100, q([{ key: 'Created Date', constraint_type: 'greater than', value: pivot['Created Date'] }]))),
    ).toEqual(ids(all.filter((r) => Date.parse(r['Created Date'] as string) > created)));
    expect(
      ids(await readAll('invoice', 100, q([{ key: 'Created Date', constraint_type: 'less than', value: pivot['Created Date'] }]))),
    ).toEqual(ids(all.filter((r) => Date.parse(r['Created Date'] as string) < created)));
    const mod = '2024-01-01T00:00:00.000Z';
    expect(ids(await readAll('invoice', 100, q([{ key: 'Modified Date', constraint_type: 'greater than', value: mod }])))).toEqual(
      ids(all.filter((r) => Date.parse(r['Modified Date'] as string) > Date.parse(mod))),
    );
    const id = pivot['_id'] as string;
    expect(ids(await readAll('invoice', 100, q([{ key: '_id', constraint_type: 'greater than', value: id }], '&sort_field=_id')))).toEqual(
      ids(all.filter((r) => (r['_id'] as string) > id)).sort(),
    );
  });

  test('in / not in', async () => {
    const wanted = ['EUR', 'GBP'];
    expect(ids(await readAll('invoice', 100, q([{ key: 'Currency', constraint_type: 'in', value: wanted }])))).toEqual(
      ids(where('invoice', (r) => wanted.includes(r['Currency'] as string))),
    );
    expect(ids(await readAll('invoice', 100, q([{ key: 'Currency', constraint_type: 'not in', value: wanted }])))).toEqual(
      ids(where('invoice', (r) => !wanted.includes(r['Currency'] as string))),
    );
  });

  test('contains / not contains on a list field', async () => {
    const has = (r: Rec) => Array.isArray(r['Features']) && (r['Features'] as string[]).includes('Battery');
    expect(ids(await readAll('package', 100, q([{ key: 'Features', constraint_type: 'contains', value: 'Battery' }])))).toEqual(
      ids(where('package', has)),
    );
    expect(ids(await readAll('package', 100, q([{ key: 'Features', constraint_type: 'not contains', value: 'Battery' }])))).toEqual(
      ids(where('package', (r) => !has(r))),
    );
  });

  test('several constraints combine with AND; a reference equals an id', async () => {
    const customer = [...fake.allRecords('customer')][3]!['_id'];
    const got = await readAll(
      'invoice',
      10,
      q([
        { key: 'Customer', constraint_type: 'equals', value: customer },
        { key: 'Amount', constraint_type: 'greater than', value: 0 },
      ]),
    );
    expect(ids(got)).toEqual(ids(where('invoice', (r) => r['Customer'] === customer)));
    expect(got.length).toBeGreaterThan(0);
  });

  test('an unknown field or constraint type answers 400', async () => {
    expect((await get(`/api/1.1/obj/invoice?${q([{ key: 'Nope', constraint_type: 'equals', value: 1 }]).slice(1)}`)).status).toBe(400);
    expect((await get(`/api/1.1/obj/invoice?${q([{ key: 'Amount', constraint_type: 'roughly', value: 1 }]).slice(1)}`)).status).toBe(400);
  });
});

describe('sorting', () => {
  test('sort_field with descending, ties broken by _id', async () => {
    const got = await readAll('invoice', 100, '&sort_field=Amount&descending=true');
    const amounts = got.map((r) => r['Amount'] as number);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(new Set(ids(got))).toEqual(new Set(ids([...fake.allRecords('invoice')])));
  });

  test('Modified Date ascending is non-decreasing; additional_sort_fields order within equal keys', async () => {
    const got = await readAll(
      'agreement',
      100,
      `&sort_field=Status&additional_sort_fields=${encodeURIComponent(JSON.stringify([{ sort_field: 'Monthly Fee', descending: true }]))}`,
    );
    for (let i = 1; i < got.length; i++) {
      const a = got[i - 1]!;
      const b = got[i]!;
      expect((a['Status'] as string) <= (b['Status'] as string)).toBe(true);
      if (a['Status'] === b['Status'] && typeof a['Monthly Fee'] === 'number' && typeof b['Monthly Fee'] === 'number') {
        expect(a['Monthly Fee']).toBeGreaterThanOrEqual(b['Monthly Fee']);
      }
    }
    const byMod = await readAll('agreement', 100, '&sort_field=Modified%20Date');
    const mods = byMod.map((r) => Date.parse(r['Modified Date'] as string));
    expect(mods).toEqual([...mods].sort((a, b) => a - b));
  });
});

describe('errors, single objects and the development database', () => {
  test('a bad token answers 401 with a Bubble-like body', async () => {
    const { status, body } = await get('/api/1.1/obj/user', 'not-the-token');
    expect(status).toBe(401);
    expect(body.statusCode).toBe(401);
    expect(body.body.status).toBe('UNAUTHORIZED');
  });

  test('an unknown type answers 404', async () => {
    expect((await get('/api/1.1/obj/spaceship')).status).toBe(404);
  });

  test('GET /obj/<type>/<id> returns the record; a missing id is MISSING_DATA', async () => {
    const first = [...fake.allRecords('agent')][5]!;
    const { body } = await get(`/api/1.1/obj/agent/${first['_id'] as string}`);
    expect(body.response).toEqual(first);
    const missing = await get('/api/1.1/obj/agent/1600000000000x123');
    expect(missing.status).toBe(404);
    expect(missing.body.body.status).toBe('MISSING_DATA');
  });

  test('/version-test serves its own smaller data set', async () => {
    const live = await get('/api/1.1/obj/customer?limit=1');
    const dev = await get('/version-test/api/1.1/obj/customer?limit=1');
    expect(dev.status).toBe(200);
    expect(dev.body.response.results[0]._id).not.toBe(live.body.response.results[0]._id);
    expect(dev.body.response.remaining + 1).toBe(fake.count('customer', 'test'));
    expect((await get('/version-test/api/1.1/meta')).body.types.customer.display).toBe('Customer');
  });

  test('/meta lists the seven types with their fields', async () => {
    const { body } = await get('/api/1.1/meta');
    expect(body.get).toEqual(['user', 'customer', 'invoice', 'payment', 'agreement', 'agent', 'package']);
    expect(body.types.invoice.fields).toContainEqual({ id: '2nd_payment_number', display: '2nd Payment %', type: 'number' });
    expect(body.app_data.appname).toBe('acme-solar');
  });
});

describe('mutations while running', () => {
  test('insert, modify and delete are visible to searches and to allRecords', async () => {
    const before = fake.count('package');
    const added = fake.mutate.insert('package', { Name: 'Inserted Package' });
    const all = [...fake.allRecords('package')];
    expect(all.at(-1)!['_id']).toBe(added['_id']);
    expect(fake.count('package')).toBe(before + 1);

    const target = all[2]!;
    const changed = fake.mutate.modify('package', target['_id'] as string, { Name: 'Renamed', Color: undefined });
    expect(changed['Name']).toBe('Renamed');
    expect('Color' in changed).toBe(false);
    expect(Date.parse(changed['Modified Date'] as string)).toBeGreaterThan(Date.parse(target['Modified Date'] as string));
    const recent = await readAll(
      'package',
      100,
      `&constraints=${encodeURIComponent(JSON.stringify([{ key: 'Modified Date', constraint_type: 'greater than', value: target['Modified Date'] }]))}&sort_field=Modified%20Date`,
    );
    expect(ids(recent).slice(-2)).toEqual([added['_id'], target['_id']]);

    fake.mutate.delete('package', all[0]!['_id'] as string);
    const after = await readAll('package', 100);
    expect(ids(after)).not.toContain(all[0]!['_id']);
    expect(after).toEqual([...fake.allRecords('package')]);
    expect((await get(`/api/1.1/obj/package/${all[0]!['_id'] as string}`)).status).toBe(404);
  });
});

describe('generated data', () => {
  test('is deterministic per seed and consistent across types', () => {
    const a = new SampleData(SAMPLE_APP, { seed: 3, records: 2000 });
    const b = new SampleData(SAMPLE_APP, { seed: 3, records: 2000 });
    const c = new SampleData(SAMPLE_APP, { seed: 4, records: 2000 });
    expect(a.record('invoice', 17)).toEqual(b.record('invoice', 17));
    expect(a.record('invoice', 17)).not.toEqual(c.record('invoice', 17));
    // invoice → customer and customer → invoices agree; payment → invoice → customer agree.
    for (let i = 0; i < 50; i++) {
      const invoice = a.record('invoice', i);
      const customerIndex = a.parentIndexOf('invoice', i, 'customer');
      expect(invoice['Customer']).toBe(a.idOf('customer', customerIndex));
      expect(a.record('customer', customerIndex)['Invoices']).toContain(invoice['_id']);
      const payment = a.record('payment', i);
      const invoiceIndex = a.parentIndexOf('payment', i, 'invoice');
      expect(payment['Invoice']).toBe(a.idOf('invoice', invoiceIndex));
      expect(payment['Customer']).toBe(a.record('invoice', invoiceIndex)['Customer']);
    }
  });

  test('values look like Bubble: ids, ISO dates with ms, protocol-relative files, addresses', () => {
    const d = new SampleData(SAMPLE_APP);
    const records = Array.from({ length: 200 }, (_, i) => d.record('user', i));
    for (const r of records) {
      expect(r['_id']).toMatch(/^\d{13}x\d{18}$/);
      expect(r['Created Date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if ('Avatar' in r) expect(r['Avatar']).toMatch(/^\/\/s3\.amazonaws\.com\/appforest_uf\//);
      if ('Home Address' in r) expect(Object.keys(r['Home Address'] as object).sort()).toEqual(['address', 'lat', 'lng']);
    }
    expect(records.some((r) => 'authentication' in r)).toBe(true);
  });

  test('500,000 records: any record is computed on demand and a keyset page near the end is served', async () => {
    const big = await startFakeBubble({ records: 500_000 });
    try {
      expect(big.data.count('invoice')).toBe(160_000);
      const last = big.data.record('invoice', 159_999);
      const res = await fetch(
        `${big.url}/api/1.1/obj/invoice?limit=100&constraints=${encodeURIComponent(JSON.stringify([{ key: 'Created Date', constraint_type: 'greater than', value: '2024-12-20T00:00:00.000Z' }]))}`,
        { headers: { Authorization: `Bearer ${big.token}` } },
      );
      const body = (await res.json()) as { response: { results: Rec[]; remaining: number; count: number } };
      const { results, remaining, count } = body.response;
      expect(count + remaining).toBeGreaterThan(0);
      if (remaining === 0) expect(results.at(-1)!['_id']).toBe(last['_id']);
    } finally {
      await big.close();
    }
  });
});

test('close() ends answers still waiting out their latency: nothing keeps a finished process alive', async () => {
  // A child process whose only request waits a minute on the server: after close() it must exit by itself.
  const script = [
    `const { startFakeBubble } = await import(${JSON.stringify(new URL('../../dist/runtime/fake-bubble/index.js', import.meta.url).href)});`,
    'const fake = await startFakeBubble({ records: 7, latencyMs: 60_000 });',
    "const pending = fetch(`${fake.url}/api/1.1/meta`, { headers: { Authorization: `Bearer ${fake.token}` } }).catch(() => 'closed');",
    'await new Promise((r) => setImmediate(r));',
    'await fake.close();',
    'console.log(await pending);',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect([code, out.trim()]).toEqual([0, 'closed']);
}, 30_000);
