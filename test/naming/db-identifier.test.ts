import {
  DbIdentifierAllocator,
  MAX_IDENTIFIER_BYTES,
  STANDARD_COLUMN_NAMES,
  STANDARD_FIELD_NAMES,
  createColumnAllocator,
  createTableAllocator,
  safeDbIdentifier,
  safeTableName,
  truncateUtf8,
  utf8ByteLength,
} from '../../generator/naming/index.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('database identifiers', () => {
  test('a name that fits 63 bytes is kept byte-exact', () => {
    const used = new Set<string>();
    for (const name of ['Unit name', '2nd Payment %', 'Commission Paid?', 'a"b', 'emoji 😀', 'x'.repeat(63)]) {
      expect(safeDbIdentifier(name, used)).toBe(name);
    }
  });

  test('two long names sharing their first 63 bytes get distinct tagged names ≤ 63 bytes', () => {
    const used = new Set<string>();
    const a = safeDbIdentifier(`${'Amount eligible for commission '.repeat(3)}A`, used);
    const b = safeDbIdentifier(`${'Amount eligible for commission '.repeat(3)}B`, used);
    expect(a).not.toBe(b);
    expect(bytes(a)).toBe(MAX_IDENTIFIER_BYTES);
    expect(a).toMatch(/^Amount eligible for commission Amount eligible for com_[0-9a-z]{8}$/);
    expect(used).toEqual(new Set([a, b]));
  });

  test('multi-byte names are cut on a character boundary', () => {
    const name = safeDbIdentifier('é'.repeat(40), new Set());
    expect(bytes(name)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
    expect(name).toMatch(/^é{27}_[0-9a-z]{8}$/);
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    expect(utf8ByteLength('a😀é')).toBe(7);
  });

  test('the same input always gives the same identifier', () => {
    const long = 'z'.repeat(100);
    expect(safeDbIdentifier(long, new Set())).toBe(safeDbIdentifier(long, new Set()));
  });

  test('a Bubble field named like a standard column gets a tagged column, never the standard one', () => {
    const columns = createColumnAllocator();
    const slug = columns.allocate('Slug');
    const raw = columns.allocate('_raw');
    expect(slug).toMatch(/^Slug_[0-9a-z]{8}$/);
    expect(raw).toMatch(/^_raw_[0-9a-z]{8}$/);
    expect(columns.allocate('Slug')).toBe(slug);
    expect(columns.report().map((e) => e.kind)).toEqual(['collision', 'collision']);
  });

  test('uniqueness is case-sensitive, as quoted identifiers are', () => {
    const columns = new DbIdentifierAllocator();
    expect(columns.allocate('Name')).toBe('Name');
    expect(columns.allocate('name')).toBe('name');
  });

  test('NUL and empty names are cleaned and tagged, reported as unstorable', () => {
    const columns = new DbIdentifierAllocator();
    expect(columns.allocate('a\u0000b')).toMatch(/^ab_[0-9a-z]{8}$/);
    expect(columns.allocate('')).toMatch(/^_[0-9a-z]{8}$/);
    expect(columns.report().map((e) => e.kind)).toEqual(['unstorable', 'unstorable']);
  });

  test('a tag clash (an original equal to another name’s tagged form) is resolved deterministically', () => {
    const used = new Set<string>();
    const long = 'q'.repeat(80);
    const tagged = safeDbIdentifier(long, used);
    const second = safeDbIdentifier(tagged, used);
    expect(second).not.toBe(tagged);
    expect(bytes(second)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
  });

  test('table names: sync-state tables (with the prefix) are taken up front', () => {
    const tables = createTableAllocator('bubble_');
    expect(tables.allocate('bubble_rentalunit')).toBe('bubble_rentalunit');
    expect(tables.allocate('bubble_sync_jobs')).toMatch(/^bubble_sync_jobs_[0-9a-z]{8}$/);
    // A Bubble type named "sync_events" cannot take the listener's event table.
    expect(tables.allocate('bubble_sync_events')).toMatch(/^bubble_sync_events_[0-9a-z]{8}$/);
    expect(safeTableName('user')).toBe('user');
    expect(bytes(safeTableName('t'.repeat(90)))).toBe(MAX_IDENTIFIER_BYTES);
  });

  test('STANDARD_COLUMN_NAMES and STANDARD_FIELD_NAMES line up one to one', () => {
    expect(STANDARD_COLUMN_NAMES).toHaveLength(STANDARD_FIELD_NAMES.length);
    expect(STANDARD_FIELD_NAMES[1]).toBe('bubbleId');
    expect(STANDARD_COLUMN_NAMES[1]).toBe('_id');
    expect(new Set(STANDARD_COLUMN_NAMES).size).toBe(STANDARD_COLUMN_NAMES.length);
  });
});
