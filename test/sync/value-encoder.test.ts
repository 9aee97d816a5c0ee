/**
 * The value encoder, directly: what the bulk upsert sends PostgreSQL for a page of records as Bubble
 * sent them — parsed (runtime/convert/json.ts), converted (runtime/convert), turned into rows
 * (runtime/sync/page-writer.ts) and encoded into the statement's one JSON parameter (runtime/db/upsert.ts,
 * encode.ts). Pure: no database; test/db/upsert.test.ts writes the same values and reads them back.
 */
import { compileConverter, JsonNumber, parseJson } from '../../runtime/convert/index.js';
import type { EncodeTally } from '../../runtime/db/encode.js';
import { buildUpsert } from '../../runtime/db/upsert.js';
import { upsertRow } from '../../runtime/sync/page-writer.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { testManifest } from './support/schema.js';

const item = testManifest().types.find((t) => t.name === 'item')!;

/** The item table's columns as the catalog reports them (`format_type`), see test/sync/support/schema.ts. */
const COLUMN_TYPES = new Map([
  ['_id', 'text'],
  ['Created Date', 'timestamp(3) with time zone'],
  ['Modified Date', 'timestamp(3) with time zone'],
  ['Created By', 'text'],
  ['Slug', 'text'],
  ['_raw', 'jsonb'],
  ['_unmapped', 'jsonb'],
  ['_sync_cursor_position', 'integer'],
  ['_sync_job_id', 'text'],
  ['_synced_at', 'timestamp(3) with time zone'],
  ['_updated_at', 'timestamp(3) with time zone'],
  ['_is_deleted', 'boolean'],
  ['_deleted_at', 'timestamp(3) with time zone'],
  ['Name', 'text'],
  ['Amount', 'double precision'],
  ['Paid?', 'boolean'],
  ['Due', 'timestamp(3) with time zone'],
  ['Tags', 'text[]'],
  ['Address', 'jsonb'],
]);

const upsert = buildUpsert(item, COLUMN_TYPES);
const converter = compileConverter(item);

/** Encodes records given as the JSON text Bubble sends: the parameter's text and, per row, its cells by column. */
function encode(body: string, tally?: EncodeTally): { text: string; rows: Array<Record<string, unknown>> } {
  const records = parseJson(body) as BubbleRecord[];
  const rows = records.map((record, i) => {
    const converted = converter.convert(record);
    if (converted.bubbleId === null) throw new Error('every record here has an _id');
    return upsertRow(record, { ...converted, bubbleId: converted.bubbleId }, i);
  });
  const [text, jobId] = upsert.params(rows, 'job-1', tally);
  expect(jobId).toBe('job-1');
  const cells = parseJson(text as string) as unknown[][];
  return { text: text as string, rows: cells.map((row) => Object.fromEntries(upsert.columns.map((column, i) => [column, row[i]]))) };
}

/** What PostgreSQL refuses: a lone UTF-16 surrogate (no UTF-8 form), or U+0000 raw or escaped. */
function storable(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() && !text.includes('\u0000') && !/\\u0000|\\ud[89a-f]/i.test(text);
}

test("each cell is its column's text input as a JSON string; json columns are spliced in as JSON itself", () => {
  const { rows } = encode(`[{"_id": "a1", "Created Date": "2024-01-02T03:04:05.678Z", "Slug": "unit-a", "Name": "Unit \\"A\\" \\\\ {x}",
    "Amount": 12.5, "Paid?": true, "Due": "2024-03-01T10:00:00.000Z", "Tags": ["x", "b,\\"c\\"}", "NULL"],
    "Address": {"address": "Main St", "lat": 1.5}, "extra": "é 🎉"}]`);
  expect(rows[0]).toMatchObject({
    _id: 'a1',
    'Created Date': '2024-01-02T03:04:05.678Z',
    'Modified Date': null,
    Slug: 'unit-a',
    Name: 'Unit "A" \\ {x}',
    Amount: '12.5',
    'Paid?': 'true',
    Due: '2024-03-01T10:00:00.000Z',
    // An array literal with every element quoted: commas, quotes, braces and the word NULL stay text.
    Tags: '{"x","b,\\"c\\"}","NULL"}',
    Address: { address: 'Main St', lat: 1.5 },
    _unmapped: { extra: 'é 🎉' },
    _sync_cursor_position: '0',
  });
  expect(rows[0]!._raw).toEqual(
    parseJson(`{"_id": "a1", "Created Date": "2024-01-02T03:04:05.678Z", "Slug": "unit-a", "Name": "Unit \\"A\\" \\\\ {x}",
    "Amount": 12.5, "Paid?": true, "Due": "2024-03-01T10:00:00.000Z", "Tags": ["x", "b,\\"c\\"}", "NULL"],
    "Address": {"address": "Main St", "lat": 1.5}, "extra": "é 🎉"}`),
  );
});

test('lone surrogates and U+0000 become U+FFFD everywhere (text, lists, JSON values and keys, the record); each changed string of the record counted once', () => {
  // Bubble's "truncate to N characters" halving an emoji leaves a lone surrogate; \u0000 is valid JSON.
  const body = `[{"_id": "x1", "Slug": "Hot lead \\ud83d", "Name": "a\\u0000b", "Tags": ["\\ude00 tail", "ok 😀", "a\\u0000b"],
    "Address": {"k\\ud83d": ["\\u0000", {"deep": "\\udc00"}]}, "note\\u0000": "kept"}]`;
  const tally: EncodeTally = { replaced: 0 };
  const { text, rows } = encode(body, tally);
  expect(storable(text)).toBe(true);
  const row = rows[0]!;
  expect(row.Slug).toBe('Hot lead \uFFFD');
  expect(row.Name).toBe('a\uFFFDb');
  expect(row.Tags).toBe('{"\uFFFD tail","ok 😀","a\uFFFDb"}');
  const address = { 'k\uFFFD': ['\uFFFD', { deep: '\uFFFD' }] };
  expect(row.Address).toEqual(address);
  expect(row._unmapped).toEqual({ 'note\uFFFD': 'kept' });
  expect(row._raw).toEqual({
    _id: 'x1',
    Slug: 'Hot lead \uFFFD',
    Name: 'a\uFFFDb',
    Tags: ['\uFFFD tail', 'ok 😀', 'a\uFFFDb'],
    Address: address,
    'note\uFFFD': 'kept',
  });
  // In the record: Slug, Name, two of the tags, the Address key and its two values, the unknown key. The emoji pair is intact.
  expect(tally.replaced).toBe(8);
});

test('numbers that do not survive a double keep their exact text in JSON columns (spliced as numbers); a number column gets the nearest double', () => {
  const body =
    '[{"_id": "n1", "Amount": 9007199254740993, "Address": {"lat": -1e-400}, "big": 9007199254740993, "precise": 0.1000000000000000055511151231257827, "huge": 1e400}]';
  const { text, rows } = encode(body);
  const row = rows[0]!;
  // A double precision column can only hold the nearest double.
  expect(row.Amount).toBe('9007199254740992');
  expect(row.Address).toEqual({ lat: new JsonNumber('-1e-400') });
  expect(row._raw).toMatchObject({
    big: new JsonNumber('9007199254740993'),
    precise: new JsonNumber('0.1000000000000000055511151231257827'),
    huge: new JsonNumber('1e400'),
  });
  // As numbers, digit for digit — not strings, not rounded.
  expect(text).toContain('"big":9007199254740993,"precise":0.1000000000000000055511151231257827,"huge":1e400');
  expect(storable(text)).toBe(true);
});

test('null and missing: both leave a column NULL, while the record keeps its nulls and lacks what it lacked', () => {
  const { text, rows } = encode('[{"_id": "z1", "Name": null, "Address": null, "Tags": null}, {"_id": "z2"}]');
  const [withNulls, bare] = rows;
  for (const column of ['Name', 'Amount', 'Paid?', 'Due', 'Tags', 'Address', 'Slug', 'Created Date', '_unmapped']) {
    expect(withNulls![column]).toBeNull();
    expect(bare![column]).toBeNull();
  }
  // A null cell is SQL NULL (not the JSON value null) for every column kind, json included.
  expect(text).toMatch(/^\[\["z1",null,null,null,null,\{/);
  expect(withNulls!._raw).toEqual({ _id: 'z1', Name: null, Address: null, Tags: null });
  expect(bare!._raw).toEqual({ _id: 'z2' });
});

test('a list holding null does not fit its column (Prisma scalar lists cannot hold null): the column stays NULL, the value goes to _unmapped', () => {
  const { rows } = encode('[{"_id": "l1", "Tags": ["a", null, "b"]}]');
  expect(rows[0]).toMatchObject({ Tags: null, _unmapped: { Tags: ['a', null, 'b'] }, _raw: { _id: 'l1', Tags: ['a', null, 'b'] } });
});

test('a page repeating an _id sends its last occurrence once; ids differing only in what PostgreSQL cannot store are one row', () => {
  const { rows } = encode(
    '[{"_id": "d1", "Name": "first"}, {"_id": "d2"}, {"_id": "d1", "Name": "second"}, {"_id": "e\\ud800"}, {"_id": "e\\udbff", "Name": "last"}]',
  );
  expect(rows.map((r) => [r._id, r.Name])).toEqual([
    ['d2', null],
    ['d1', 'second'],
    ['e\uFFFD', 'last'],
  ]);
});
