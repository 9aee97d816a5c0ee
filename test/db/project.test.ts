import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectError } from '../../core/errors.js';
import { resolveProject, resolveSchema } from '../../runtime/project/index.js';
import { makeTempProject } from '../support/prisma-cli.js';

const datasource = 'datasource db {\n  provider = "postgresql"\n}\n';
const bubbleBlock =
  'generator bubble {\n  provider   = "prisma-generator-bubble"\n  dictionary = "../../bubble/dictionary.json"\n  output     = "../../generated/bubble"\n}\n';
const configWithEnv = `import { defineConfig, env } from 'prisma/config';
export default defineConfig({ schema: 'prisma/schema', migrations: { path: 'db/migrations' }, datasource: { url: env('DATABASE_URL') } });
`;
const manifest = {
  version: 1,
  generatedBy: 'x',
  dictionaryHash: 'h',
  app: { name: 'a' },
  modelsFile: 'm',
  schemaDir: 's',
  dictionary: 'd',
  modelPrefix: '',
  tablePrefix: '',
  types: [],
  state: { jobTable: 'j', cursorTable: 'c', pageTable: 'p', rejectTable: 'r', eventTable: 'e' },
};

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProjectError);
  return (err as ProjectError).code;
}

describe('resolveProject', () => {
  const saved = process.env.DATABASE_URL;
  beforeAll(() => delete process.env.DATABASE_URL);
  afterAll(() => {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  });

  test('prisma.config.ts (even one needing DATABASE_URL) → schema folder, migrations path, generator output, manifest', async () => {
    const p = makeTempProject({
      'prisma.config.ts': configWithEnv,
      'prisma/schema/schema.prisma': datasource,
      'prisma/schema/gen.prisma': bubbleBlock,
    });
    try {
      await expect(codeOf(resolveProject({ cwd: p.dir }))).resolves.toBe('MANIFEST_MISSING');
      mkdirSync(join(p.dir, 'generated/bubble'), { recursive: true });
      writeFileSync(join(p.dir, 'generated/bubble/bubble-manifest.json'), JSON.stringify(manifest));
      const project = await resolveProject({ cwd: p.dir });
      expect(project.schemaDir).toBe(join(p.dir, 'prisma/schema'));
      expect(project.migrationsDir).toBe(join(p.dir, 'db/migrations'));
      expect(project.files.map(([f]) => f).sort()).toEqual([
        join(p.dir, 'prisma/schema/gen.prisma'),
        join(p.dir, 'prisma/schema/schema.prisma'),
      ]);
      expect(project.generator.output).toBe(join(p.dir, 'generated/bubble'));
      expect(project.generator.sourceFilePath).toBe(join(p.dir, 'prisma/schema/gen.prisma'));
      expect(project.manifestPath).toBe(join(p.dir, 'generated/bubble/bubble-manifest.json'));
      expect(project.manifest.state.jobTable).toBe('j');
      expect(process.env.DATABASE_URL).toBeUndefined();
    } finally {
      p.cleanup();
    }
  });

  test('--schema wins and migrations default to <schema>/migrations', async () => {
    const p = makeTempProject({ 'custom/schema.prisma': datasource });
    try {
      const loc = await resolveSchema({ cwd: p.dir, schema: 'custom' });
      expect(loc.schemaDir).toBe(join(p.dir, 'custom'));
      expect(loc.migrationsDir).toBe(join(p.dir, 'custom/migrations'));
      expect(loc.configFile).toBeNull();
    } finally {
      p.cleanup();
    }
  });

  test('clear errors: single-file schema, no schema, no generator bubble block, bad manifest', async () => {
    const single = makeTempProject({ 'prisma/schema.prisma': datasource });
    const none = makeTempProject({ 'readme.txt': 'x' });
    const noBlock = makeTempProject({ 'prisma/schema/schema.prisma': datasource });
    const badManifest = makeTempProject({
      'prisma/schema/schema.prisma': datasource + bubbleBlock,
      'generated/bubble/bubble-manifest.json': '{"version": 9}',
    });
    try {
      await expect(codeOf(resolveSchema({ cwd: single.dir }))).resolves.toBe('SINGLE_FILE_SCHEMA');
      await expect(codeOf(resolveSchema({ cwd: single.dir, schema: 'prisma/schema.prisma' }))).resolves.toBe('SINGLE_FILE_SCHEMA');
      await expect(codeOf(resolveSchema({ cwd: none.dir }))).resolves.toBe('SCHEMA_NOT_FOUND');
      await expect(codeOf(resolveProject({ cwd: noBlock.dir, schema: 'prisma/schema' }))).resolves.toBe('NO_BUBBLE_GENERATOR');
      await expect(codeOf(resolveProject({ cwd: badManifest.dir, schema: 'prisma/schema' }))).resolves.toBe('MANIFEST_INVALID');
    } finally {
      for (const p of [single, none, noBlock, badManifest]) p.cleanup();
    }
  });

  test('the missing-block hint gives paths that work from the schema folder (README layout: ../../)', async () => {
    const p = makeTempProject({
      'prisma.config.ts': "export default { schema: 'prisma/schema' };\n",
      'prisma/schema/schema.prisma': datasource,
    });
    try {
      const err = (await resolveProject({ cwd: p.dir }).then(
        () => undefined,
        (e: unknown) => e,
      )) as ProjectError;
      expect(err.code).toBe('NO_BUBBLE_GENERATOR');
      expect(err.hint).toContain('dictionary = "../../bubble/dictionary.json"  output = "../../generated/bubble"');
      expect(err.hint).toContain('npx bubble-runtime generate');
    } finally {
      p.cleanup();
    }
  });

  test("a config that loads an env file itself does not change bubble-runtime's environment", async () => {
    const p = makeTempProject({ '.env': 'FROM_CONFIG_ENV=leaked\n', 'prisma/schema/schema.prisma': datasource });
    writeFileSync(
      join(p.dir, 'prisma.config.ts'),
      `process.loadEnvFile(${JSON.stringify(join(p.dir, '.env'))});\nexport default { schema: 'prisma/schema' };\n`,
    );
    try {
      expect((await resolveSchema({ cwd: p.dir })).schemaDir).toBe(join(p.dir, 'prisma/schema'));
      expect(process.env.FROM_CONFIG_ENV).toBeUndefined();
    } finally {
      p.cleanup();
    }
  });
});
