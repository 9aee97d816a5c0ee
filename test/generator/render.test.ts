/** The pure rendering: dictionary → manifest, models text, adapters. Validated with Prisma's own getDMMF (WASM). */
import internals from '@prisma/internals';
import { render, type RenderInput } from '../../generator/render.js';
import { formatPrisma } from '../../generator/emit/format.js';
import { summariseModelsDiff } from '../../generator/check/models-diff.js';
import { loadDictionary } from '../../core/dictionary/read.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { syntheticDictionary } from '../bench/generate.js';
import { nastyDictionary } from './fixtures/nasty.js';
import { FIXTURE_DICTIONARY } from './fixture.js';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';
const paths: RenderInput['paths'] = { modelsFile: 'm.prisma', schemaDir: 's', dictionary: 'd.json', dictionaryFromModels: 'd.json' };

async function renderOf(dictionary: Dictionary, extra: Partial<RenderInput> = {}) {
  return render({ dictionary, generatedBy: 'test', paths, ...extra });
}

async function dmmfModels(models: string): Promise<string[]> {
  const dmmf = await internals.getDMMF({
    datamodel: [
      ['schema.prisma', DATASOURCE],
      ['bubble.prisma', models],
    ],
  });
  return dmmf.datamodel.models.map((m) => m.name);
}

describe('render', () => {
  test('the fixture dictionary renders a valid schema; same input, byte-identical output', async () => {
    const dictionary = loadDictionary(FIXTURE_DICTIONARY);
    const a = await renderOf(dictionary);
    const b = await renderOf(structuredClone(dictionary));
    expect(b.models).toBe(a.models);
    expect(b.outputs).toEqual(a.outputs);
    const models = await dmmfModels(a.models);
    expect(models).toEqual(
      expect.arrayContaining([...a.manifest.types.map((t) => t.model), 'SyncJob', 'SyncCursor', 'SyncPage', 'SyncEvent']),
    );
  });

  test('chunked formatting is exactly what formatting the whole file gives', async () => {
    const { models } = await renderOf(syntheticDictionary(30, 20));
    expect(await formatPrisma(models)).toBe(models);
  });

  test('nasty names without prefixes still give a valid schema with unique, ≤63-byte names', async () => {
    const { manifest, models, naming } = await renderOf(nastyDictionary());
    await dmmfModels(models);
    const tables = manifest.types.map((t) => t.table);
    expect(new Set(tables).size).toBe(tables.length);
    for (const type of manifest.types) {
      const fields = type.columns.map((c) => c.field);
      expect(new Set(fields).size).toBe(fields.length);
      for (const c of type.columns) expect(Buffer.byteLength(c.column)).toBeLessThanOrEqual(63);
    }
    expect(naming.some((n) => n.kind === 'collision')).toBe(true);
  });

  test('prefixes apply to models, tables and the sync state; references are indexed; removed types stay, last', async () => {
    const dictionary: Dictionary = {
      version: 1,
      app: { name: 'x' },
      types: [
        { name: 'old', display: 'Old', removed: true, fields: [{ key: 'Gone', display: 'Gone', type: 'text', removed: true }] },
        {
          name: 'user',
          display: 'User',
          fields: [
            { key: 'Boss', display: 'Boss', type: 'user' },
            { key: 'Teams', display: 'Teams', type: 'list.custom.team' },
          ],
        },
      ],
    };
    const { manifest, models } = await renderOf(dictionary, { modelPrefix: 'Bubble', tablePrefix: 'bubble_' });
    expect(manifest.types.map((t) => [t.name, t.model, t.table])).toEqual([
      ['user', 'BubbleUser', 'bubble_user'],
      ['old', 'BubbleOld', 'bubble_old'],
    ]);
    expect(manifest.state).toEqual({
      jobTable: 'bubble_sync_jobs',
      cursorTable: 'bubble_sync_cursors',
      pageTable: 'bubble_sync_pages',
      rejectTable: 'bubble_sync_rejects',
      eventTable: 'bubble_sync_events',
    });
    expect(manifest.types[0]!.columns.map((c) => [c.references, c.pgType])).toEqual([
      ['user', 'text'],
      ['team', 'text[]'],
    ]);
    // Every constraint and index name is written out; Prisma's default where it is safe.
    expect(models).toContain('@@index([boss], map: "bubble_user_Boss_idx")');
    expect(models).toContain('@@index([teams], type: Gin, map: "bubble_user_Teams_idx")');
    expect(models).toMatch(/@id\(map: "bubble_user_pkey"\)/);
    expect(models).toMatch(/@unique\(map: "bubble_user__id_key"\)/);
    expect(models).toMatch(/gone\s+String\?\s+@map\("Gone"\)/);
    expect(await dmmfModels(models)).toEqual([
      'BubbleUser',
      'BubbleOld',
      'BubbleSyncJob',
      'BubbleSyncCursor',
      'BubbleSyncPage',
      'BubbleSyncReject',
      'BubbleSyncEvent',
    ]);
  });

  test('a long table name gets explicit, distinct ≤63-byte constraint names', async () => {
    const long = 'a'.repeat(58);
    const dictionary: Dictionary = {
      version: 1,
      app: { name: 'x' },
      types: [`${long}1`, `${long}2`].map((name) => ({ name, display: name, fields: [{ key: 'Ref', display: 'Ref', type: 'user' }] })),
    };
    const { models } = await renderOf(dictionary);
    const maps = [...models.matchAll(/map: "([^"]+)"/g)].map((m) => m[1]!);
    expect(maps.length).toBe(6);
    expect(new Set(maps).size).toBe(6);
    for (const name of maps) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    await dmmfModels(models);
  });
});

describe('summariseModelsDiff', () => {
  const a = 'model A {\n  x String\n  y Int\n}\n\nmodel B {\n  z String\n}\n';
  test('names missing, unexpected and changed fields and models', () => {
    const b = 'model A {\n  x Int\n  w String\n}\n\nmodel C {\n  z String\n}\n';
    expect(summariseModelsDiff(b, a)).toBe(
      [
        '~ model A: 1 field missing (y); 1 field not expected (w); 1 field changed (x)',
        '+ model B (missing from the file)',
        '- model C (not expected)',
      ].join('\n'),
    );
    expect(summariseModelsDiff(a, a)).toBe('');
    expect(summariseModelsDiff(`${a}\n// note\n`, a)).toBe('~ comments, order or whitespace differ');
  });
});
