import fc from 'fast-check';
import {
  DbIdentifierAllocator,
  MAX_IDENTIFIER_BYTES,
  MAX_NAME_LENGTH,
  ModelNameRegistry,
  NameSanitiser,
  isPrismaReservedWord,
  isReservedModelName,
  isWellFormedUtf16,
  prismaString,
  toSafeModelName,
  toSafePrismaFieldName,
  validateFieldName,
} from '../../generator/naming/index.js';
import { parseModels } from './dmmf.js';

const FIELD_RULE = /^[A-Za-z][A-Za-z0-9_]*$/;
// Fixed seed: property tests must be deterministic; failures print the counterexample.
const params = { seed: 20240611, numRuns: 500 };

/** Any string: ASCII, full Unicode, grapheme clusters, raw UTF-16 code units (lone surrogates too). */
const anyString = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('_id', 'select', '__proto__', 'then', 'id', '2nd Payment %', ' ', '', 'x'.repeat(200)),
  fc.string({ maxLength: 400, minLength: 60 }),
);
const wellFormedString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

describe('property: toSafePrismaFieldName', () => {
  test('any string → a valid, non-reserved field name of at most 63 characters', () => {
    fc.assert(
      fc.property(anyString, (original) => {
        const name = toSafePrismaFieldName(original);
        expect(name).toMatch(FIELD_RULE);
        expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(isPrismaReservedWord(name)).toBe(false);
        expect(validateFieldName(name)).toEqual({ valid: true });
      }),
      params,
    );
  });

  test('deterministic: the same string always gives the same name', () => {
    fc.assert(
      fc.property(anyString, (original) => {
        expect(toSafePrismaFieldName(original)).toBe(toSafePrismaFieldName(String(original)));
        expect(new NameSanitiser().sanitize(original)).toBe(new NameSanitiser().sanitize(original));
      }),
      params,
    );
  });
});

describe('property: NameSanitiser', () => {
  test('any list of distinct originals → distinct valid names within one instance', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyString, { maxLength: 60 }), (originals) => {
        const sanitiser = new NameSanitiser();
        const names = originals.map((o) => sanitiser.sanitize(o));
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) {
          expect(name).toMatch(FIELD_RULE);
          expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          expect(isPrismaReservedWord(name)).toBe(false);
        }
      }),
      { ...params, numRuns: 300 },
    );
  });

  test('lists made of near-duplicates (case, punctuation) still come out unique', () => {
    const variant = fc.tuple(
      fc.constantFrom('Customer Name', 'Paid?', 'x'.repeat(70), '#'),
      fc.constantFrom('', '?', '!', '-', ' ', '_', '2'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(
          variant.map(([a, b]) => a + b),
          { maxLength: 28 },
        ),
        (originals) => {
          const sanitiser = new NameSanitiser();
          const names = originals.map((o) => sanitiser.sanitize(o));
          expect(new Set(names).size).toBe(names.length);
        },
      ),
      params,
    );
  });
});

describe('property: model names', () => {
  test('any display names → valid, non-reserved, case-insensitively unique model names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyString, { maxLength: 30 }), fc.constantFrom('', 'Bubble', 'B_'), (displays, prefix) => {
        const registry = new ModelNameRegistry({ prefix });
        const names = displays.map((d) => registry.sanitize(d));
        expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
        for (const name of names) {
          expect(name).toMatch(FIELD_RULE);
          expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          expect(name.startsWith(prefix)).toBe(true);
          expect(isReservedModelName(name, prefix)).toBe(false);
        }
        for (const d of displays) expect(toSafeModelName(d, prefix)).toBe(toSafeModelName(d, prefix));
      }),
      { ...params, numRuns: 200 },
    );
  });
});

describe('property: database identifiers', () => {
  test('≤ 63 UTF-8 bytes, unique within the allocator, and the original when it can be', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyString, { maxLength: 40 }), (originals) => {
        const columns = new DbIdentifierAllocator();
        const names = originals.map((o) => columns.allocate(o));
        expect(new Set(names).size).toBe(names.length);
        names.forEach((name, i) => {
          const original = originals[i]!;
          expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
          expect(name.length).toBeGreaterThan(0);
          expect(name).not.toContain('\u0000');
          const storable =
            original.length > 0 &&
            !original.includes('\u0000') &&
            isWellFormedUtf16(original) &&
            Buffer.byteLength(original, 'utf8') <= MAX_IDENTIFIER_BYTES;
          if (storable && !originals.slice(0, i).some((o, j) => names[j] === original)) expect(name).toBe(original);
        });
      }),
      params,
    );
  });
});

describe('property: @map escaping', () => {
  test('the escaped @map value of any string parses back (getDMMF) to the original, byte-exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        // `id` is the primary key's own column in this model; any other string may be a column.
        fc.uniqueArray(
          wellFormedString.filter((c) => c !== 'id'),
          { minLength: 1, maxLength: 12 },
        ),
        wellFormedString,
        async (columns, table) => {
          const fields = columns.map((c, i) => `  f${i} String @map(${prismaString(c)})`).join('\n');
          const [model] = await parseModels(`model A {\n  id String @id\n${fields}\n  @@map(${prismaString(table)})\n}\n`);
          expect(model!.dbName).toBe(table);
          expect(model!.fields.slice(1).map((f) => f.dbName)).toEqual(columns);
        },
      ),
      { seed: params.seed, numRuns: 60 },
    );
  });
});
