/**
 * Generator benchmark: `generate()` (render + format + ts-morph adapters + writes) for the sample
 * app's dictionary and a synthetic 200-type × 50-field dictionary, cold (no files) and warm
 * (unchanged files, the common `prisma generate`). Run: `npm run bench -- --only generate`.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { loadDictionary } from '../../core/dictionary/read.js';
import { generate } from '../../generator/generate.js';

const SYNTHETIC_TYPES = [
  'text',
  'number',
  'boolean',
  'date',
  'list.text',
  'custom.type0',
  'option.status',
  'geographic_address',
  'list.number',
  'image',
];

/** `types` types of `fields` fields each, cycling through the Bubble field types. */
export function syntheticDictionary(types: number, fields: number): Dictionary {
  return {
    version: 1,
    app: { name: 'synthetic' },
    types: Array.from({ length: types }, (_, t) => ({
      name: `type${t}`,
      display: `Synthetic Type ${t}`,
      fields: [
        { key: '_id', display: 'unique ID', type: 'text', builtin: true },
        { key: 'Created Date', display: 'Created Date', type: 'date', builtin: true },
        ...Array.from({ length: fields }, (_, f) => ({
          key: `Field ${f} of type ${t}`,
          display: `Field ${f}`,
          type: SYNTHETIC_TYPES[f % SYNTHETIC_TYPES.length]!,
        })),
      ],
    })),
  };
}

/** Works from the source tree and from dist/ alike. */
function findUp(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    dir = dirname(dir);
  }
  throw new Error(`${rel} not found above ${fileURLToPath(import.meta.url)}`);
}

async function timeGenerate(dictionary: Dictionary): Promise<{ coldMs: number; warmMs: number; files: number; modelsBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-generate-'));
  try {
    const options = { dictionary, schemaDir: join(dir, 'schema'), outputDir: join(dir, 'out') };
    let start = performance.now();
    const cold = await generate(options);
    const coldMs = performance.now() - start;
    start = performance.now();
    await generate(options);
    const warmMs = performance.now() - start;
    return { coldMs, warmMs, files: cold.outputs.length + 1, modelsBytes: statSync(cold.models.path).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(_opts: { records?: number } = {}): Promise<string> {
  const fixture = loadDictionary(findUp(join('fixtures', 'sample-app', 'dictionary.json')));
  // Warm-up: the first call loads Prisma's formatter (WASM) and ts-morph.
  await timeGenerate(syntheticDictionary(2, 5));
  const rows: string[] = [];
  const cases: [string, Dictionary][] = [
    ['sample app (fixture)', fixture],
    ['synthetic 200 types × 50 fields', syntheticDictionary(200, 50)],
  ];
  for (const [name, dictionary] of cases) {
    const fields = dictionary.types.reduce((n, t) => n + t.fields.length, 0);
    const r = await timeGenerate(dictionary);
    rows.push(
      `| ${name} | ${dictionary.types.length} | ${fields} | ${r.coldMs.toFixed(0)} | ${r.warmMs.toFixed(0)} | ${(r.coldMs / fields).toFixed(2)} | ${r.files} | ${(r.modelsBytes / 1024).toFixed(0)} KiB |`,
    );
  }
  return [
    '## generate (models + manifest + adapters)',
    '',
    "`generate()` end to end: dictionary → manifest → Prisma text through Prisma's formatter → ts-morph adapters → files. Cold = empty folders; warm = second run, nothing changes on disk.",
    '',
    '| dictionary | types | fields | cold ms | warm ms | cold ms / field | files | models file |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
