/**
 * Names that break SQL if anything along the way splits, derives or interpolates them: field keys with
 * `;`, quotes, backslashes, `--`, comment markers and PostgreSQL's system column names, reference
 * fields (which get an index) with quotes, a type name and a tablePrefix with `;` and `"`-free but
 * hostile characters. The real pipeline: `prisma generate` → `prisma validate` → `tsc` on the adapters
 * → `bubble-runtime migrate` on PostgreSQL and PGlite → a sync → every value back.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dictionary, DictionaryField } from '../../core/dictionary/schema.js';
import { MANIFEST_FILE, type Manifest } from '../../core/manifest/schema.js';
import { PG_SYSTEM_COLUMN_NAMES } from '../../generator/naming/index.js';
import { readColumnTypes } from '../../runtime/db/upsert.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { resolveSchema } from '../../runtime/project/schema.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { BACKENDS, emptyDb } from '../db/support.js';
import { bubbleProject, CONSUMER_TSCONFIG, prisma, tsc } from '../generator/support.js';
import { MemoryApp } from '../sync/support/memory-app.js';
import { mismatches } from '../sync/support/compare.js';

const TYPE = 'q"t;x';
const field = (key: string, type: string): DictionaryField => ({ key, display: key, type });
const HOSTILE: DictionaryField[] = [
  field('Notes; internal', 'text'),
  field('Say "hi"', 'text'),
  field('C:\\back\\slash', 'number'),
  field('-- not a comment', 'boolean'),
  field('/* block */ ;', 'date'),
  field('It\'s; DROP TABLE "x";\n-- next', 'text'),
  ...PG_SYSTEM_COLUMN_NAMES.map((name) => field(name, 'text')),
  field('Owner "ref"; x', 'custom.other'),
  field('Refs "list" --', 'list.custom.other'),
];

const dictionary: Dictionary = {
  version: 1,
  app: { name: 'hostile' },
  types: [
    {
      name: TYPE,
      display: 'Quoted "Type"; x',
      fields: [field('_id', 'text'), field('Created Date', 'date'), field('Modified Date', 'date'), ...HOSTILE],
    },
    { name: 'other', display: 'Other', fields: [field('_id', 'text'), field('Name', 'text')] },
  ],
};

function recordOf(app: MemoryApp, i: number): void {
  app.insert(
    TYPE,
    {
      'Notes; internal': `note ${i}; with -- and "quotes"`,
      'Say "hi"': `hi ${i}`,
      'C:\\back\\slash': i + 0.5,
      '-- not a comment': i % 2 === 0,
      '/* block */ ;': new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
      'It\'s; DROP TABLE "x";\n-- next': 'still here',
      xmin: `x${i}`,
      ctid: `c${i}`,
      tableoid: `t${i}`,
      'Owner "ref"; x': `other${i}`,
      'Refs "list" --': [`other${i}`, `other${i + 1}`],
    },
    app.tick(),
  );
}

let project: { dir: string; cleanup: () => void };
let manifest: Manifest;

beforeAll(async () => {
  project = bubbleProject({ dictionary, block: ['tablePrefix = "b;x --_"', 'modelPrefix = "H"'] });
  for (const run of [1, 2]) {
    const generated = await prisma(['generate'], project.dir);
    if (generated.code !== 0) throw new Error(`prisma generate (${run}) failed:\n${generated.stdout}\n${generated.stderr}`);
  }
  manifest = JSON.parse(readFileSync(join(project.dir, 'generated/bubble', MANIFEST_FILE), 'utf8')) as Manifest;
});

afterAll(() => project.cleanup());

test('prisma validate accepts the schema, every constraint has a written name without a quote, and the adapters type-check', async () => {
  const validate = await prisma(['validate'], project.dir);
  expect(validate.code).toBe(0);

  const models = readFileSync(join(project.dir, 'prisma/schema/bubble.prisma'), 'utf8');
  const maps = [...models.matchAll(/map: "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  // Two models × (primary key + unique _id) + two reference indexes.
  expect(maps).toHaveLength(6);
  for (const name of maps) {
    expect(name).not.toContain('"');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  }
  expect(new Set(maps).size).toBe(maps.length);
  expect(maps).toContain('b;x --_other_pkey');

  const type = manifest.types.find((t) => t.name === TYPE)!;
  expect(type.table).toBe('b;x --_q"t;x');
  const byKey = new Map(type.columns.map((c) => [c.key, c.column]));
  for (const name of PG_SYSTEM_COLUMN_NAMES) {
    expect(byKey.get(name)).toMatch(new RegExp(`^${name}_[0-9a-z]{8}$`));
  }
  expect(byKey.get('Notes; internal')).toBe('Notes; internal');

  writeFileSync(
    join(project.dir, 'consumer.ts'),
    [
      "import { HQuotedTypeXAdapter, syncAll } from './generated/bubble/index.js';",
      "import type { PrismaClient } from './generated/client/client.js';",
      'export async function main(prisma: PrismaClient): Promise<void> {',
      `  const row = HQuotedTypeXAdapter.toRow({ _id: 'a', ${JSON.stringify('Notes; internal')}: 'n', xmin: 'x' });`,
      '  await prisma.hQuotedTypeX.create({ data: row });',
      '  await syncAll(prisma);',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(project.dir, 'tsconfig.json'), CONSUMER_TSCONFIG);
  const checked = await tsc(project.dir);
  expect(checked.stdout + checked.stderr).toBe('');
  expect(checked.code).toBe(0);
});

describe.each(BACKENDS)('on %s', (backend) => {
  test('migrate creates every table and column byte-exact, runs again as a no-op, and a sync stores every value', async () => {
    const t = await emptyDb(backend);
    const schemaDir = join(project.dir, 'prisma/schema');
    const migrationsDir = join(project.dir, `migrations-${backend}`);
    try {
      const location = await resolveSchema({ schema: schemaDir });
      const run = (now: string) => migrate({ db: t.db, schemaDir, files: location.files, migrationsDir, manifest, now: new Date(now) });
      const first = await run('2025-01-01T00:00:00Z');
      expect(first.applied).toHaveLength(1);
      for (const type of manifest.types) {
        const columns = await readColumnTypes(t.db, type.table);
        for (const c of type.columns) expect(columns.has(c.column)).toBe(true);
      }
      for (const table of Object.values(manifest.state)) expect((await readColumnTypes(t.db, table)).size).toBeGreaterThan(0);
      expect(await run('2025-01-02T00:00:00Z')).toEqual({ created: null, applied: [], backfill: [] });

      // Without the snapshot, the diff starts from the database itself: it reads the names back unchanged.
      rmSync(join(migrationsDir, first.created!.name, 'bubble-datamodel.json'));
      expect((await run('2025-01-03T00:00:00Z')).created).toBeNull();

      const app = new MemoryApp();
      for (let i = 0; i < 25; i++) recordOf(app, i);
      for (let i = 0; i < 5; i++) app.insert('other', { Name: `other ${i}` }, app.tick());
      const { result } = await runSyncOnDb(t.db, manifest, { reportDir: false, concurrency: 2 }, { source: app });
      expect(result.status).toBe('COMPLETED');
      for (const type of manifest.types) expect(await mismatches(t.db, manifest, type.name, app.sorted(type.name))).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
