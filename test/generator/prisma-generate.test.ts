/**
 * The generator through the real Prisma CLI in a temp project with a schema folder: generate writes
 * the models and adapters, validate passes, a second generate builds Prisma Client with the models,
 * tsc accepts the adapters with a strict consumer, output is byte-identical, and the CI check fails
 * readably on a stale models file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, type Manifest } from '../../core/manifest/schema.js';
import { formatPrisma } from '../../generator/emit/format.js';
import { bubbleProject, CONSUMER_TSCONFIG, output, PLAIN_STRICT_TSCONFIG, prisma, readTree, tsc } from './support.js';
import { FIXTURE_DICTIONARY } from './fixture.js';

const dictionary = JSON.parse(readFileSync(FIXTURE_DICTIONARY, 'utf8')) as unknown;

describe('prisma generate with generator bubble (fixture dictionary)', () => {
  let project: { dir: string; cleanup: () => void };
  let first: Awaited<ReturnType<typeof prisma>>;
  let manifest: Manifest;
  const models = (): string => readFileSync(join(project.dir, 'prisma/schema/bubble.prisma'), 'utf8');

  beforeAll(async () => {
    project = bubbleProject({ dictionary });
    first = await prisma(['generate'], project.dir);
    manifest = JSON.parse(readFileSync(join(project.dir, 'generated/bubble', MANIFEST_FILE), 'utf8')) as Manifest;
  });
  afterAll(() => project.cleanup());

  test('the first generate writes the models file, manifest and adapters, and says to generate once more', () => {
    expect(first.code).toBe(0);
    expect(output(first)).toContain('wrote prisma/schema/bubble.prisma');
    expect(output(first)).toContain('Run `prisma generate` once more');
    const dictionaryTypes = (dictionary as { types: unknown[] }).types.length;
    expect(manifest.types).toHaveLength(dictionaryTypes);
    for (const type of manifest.types) {
      expect(existsSync(join(project.dir, 'generated/bubble/adapters', `${type.model}.ts`))).toBe(true);
      expect(models()).toContain(`model ${type.model} {`);
    }
    expect(manifest.modelsFile).toBe('../../prisma/schema/bubble.prisma');
    expect(manifest.dictionary).toBe('../../bubble/dictionary.json');
  });

  test('the models file is exactly what prisma format leaves', async () => {
    expect(await formatPrisma(models())).toBe(models());
  });

  test('prisma validate accepts the schema folder with the generated models', async () => {
    const result = await prisma(['validate'], project.dir);
    expect(output(result)).toMatch(/are valid|is valid/);
    expect(result.code).toBe(0);
  });

  test('a second generate builds Prisma Client with the models, and tsc accepts adapters + a strict consumer', async () => {
    const second = await prisma(['generate'], project.dir);
    expect(second.code).toBe(0);
    const type = manifest.types.find((t) => t.columns.some((c) => c.kind === 'date')) ?? manifest.types[0]!;
    expect(existsSync(join(project.dir, 'generated/client/models', `${type.model}.ts`))).toBe(true);
    const m = type.model;
    writeFileSync(join(project.dir, 'tsconfig.json'), CONSUMER_TSCONFIG);
    writeFileSync(
      join(project.dir, 'consumer.ts'),
      [
        "import { PrismaPg } from '@prisma/adapter-pg';",
        "import { PrismaClient } from './generated/client/client.js';",
        `import { adapters, plan, syncAll, sync${m}, ${m}Adapter, type ${m}Record, type ${m}Row } from './generated/bubble/index.js';`,
        "import type { SyncResult } from 'prisma-generator-bubble/runtime';",
        '',
        'export async function main(): Promise<SyncResult[]> {',
        "  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: 'postgresql://localhost/x' }) });",
        '  const record: ' + m + "Record = { _id: '1700000000000x1', 'Created Date': '2024-01-02T03:04:05.678Z' };",
        `  const row: ${m}Row = ${m}Adapter.toRow(record);`,
        `  await prisma.${type.delegate}.create({ data: row });`,
        `  const names: string[] = [...adapters.map((a) => a.table), ...plan.types.map((t) => t.name)];`,
        '  if (names.length === 0) return [];',
        `  return [await syncAll(prisma, { mode: 'full', concurrency: 2 }), await sync${m}(prisma, { mode: 'incremental' })];`,
        '}',
        '',
      ].join('\n'),
    );
    const checked = await tsc(project.dir);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  test('tsc also accepts adapters + consumer with plain strict (no exactOptionalPropertyTypes)', async () => {
    writeFileSync(join(project.dir, 'tsconfig.json'), PLAIN_STRICT_TSCONFIG);
    const checked = await tsc(project.dir);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  test('generating again leaves every file byte-identical', async () => {
    const before = readTree(join(project.dir, 'prisma'));
    const adaptersBefore = readTree(join(project.dir, 'generated/bubble'));
    const again = await prisma(['generate'], project.dir);
    expect(again.code).toBe(0);
    expect(output(again)).not.toContain('rewritten');
    expect(readTree(join(project.dir, 'prisma'))).toEqual(before);
    expect(readTree(join(project.dir, 'generated/bubble'))).toEqual(adaptersBefore);
  });

  test('a stale models file fails the CI check with a short summary, and is rewritten without it', async () => {
    const good = models();
    const type = manifest.types[0]!;
    const column = type.columns[0]!;
    const stale = good
      .split('\n')
      .filter((line) => !line.trimStart().startsWith(`${column.field} `))
      .join('\n');
    expect(stale).not.toBe(good);
    writeFileSync(join(project.dir, 'prisma/schema/bubble.prisma'), stale);

    const checked = await prisma(['generate'], project.dir, { BUBBLE_SCHEMA_CHECK: '1' });
    expect(checked.code).not.toBe(0);
    expect(output(checked)).toContain('bubble.prisma is not what the data dictionary renders');
    expect(output(checked)).toContain(`~ model ${type.model}: 1 field missing (${column.field})`);
    expect(models()).toBe(stale);

    const rewritten = await prisma(['generate'], project.dir);
    expect(rewritten.code).toBe(0);
    expect(output(rewritten)).toContain('was stale and has been rewritten');
    expect(output(rewritten)).toContain('once more');
    expect(models()).toBe(good);
  });

  test('check = "true" in the block also refuses a stale file; an up-to-date file passes', async () => {
    const schemaPath = join(project.dir, 'prisma/schema/schema.prisma');
    const schema = readFileSync(schemaPath, 'utf8');
    writeFileSync(schemaPath, schema.replace('dictionary = ', 'check      = "true"\n  dictionary = '));
    try {
      const passes = await prisma(['generate'], project.dir);
      expect(passes.code).toBe(0);
      writeFileSync(join(project.dir, 'prisma/schema/bubble.prisma'), `${models()}\nmodel Extra {\n  id String @id\n}\n`);
      const fails = await prisma(['generate'], project.dir);
      expect(fails.code).not.toBe(0);
      expect(output(fails)).toContain('- model Extra (not expected)');
    } finally {
      writeFileSync(schemaPath, schema);
    }
  });
});
