import fc from 'fast-check';
import { compileConverter, convertRecord, JsonNumber, toBoolean, toDate, toNumber, toText, FAIL } from '../../runtime/convert/index.js';
import { buildManifest } from '../../generator/manifest/build.js';
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Dictionary } from '../../core/dictionary/schema.js';

const KINDS = [
  'text',
  'number',
  'boolean',
  'date',
  'image',
  'user',
  'custom.invoice',
  'option.status',
  'list.text',
  'list.number',
  'list.date',
  'list.boolean',
  'list.custom.invoice',
  'geographic_address',
  'list.geographic_address',
  'date_range',
  'mystery',
];

function typeWith(fields: [string, string][]): ManifestType {
  const dictionary: Dictionary = {
    version: 1,
    app: { name: 'x' },
    types: [{ name: 't', display: 'T', fields: fields.map(([key, type]) => ({ key, display: key, type })) }],
  };
  return buildManifest(dictionary, { generatedBy: 't', dictionaryHash: 'h', modelsFile: 'm', schemaDir: 's', dictionary: 'd' }).manifest
    .types[0]!;
}

const T = typeWith(KINDS.map((k) => [`F ${k}`, k]));
const col = (kind: string): number => T.columns.findIndex((c) => c.key === `F ${kind}`);

describe('value rules', () => {
  test('text takes strings, finite numbers and booleans', () => {
    expect(toText('a')).toBe('a');
    expect(toText(1.5)).toBe('1.5');
    expect(toText(false)).toBe('false');
    expect(toText(Infinity)).toBe(FAIL);
    expect(toText({})).toBe(FAIL);
  });
  test('number takes finite numbers and plain numeric strings, never thousands separators', () => {
    expect(toNumber(' 12.50 ')).toBe(12.5);
    expect(toNumber('-3e2')).toBe(-300);
    expect(toNumber('.5')).toBe(0.5);
    for (const bad of ['1,234.5', '', ' ', '12abc', '0x10', 'NaN', 'Infinity', '1e999', NaN, Infinity, true, null, [1]])
      expect(toNumber(bad)).toBe(FAIL);
  });
  test('boolean takes booleans and true/false/yes/no', () => {
    expect(toBoolean('Yes')).toBe(true);
    expect(toBoolean(' false ')).toBe(false);
    expect(toBoolean('no')).toBe(false);
    for (const bad of ['1', 1, 0, 'maybe', null]) expect(toBoolean(bad)).toBe(FAIL);
  });
  test('date takes ISO dates (no zone = UTC) and epoch ms in years 1..9999', () => {
    expect((toDate('2024-01-15T10:30:00.123Z') as Date).toISOString()).toBe('2024-01-15T10:30:00.123Z');
    expect((toDate('2024-01-15T10:30:00+01:00') as Date).toISOString()).toBe('2024-01-15T09:30:00.000Z');
    expect((toDate('2024-01-15 10:30') as Date).toISOString()).toBe('2024-01-15T10:30:00.000Z');
    expect((toDate('2024-02-29') as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((toDate('0050-06-01') as Date).toISOString()).toBe('0050-06-01T00:00:00.000Z');
    expect((toDate(1705314600123) as Date).toISOString()).toBe('2024-01-15T10:30:00.123Z');
    for (const bad of ['2023-02-29', '2024-13-01', '2024-01-15T24:00:00Z', 'March 7', '', '10000-01-01', 1e17, NaN, true])
      expect(toDate(bad)).toBe(FAIL);
  });
});

describe('compileConverter / convertRecord', () => {
  test('built-ins fill the standard values; values land in their columns', () => {
    const c = convertRecord(T, {
      _id: '1x1',
      'Created Date': '2024-01-01T00:00:00.000Z',
      'Modified Date': 1704067200000,
      'Created By': 'u1',
      Slug: 's',
      'F number': '42',
      'F list.date': ['2024-01-01T00:00:00Z'],
      'F user': 'u2',
      'F geographic_address': { address: 'x', lat: 1, lng: 2 },
    });
    expect(c.bubbleId).toBe('1x1');
    expect(c.createdAt?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(c.modifiedAt?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(c.createdBy).toBe('u1');
    expect(c.slug).toBe('s');
    expect(c.values[col('number')]).toBe(42);
    expect(c.values[col('list.date')]).toEqual([new Date('2024-01-01T00:00:00Z')]);
    expect(c.values[col('user')]).toBe('u2');
    expect(c.values[col('geographic_address')]).toEqual({ address: 'x', lat: 1, lng: 2 });
    expect(c.values[col('text')]).toBeNull();
    expect(c.unmapped).toBeNull();
    expect(c.issues).toEqual([]);
  });

  test('what does not fit, and unknown keys, go to unmapped with a reason', () => {
    const c = convertRecord(T, {
      _id: 'a',
      'F number': 'abc',
      'F list.number': [1, 'x'],
      'F user': 5,
      Extra: 1,
      'Created Date': 'yesterday',
      __proto__x: 1,
    });
    expect(c.unmapped).toEqual({
      'F number': 'abc',
      'F list.number': [1, 'x'],
      'F user': 5,
      Extra: 1,
      'Created Date': 'yesterday',
      __proto__x: 1,
    });
    expect(c.issues).toEqual([
      { key: 'F number', reason: 'expected number, got string' },
      { key: 'F list.number', reason: 'expected list of number, an item did not convert' },
      { key: 'F user', reason: 'expected string, got number' },
      { key: 'Extra', reason: 'not in the dictionary' },
      { key: 'Created Date', reason: 'expected date, got string' },
      { key: '__proto__x', reason: 'not in the dictionary' },
    ]);
    expect(c.values[col('number')]).toBeNull();
    expect(c.createdAt).toBeNull();
  });

  test('a "__proto__" key is an ordinary unmapped entry', () => {
    const record = JSON.parse('{"_id":"a","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const c = convertRecord(T, record);
    expect(Object.keys(c.unmapped!)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a missing, empty or non-string _id gives bubbleId null (and never throws)', () => {
    expect(convertRecord(T, {}).bubbleId).toBeNull();
    const c = convertRecord(T, { _id: 7 });
    expect(c.bubbleId).toBeNull();
    expect(c.unmapped).toEqual({ _id: 7 });
    const empty = convertRecord(T, { _id: '' });
    expect(empty.bubbleId).toBeNull();
    expect(empty.issues).toEqual([{ key: '_id', reason: 'expected non-empty string, got empty string' }]);
  });

  test('numbers that do not survive a double: exact text in text columns, nearest double in number and date columns, unmapped beyond double range', () => {
    const big = new JsonNumber('9007199254740993');
    const huge = new JsonNumber('1e400');
    const c = convertRecord(T, {
      _id: 'a',
      'F text': big,
      'F number': big,
      'F date': new JsonNumber('1705314600123.0000000001'),
      'F list.number': [1, big],
      'F geographic_address': { lat: huge },
      'F boolean': big,
      'F list.text': [huge],
    });
    expect(c.values[col('text')]).toBe('9007199254740993');
    expect(c.values[col('number')]).toBe(9007199254740992);
    expect((c.values[col('date')] as Date).toISOString()).toBe('2024-01-15T10:30:00.123Z');
    expect(c.values[col('list.number')]).toEqual([1, 9007199254740992]);
    expect(c.values[col('geographic_address')]).toEqual({ lat: huge });
    expect(c.values[col('list.text')]).toEqual(['1e400']);
    expect(c.unmapped).toEqual({ 'F boolean': big });
    const out = convertRecord(T, { _id: 'a', 'F number': huge, 'F date': huge });
    expect(out.unmapped).toEqual({ 'F number': huge, 'F date': huge });
    expect(out.issues).toEqual([
      { key: 'F number', reason: 'expected number, got number beyond double range' },
      { key: 'F date', reason: 'expected date, got number beyond double range' },
    ]);
  });

  test('property: every key lands in exactly one place, nothing is lost, nothing throws', () => {
    const converter = compileConverter(T);
    const keys = [...T.columns.map((c) => c.key), '_id', 'Created Date', 'Modified Date', 'Created By', 'Slug', 'Unknown'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()), (record) => {
        const c = converter.convert(record);
        for (const [key, value] of Object.entries(record)) {
          if (value === null) continue;
          const index = converter.columnIndex.get(key);
          const inColumn = index !== undefined && c.values[index] !== null;
          const inStandard =
            ['_id', 'Created Date', 'Modified Date', 'Created By', 'Slug'].includes(key) && !(c.unmapped !== null && key in c.unmapped);
          const inUnmapped = c.unmapped !== null && Object.prototype.hasOwnProperty.call(c.unmapped, key);
          expect(Number(inColumn) + Number(inUnmapped) + Number(inStandard && !inColumn)).toBe(1);
          if (inUnmapped) expect(c.unmapped![key]).toEqual(value);
        }
        expect(c.issues.length).toBe(c.unmapped === null ? 0 : Object.keys(c.unmapped).length);
      }),
      { numRuns: 300 },
    );
  });
});
