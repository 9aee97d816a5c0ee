import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dictionaryHash, loadDictionary, parseDictionary } from '../../core/dictionary/read.js';
import { jsonPath } from '../../core/json-path.js';
import { BubbleError } from '../../core/errors.js';
import { FIXTURE_DICTIONARY } from './fixture.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BubbleError);
    expect((err as BubbleError).code).toBe('DICTIONARY');
    return (err as Error).message;
  }
  throw new Error('expected a BubbleError');
}

const valid = { version: 1, app: { name: 'a' }, types: [{ name: 't', display: 'T', fields: [{ key: 'k', display: 'K', type: 'text' }] }] };

describe('loadDictionary', () => {
  test('loads the committed sample-app dictionary', () => {
    const dictionary = loadDictionary(FIXTURE_DICTIONARY);
    expect(dictionary.types.length).toBe(7);
    expect(dictionary.types.reduce((n, t) => n + t.fields.length, 0)).toBeGreaterThanOrEqual(164);
  });

  test.each([
    [{ ...valid, version: 0 }, '$.version: expected 1, found 0.'],
    [{ ...valid, app: undefined }, '$.app: missing (expected object).'],
    [
      { ...valid, types: [{ ...valid.types[0], fields: [{ key: 'k', display: 'K' }] }] },
      '$.types[0].fields[0].type: missing (expected string).',
    ],
    [
      { ...valid, types: [{ ...valid.types[0], fields: [{ key: '', display: 'K', type: 'text' }] }] },
      '$.types[0].fields[0].key: expected a non-empty string.',
    ],
    [{ ...valid, types: [valid.types[0], valid.types[0]] }, '$.types[1].name: duplicate type name "t" (already at $.types[0]).'],
    [
      { ...valid, types: [{ ...valid.types[0], fields: [valid.types[0]!.fields[0], valid.types[0]!.fields[0]] }] },
      '$.types[0].fields[1].key: duplicate field key "k" in type "t" (already at fields[0]).',
    ],
  ])('a bad entry names its JSON path and what was expected (%#)', (json, expected) => {
    expect(message(() => parseDictionary(JSON.stringify(json), 'd.json'))).toBe(`Data dictionary d.json: ${expected}`);
  });

  test('unknown keys anywhere are accepted (a newer minor release may add optional ones)', () => {
    const newer = {
      ...valid,
      generatedAt: '2030-01-01',
      app: { ...valid.app, region: 'eu' },
      types: [
        {
          ...valid.types[0],
          colour: 'red',
          fields: [{ ...valid.types[0]!.fields[0], skip: true, observed: { present: 1, valueTypes: ['string'], median: 3 } }],
        },
      ],
    };
    const dictionary = parseDictionary(JSON.stringify(newer), 'd.json');
    expect(dictionary.types[0]!.fields[0]!.key).toBe('k');
  });

  test('a newer format version asks to upgrade the package, not to re-run introspect', () => {
    let caught: BubbleError | undefined;
    try {
      parseDictionary(JSON.stringify({ ...valid, version: 2, somethingNew: [] }), 'd.json');
    } catch (err) {
      caught = err as BubbleError;
    }
    expect(caught?.code).toBe('DICTIONARY');
    expect(caught?.message).toMatch(/^Data dictionary d\.json is format version 2; prisma-generator-bubble \S+ reads version 1\.$/);
    expect(caught?.hint).toMatch(/upgrade .*prisma-generator-bubble/);
    expect(caught?.hint).not.toMatch(/introspect/);
  });

  test('not JSON, a missing file and a folder are one clear line each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dict-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{"version": 1,');
      expect(message(() => loadDictionary(join(dir, 'bad.json')))).toMatch(/bad\.json is not valid JSON: .+\.$/);
      expect(message(() => loadDictionary(join(dir, 'none.json')))).toBe(`Data dictionary ${join(dir, 'none.json')} does not exist.`);
      expect(message(() => loadDictionary(dir))).toBe(`Data dictionary ${dir} is a folder, not a file.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('jsonPath quotes keys that are not identifiers', () => {
    expect(jsonPath(['types', 3, 'fields', 0, 'a b'])).toBe('$.types[3].fields[0]["a b"]');
  });

  test('the hash ignores key order and whitespace but not content', () => {
    const a = parseDictionary(JSON.stringify(valid));
    const b = parseDictionary(`{"types":${JSON.stringify(valid.types, null, 4)},"app":{"name":"a"},"version":1}`);
    expect(dictionaryHash(a)).toBe(dictionaryHash(b));
    expect(dictionaryHash(a)).not.toBe(dictionaryHash({ ...a, app: { name: 'b' } }));
  });
});
