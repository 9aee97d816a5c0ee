/**
 * `introspect` against the fake app: it reproduces the committed fixture dictionary byte for byte,
 * changes nothing on a re-run, merges append-only, writes nothing on failure, infers fields /meta does
 * not list, and flags fields whose values disagree with their declared type.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import { SAMPLE_APP, buildMeta, sanitisedCaption } from '../../runtime/sample-app/index.js';
import { type Dictionary, dictionarySchema } from '../../core/dictionary/schema.js';
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';
import { BubbleError } from '../../core/errors.js';
import { introspect, renderSummary, serializeDictionary } from '../../runtime/introspect/index.js';

const COMMITTED = join(process.cwd(), 'fixtures/sample-app/dictionary.json');
const BIN = join(process.cwd(), 'dist/runtime/cli/bin.js');

let fake: FakeBubble;

beforeAll(async () => {
  fake = await startFakeBubble();
});
afterAll(async () => {
  await fake.close();
});

const clientOf = (server: FakeBubble, token = server.token) =>
  createBubbleClient({ appUrl: server.url, token, rateLimitRpm: 0, gate: createGate(0, 4), retry: { maxAttempts: 2, baseDelayMs: 1 } });
const tempDir = () => mkdtempSync(join(tmpdir(), 'bubble-introspect-'));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('introspect of the sample app reproduces the committed fixture dictionary exactly', async () => {
  const out = join(tempDir(), 'bubble', 'dictionary.json');
  const result = await introspect({ client: clientOf(fake), out });
  expect(result.written).toBe(true);
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  expect(dictionarySchema.parse(JSON.parse(readFileSync(out, 'utf8')))).toEqual(result.dictionary);
});

test('the CLI writes the same bytes, prints a one-screen summary, and a re-run changes nothing', async () => {
  const dir = tempDir();
  const out = join(dir, 'dictionary.json');
  const env = { BUBBLE_APP_URL: fake.url, BUBBLE_API_TOKEN: fake.token };
  const first = await runCli(['introspect', '--out', out], env);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  expect(first.stdout).toMatch(/Introspected acme-solar: 7 types/);
  expect(first.stdout).toMatch(/invoice\."Amount Eligible for Comm"\s+declared number, saw number\+string/);
  expect(first.stdout.split('\n').length).toBeLessThan(25);
  expect(first.stdout).not.toMatch(/\u001b\[/);
  const second = await runCli(['introspect', '--out', out, '--json'], env);
  expect(second.code).toBe(0);
  expect(JSON.parse(second.stdout)).toMatchObject({ written: false, app: 'acme-solar', fields: expect.any(Number) });
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(fake.token);
});

test('the committed dictionary covers every Bubble field type and the naming edge cases', () => {
  const dictionary = dictionarySchema.parse(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  const fields = dictionary.types.flatMap((t) => t.fields);
  const types = new Set(fields.map((f) => f.type));
  for (const t of [
    'text',
    'number',
    'boolean',
    'date',
    'date_range',
    'number_range',
    'geographic_address',
    'image',
    'file',
    'user',
    'custom.customer',
    'option.role',
    'list.custom.invoice',
    'list.text',
    'list.number',
    'list.date',
    'list.image',
  ]) {
    expect(types).toContain(t);
  }
  const keys = new Set(fields.map((f) => f.key));
  for (const k of [
    '2nd Payment %',
    '1st Payment %',
    'Commission Paid?',
    'Amount Eligible for Comm',
    'Payment Method V2',
    'Is Admin?',
    'select',
    'id',
    'ID',
    'from',
    'constructor',
    'Ünïcödé Notes',
    '🏠 Address',
    'Customer Name',
    'customer-name',
    'customer_name',
    '"quoted" "name',
    '# of units',
    'Price ($)',
    'Tax/VAT',
  ]) {
    expect(keys).toContain(k);
  }
  expect([...keys].some((k) => k.includes('\\'))).toBe(true);
  const long = [...keys].filter((k) => Buffer.byteLength(k) > 63);
  expect(long.length).toBeGreaterThanOrEqual(2);
  expect(Buffer.from(long[0]!).subarray(0, 63)).toEqual(Buffer.from(long[1]!).subarray(0, 63));
  expect(fields.filter((f) => !f.builtin).length).toBeGreaterThanOrEqual(164);
  for (const t of dictionary.types) {
    const firstNonBuiltin = t.fields.findIndex((f) => !f.builtin);
    expect(t.fields.slice(firstNonBuiltin).some((f) => f.builtin)).toBe(false);
    expect(t.fields.slice(0, 3).map((f) => f.key)).toEqual(['_id', 'Created Date', 'Modified Date']);
  }
  expect(dictionary.types.find((t) => t.name === 'customer')!.fields.map((f) => f.key)).toContain('Slug');
});

test('append-only merge: known order kept, new appended, vanished marked removed', async () => {
  const out = join(tempDir(), 'dictionary.json');
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Dictionary;
  // An older dictionary: types in another order, one field the app no longer has, one field missing,
  // and a type the app no longer exposes.
  const older: Dictionary = structuredClone(committed);
  older.types.reverse();
  const pkg = older.types.find((t) => t.name === 'package')!;
  pkg.fields.splice(5, 0, { key: 'Old Field', display: 'Old Field', type: 'text' });
  const agent = older.types.find((t) => t.name === 'agent')!;
  const dropped = agent.fields.splice(4, 1)[0]!;
  older.types.push({
    name: 'legacyorder',
    display: 'Legacy Order',
    fields: [{ key: '_id', display: 'unique ID', type: 'text', builtin: true }],
  });
  writeFileSync(out, serializeDictionary(older));

  const { dictionary } = await introspect({ client: clientOf(fake), out });
  expect(dictionary.types.map((t) => t.name)).toEqual(older.types.map((t) => t.name));
  expect(dictionary.types.at(-1)).toMatchObject({ name: 'legacyorder', removed: true });
  const newPkg = dictionary.types.find((t) => t.name === 'package')!;
  expect(newPkg.fields[5]).toMatchObject({ key: 'Old Field', removed: true });
  expect(newPkg.fields.map((f) => f.key).filter((k) => k !== 'Old Field')).toEqual(
    committed.types.find((t) => t.name === 'package')!.fields.map((f) => f.key),
  );
  const newAgent = dictionary.types.find((t) => t.name === 'agent')!;
  expect(newAgent.fields.at(-1)!.key).toBe(dropped.key);
  expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(dictionary);
});

test('--types introspects only those types and leaves the others untouched', async () => {
  const out = join(tempDir(), 'dictionary.json');
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Dictionary;
  const edited = structuredClone(committed);
  edited.types[0]!.display = 'Hand-edited User';
  writeFileSync(out, serializeDictionary(edited));
  const result = await introspect({ client: clientOf(fake), out, types: ['invoice'] });
  expect(result.dictionary.types[0]!.display).toBe('Hand-edited User');
  expect(result.summary.types.map((t) => t.name)).toEqual(['invoice']);
  await expect(introspect({ client: clientOf(fake), out, types: ['spaceship'] })).rejects.toThrow(/does not expose "spaceship"/);
});

test('a failed run leaves the existing dictionary untouched and no partial or temp file', async () => {
  const dir = tempDir();
  const out = join(dir, 'dictionary.json');
  writeFileSync(out, '{"version":1,"app":{"name":"kept"},"types":[]}\n');
  const before = readFileSync(out, 'utf8');
  const bad = await introspect({ client: clientOf(fake, 'wrong-token'), out }).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(BubbleError);
  // A server that dies halfway through sampling.
  fake.faults.status(500, { times: Infinity, match: (r) => r.type === 'payment' });
  const midway = await introspect({ client: clientOf(fake), out }).catch((e: unknown) => e);
  fake.faults.clear();
  expect(midway).toBeInstanceOf(BubbleError);
  expect(readFileSync(out, 'utf8')).toBe(before);
  expect(readdirSync(dir)).toEqual(['dictionary.json']);

  const cli = await runCli(['introspect', '--out', join(dir, 'new.json')], { BUBBLE_APP_URL: fake.url, BUBBLE_API_TOKEN: 'wrong-token' });
  expect(cli.code).toBe(1);
  expect(cli.stderr).toMatch(/refused the API token/);
  expect(readdirSync(dir)).toEqual(['dictionary.json']);
  const usage = await runCli(['introspect', '--out', join(dir, 'new.json'), '--sample', 'lots'], {
    BUBBLE_APP_URL: fake.url,
    BUBBLE_API_TOKEN: fake.token,
  });
  expect(usage.code).toBe(2);
});

test("an invalid existing dictionary is refused before any request, with the generator reader's JSON-path message", async () => {
  const out = join(tempDir(), 'dictionary.json');
  writeFileSync(
    out,
    '{"version": 1, "app": {"name": "x"}, "types": [{"name": "t", "display": "T", "fields": [{"key": "k", "display": "K"}]}]}',
  );
  fake.resetStats();
  const err = (await introspect({ client: clientOf(fake), out }).catch((e: unknown) => e)) as BubbleError;
  expect(err.code).toBe('DICTIONARY');
  expect(err.message).toBe(`Data dictionary ${out}: $.types[0].fields[0].type: missing (expected string).`);
  expect(err.hint).toMatch(/will not overwrite what it cannot read/);
  writeFileSync(out, '{"version": 2}');
  await expect(introspect({ client: clientOf(fake), out })).rejects.toThrow(
    /is format version 2; prisma-generator-bubble \S+ reads version 1/,
  );
  expect(fake.log.filter((e) => e.kind === 'list')).toHaveLength(0);
});

test('keys a newer release added to the dictionary survive a merge by this one', async () => {
  const out = join(tempDir(), 'dictionary.json');
  const first = await introspect({ client: clientOf(fake), types: ['package'], out });
  const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> & {
    types: Array<Record<string, unknown> & { fields: Array<Record<string, unknown>> }>;
  };
  written.futureTopLevel = { a: 1 };
  written.types[0]!.futureType = 'kept';
  written.types[0]!.fields[1]!.futureField = true;
  writeFileSync(out, JSON.stringify(written));
  await introspect({ client: clientOf(fake), types: ['package'], out });
  const merged = JSON.parse(readFileSync(out, 'utf8')) as typeof written;
  expect(merged.futureTopLevel).toEqual({ a: 1 });
  expect(merged.types[0]!.futureType).toBe('kept');
  expect(merged.types[0]!.fields[1]!.futureField).toBe(true);
  expect(merged.types[0]!.fields.map((f) => f.key)).toEqual(first.dictionary.types[0]!.fields.map((f) => f.key));
});

test('fields are inferred from samples when /meta lists none; captions off gives id keys', async () => {
  const bare = await startFakeBubble({ records: 700, meta: { omitFieldsOf: ['agent'] }, captions: false });
  try {
    const { dictionary, summary } = await introspect({ client: clientOf(bare), types: ['agent', 'package'] });
    expect(dictionary.app.captions).toBe(false);
    const agent = dictionary.types.find((t) => t.name === 'agent')!;
    const byKey = new Map(agent.fields.map((f) => [f.key, f]));
    expect(byKey.get('hire_date_date')).toMatchObject({ type: 'date', inferred: true });
    expect(byKey.get('office_address_geographic_address')).toMatchObject({ type: 'geographic_address', inferred: true });
    expect(byKey.get('customers_list_custom_customer')).toMatchObject({ type: 'list.text', inferred: true });
    expect(byKey.get('is_active_boolean')).toMatchObject({ type: 'boolean', inferred: true });
    const pkg = dictionary.types.find((t) => t.name === 'package')!;
    const metaIds = buildMeta(SAMPLE_APP).types['package']!.fields.map((f) => f.id);
    expect(pkg.fields.filter((f) => !f.builtin).map((f) => f.key)).toEqual(metaIds);
    expect(summary.inferred.length).toBeGreaterThan(10);
    expect(renderSummary(summary, undefined)).toMatch(/Record keys are field ids/);
  } finally {
    await bare.close();
  }
});

test('sampling flags numbers sent as text and counts presence', async () => {
  const { dictionary } = await introspect({ client: clientOf(fake), types: ['invoice'], sample: 300 });
  const invoice = dictionary.types[0]!;
  expect(invoice.sampled).toBe(300);
  const amount = invoice.fields.find((f) => f.key === 'Amount Eligible for Comm')!;
  expect(amount.observed).toMatchObject({ valueTypes: ['number', 'string'], flagged: true });
  expect(amount.observed!.mismatches).toBeGreaterThan(0);
  const id = invoice.fields.find((f) => f.key === '_id')!;
  expect(id.observed).toEqual({ present: 1, valueTypes: ['string'] });
  const plain = invoice.fields.find((f) => f.key === 'Amount')!;
  expect(plain.observed!.flagged).toBeUndefined();
});

describe('large apps, captions and keys as real Bubble forms them', () => {
  test('a type of 60,000 records whose counting queries time out above 50,000, behind the empty-page offset cap: introspect completes, counts nothing, and its dictionary is the same as without those limits', async () => {
    const shape = { records: 70_000, typeRecords: { invoice: 60_000 }, seed: 5 };
    const limited = await startFakeBubble({ ...shape, countTimeout: { above: 50_000 }, offsetCap: { limit: 50_000, answer: 'empty' } });
    const plain = await startFakeBubble(shape);
    try {
      const { dictionary } = await introspect({ client: clientOf(limited) });
      expect(limited.count('invoice')).toBe(60_000);
      const lists = limited.log.filter((e) => e.kind === 'list');
      expect(lists.every((e) => e.status === 200 && e.excludeRemaining && e.counted === null)).toBe(true);
      expect(dictionary.types.find((t) => t.name === 'invoice')!.sampled).toBe(200);
      expect(dictionary).toEqual((await introspect({ client: clientOf(plain) })).dictionary);
      // Counting is what times out: the same first page with remaining counted answers 504.
      limited.resetStats();
      await expect(clientOf(limited).page('invoice', { limit: 1 })).rejects.toThrow(/HTTP 504/);
    } finally {
      await limited.close();
      await plain.close();
    }
  });

  test('an app that answers the first sample page empty while records remain is asked again differently: the type is still sampled', async () => {
    const odd = await startFakeBubble({ records: 1400, emptyPages: { match: (page) => page.cursor === 0 && page.limit === 100 } });
    try {
      const { dictionary } = await introspect({ client: clientOf(odd), types: ['customer'], sample: 300 });
      expect(dictionary.types[0]!.sampled).toBe(300);
      expect(odd.log.filter((e) => e.anomaly === 'empty-page').length).toBe(1);
    } finally {
      await odd.close();
    }
  });

  test('sampling reads on through short pages; only an empty page ends a type', async () => {
    const shorty = await startFakeBubble({ records: 1400, shortPages: { fraction: 1 } });
    try {
      const { dictionary } = await introspect({ client: clientOf(shorty), types: ['customer'], sample: 300 });
      expect(dictionary.types[0]!.sampled).toBe(300);
      expect(shorty.log.filter((e) => e.anomaly === 'short-page').length).toBeGreaterThan(0);
      const agent = await introspect({ client: clientOf(shorty), types: ['agent'] });
      expect(agent.dictionary.types[0]!.sampled).toBe(shorty.count('agent'));
    } finally {
      await shorty.close();
    }
  });

  test("/meta's use_captions_for_get decides captions; built-ins /meta lists (Creator, unique ID) become no fields; sanitised keys map to their declared field", async () => {
    const app = await startFakeBubble({ records: 1400, captionKeys: 'sanitised', meta: { listBuiltins: true } });
    try {
      const { dictionary, summary } = await introspect({ client: clientOf(app) });
      expect(dictionary.app.captions).toBe(true);
      expect(summary.captions).toBe(true);
      const user = dictionary.types.find((t) => t.name === 'user')!;
      expect(user.fields.find((f) => f.display === 'Is Admin?')).toMatchObject({
        key: 'Is Admin',
        id: 'is_admin_boolean',
        type: 'boolean',
      });
      expect(user.fields.some((f) => f.key === 'Is Admin?' || f.key === 'Creator' || f.display === 'Creator')).toBe(false);
      expect(user.fields.filter((f) => f.display === 'unique ID')).toEqual([expect.objectContaining({ key: '_id', builtin: true })]);
      const invoice = dictionary.types.find((t) => t.name === 'invoice')!;
      expect(invoice.fields.find((f) => f.display === 'Price ($)')!.key).toBe('Price');
      expect(invoice.fields.filter((f) => f.key === 'Created By')).toEqual([expect.objectContaining({ builtin: true })]);
      // Only the keys /meta really does not list are inferred; only fields empty in every sampled record go unseen.
      expect(summary.inferred.map((f) => `${f.type}.${f.key}`)).toEqual(['user.authentication', 'user.user_signed_up']);
      const unseen = dictionary.types.flatMap((t) => {
        const sampled = [...app.allRecords(t.name)].slice(0, 200);
        const declared = app.meta().types[t.name]!.fields.filter((f) => f.id !== f.display && f.id !== '_id' && f.id !== 'Created By');
        return declared
          .map((f) => sanitisedCaption(f.display))
          .filter((key) => sampled.every((r) => !(key in r)))
          .map((key) => ({ type: t.name, key, sampled: sampled.length }));
      });
      expect(summary.unseen).toEqual(unseen);
      // The committed dictionary's fields, keyed by the sanitised names instead.
      const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Dictionary;
      for (const type of committed.types) {
        const fresh = dictionary.types.find((t) => t.name === type.name)!;
        expect(fresh.fields.map((f) => f.display)).toEqual(type.fields.map((f) => f.display));
      }
    } finally {
      await app.close();
    }
  });

  test('without the flag in /meta, captions are judged from samples and Created By is no evidence either way', async () => {
    const ids = await startFakeBubble({ records: 700, captions: false, meta: { omitCaptionsFlag: true, listBuiltins: true } });
    const names = await startFakeBubble({ records: 700, captionKeys: 'sanitised', meta: { omitCaptionsFlag: true, listBuiltins: true } });
    try {
      expect((await introspect({ client: clientOf(ids), types: ['invoice'] })).dictionary.app.captions).toBe(false);
      expect((await introspect({ client: clientOf(names), types: ['invoice'] })).dictionary.app.captions).toBe(true);
    } finally {
      await ids.close();
      await names.close();
    }
  });

  test('declared fields no sampled record carried are flagged in the summary and its JSON', async () => {
    const { dictionary, summary } = await introspect({ client: clientOf(fake), types: ['package'], sample: 3 });
    const first = [...fake.allRecords('package')].slice(0, 3);
    const declared = fake.meta().types['package']!.fields.map((f) => f.display);
    const expected = declared.filter((key) => first.every((r) => !(key in r)));
    expect(expected.length).toBeGreaterThan(0);
    expect(summary.unseen).toEqual(expected.map((key) => ({ type: 'package', key, sampled: 3 })));
    expect(dictionary.types[0]!.fields.filter((f) => f.observed?.present === 0 && !f.builtin).map((f) => f.key)).toEqual(expected);
    expect(renderSummary(summary, undefined)).toMatch(/Not seen in any sampled record \(declared in \/meta/);
    expect(renderSummary(summary, undefined)).toContain(`package.${JSON.stringify(expected[0])}`);
  });
});
