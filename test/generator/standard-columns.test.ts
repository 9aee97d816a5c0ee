/**
 * One table (core/standard-columns.ts) names the columns every mirrored table has; the models, the
 * manifest, the adapters, the reserved names, the dictionary's built-ins and the record converter all
 * follow it. Checked on real output: the models through Prisma's own parser, the adapters as text.
 */
import internals from '@prisma/internals';
import { BUILTIN_KEYS, type Dictionary } from '../../core/dictionary/schema.js';
import { BUILTIN_COLUMNS, STANDARD_COLUMN_TABLE } from '../../core/standard-columns.js';
import { loadDictionary } from '../../core/dictionary/read.js';
import { createColumnAllocator, isPrismaReservedWord, NameSanitiser } from '../../generator/naming/index.js';
import { buildManifest } from '../../generator/manifest/build.js';
import { render } from '../../generator/render.js';
import { compileConverter } from '../../runtime/convert/index.js';
import { FIXTURE_DICTIONARY } from './fixture.js';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

test('every model has each standard column of the table: field, column, type, optional or not; so have the manifest and the rows', async () => {
  const paths = { modelsFile: 'm.prisma', schemaDir: 's', dictionary: 'd.json', dictionaryFromModels: 'd.json' };
  const { manifest, models, outputs } = await render({ dictionary: loadDictionary(FIXTURE_DICTIONARY), generatedBy: 'test', paths });
  const dmmf = await internals.getDMMF({
    datamodel: [
      ['schema.prisma', DATASOURCE],
      ['bubble.prisma', models],
    ],
  });
  for (const type of manifest.types) {
    const model = dmmf.datamodel.models.find((m) => m.name === type.model)!;
    const adapter = outputs.find((o) => o.path === `adapters/${type.model}.ts`)!.text;
    const rowInterface = adapter.slice(adapter.indexOf(`export interface ${type.model}Row {`));
    for (const spec of STANDARD_COLUMN_TABLE) {
      const field = model.fields.find((f) => f.name === spec.field);
      expect({ model: type.model, field: spec.field, found: field !== undefined }).toEqual({
        model: type.model,
        field: spec.field,
        found: true,
      });
      expect(field!.dbName ?? field!.name).toBe(spec.column);
      expect(`${field!.type}${field!.isRequired ? '' : '?'}`).toBe(spec.prisma.type);
      expect(type.standard[spec.field]).toBe(spec.column);
      if (spec.row !== undefined)
        expect(rowInterface).toContain(`  ${spec.field}${spec.row.optional === true ? '?' : ''}: ${spec.row.type};\n`);
    }
    expect(model.fields.find((f) => f.isId)?.name).toBe(STANDARD_COLUMN_TABLE.find((c) => c.prisma.key === 'id')!.field);
  }
});

test('no Bubble field takes a standard field or column name', () => {
  const fields = new NameSanitiser();
  const columns = createColumnAllocator();
  for (const spec of STANDARD_COLUMN_TABLE) {
    expect(isPrismaReservedWord(spec.field)).toBe(true);
    expect(fields.sanitize(spec.field)).not.toBe(spec.field);
    expect(columns.allocate(spec.column)).not.toBe(spec.column);
  }
});

test("Bubble's built-in keys are the dictionary's built-ins and fill their standard values, never unmapped", () => {
  expect(BUILTIN_KEYS).toEqual(BUILTIN_COLUMNS.map((c) => c.bubble.key));
  const dictionary: Dictionary = { version: 1, app: { name: 'x' }, types: [{ name: 't', display: 'T', fields: [] }] };
  const built = buildManifest(dictionary, { generatedBy: 't', dictionaryHash: 'h', modelsFile: 'm', schemaDir: 's', dictionary: 'd' });
  const converter = compileConverter(built.manifest.types[0]!);
  const record = Object.fromEntries(
    BUILTIN_COLUMNS.map((c) => [c.bubble.key, c.bubble.type === 'date' ? '2024-01-02T03:04:05.678Z' : `v ${c.field}`]),
  );
  const converted = converter.convert(record);
  expect(converted.unmapped).toBeNull();
  expect([
    converted.bubbleId,
    converted.createdAt?.toISOString(),
    converted.modifiedAt?.toISOString(),
    converted.createdBy,
    converted.slug,
  ]).toEqual(['v bubbleId', '2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z', 'v bubbleCreatedBy', 'v bubbleSlug']);
});
