import internals from '@prisma/internals';
import {
  JS_RESERVED_WORDS,
  PRISMA_RESERVED_MODEL_NAMES,
  STANDARD_FIELD_NAMES,
  isPrismaReservedWord,
  reservedFieldNames,
  reservedModelNames,
  toSafeModelName,
  toSafePrismaFieldName,
} from '../../generator/naming/index.js';
import { DATASOURCE, parseModels } from './dmmf.js';

// Candidates beyond our own lists: schema keywords, TS words, client words, capitalised variants.
const CANDIDATES = [
  ...new Set([
    ...JS_RESERVED_WORDS,
    ...PRISMA_RESERVED_MODEL_NAMES,
    'model',
    'enum',
    'view',
    'type',
    'datasource',
    'generator',
    'Model',
    'Enum',
    'Query',
    'Mutation',
    'Client',
    'Aggregate',
    'GroupBy',
    'Unsupported',
    'Null',
    'True',
    'Class',
    'Delete',
  ]),
];

/** Names the real validator rejects as model names, read from one getDMMF run over all candidates. */
async function rejectedModelNames(names: string[]): Promise<Set<string>> {
  const models = names.map((n) => `model ${n} {\n  id String @id\n}\n`).join('\n');
  try {
    await internals.getDMMF({ datamodel: DATASOURCE + models });
    return new Set();
  } catch (error) {
    const text = String((error as Error).message).replace(/\u001b\[[0-9;]*m/g, '');
    const rejected = new Set<string>();
    for (const m of text.matchAll(/The model name `([^`]+)` is invalid/g)) rejected.add(m[1]!);
    for (const m of text.matchAll(/"([^"]+)" is a reserved scalar type name/g)) rejected.add(m[1]!);
    return rejected;
  }
}

describe('reserved words', () => {
  test('every candidate the Prisma 7.10 validator rejects as a model name is in the reserved model list', async () => {
    const rejected = await rejectedModelNames(CANDIDATES);
    expect(rejected.size).toBeGreaterThan(40); // the experiment really ran and found the JS words
    const reserved = new Set(reservedModelNames());
    expect([...rejected].filter((n) => !reserved.has(n))).toEqual([]);
  });

  test('the safe names of all reserved model names pass the validator', async () => {
    const names = [...new Set(reservedModelNames().map((n) => toSafeModelName(n)))];
    expect(await rejectedModelNames(names)).toEqual(new Set());
    const models = await parseModels(names.map((n) => `model ${n} {\n  id String @id\n}\n`).join('\n'));
    expect(models.map((m) => m.name).sort()).toEqual([...names].sort());
  });

  test('the safe names of all reserved field words pass the validator in one model', async () => {
    const names = reservedFieldNames().map((n) => toSafePrismaFieldName(n));
    const unique = [...new Set(names)];
    const models = await parseModels(`model A {\n  pk String @id\n${unique.map((n) => `  ${n} String`).join('\n')}\n}\n`);
    expect(models[0]!.fields.map((f) => f.name)).toEqual(['pk', ...unique]);
    for (const name of unique) expect(isPrismaReservedWord(name)).toBe(false);
  });

  test('every standard field name is reserved for Bubble fields', () => {
    for (const name of STANDARD_FIELD_NAMES) expect(isPrismaReservedWord(name)).toBe(true);
  });
});
