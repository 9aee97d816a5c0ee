/**
 * Clear one-line errors from the real `prisma generate`, and the nastiest names through the whole
 * real pipeline (generate → validate → Prisma Client → tsc).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempProject, PRISMA_CONFIG } from '../support/prisma-cli.js';
import { MANIFEST_FILE, type Manifest } from '../../core/manifest/schema.js';
import { nastyDictionary, NASTY_KEYS } from './fixtures/nasty.js';
import { bubbleProject, CONSUMER_TSCONFIG, output, prisma, schemaText, tsc } from './support.js';

const small = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'small-dictionary.json'), 'utf8')) as {
  types: { fields: { type: unknown }[] }[];
};

/** Prisma wraps a failed generator's message; ours is the line that starts with `what`. */
function errorLine(text: string, what: string): string {
  const line = text.split('\n').find((l) => l.includes(what));
  if (line === undefined) throw new Error(`no line with ${JSON.stringify(what)} in:\n${text}`);
  return line.trim();
}

describe('generator bubble: clear errors', () => {
  test('a dictionary entry of the wrong type names its JSON path and what was expected', async () => {
    const bad = structuredClone(small);
    bad.types[2]!.fields[6]!.type = 42;
    const project = bubbleProject({ dictionary: bad });
    try {
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(errorLine(output(result), 'Data dictionary')).toMatch(
        /^Data dictionary .*dictionary\.json: \$\.types\[2\]\.fields\[6\]\.type: expected string, found number\.$/,
      );
    } finally {
      project.cleanup();
    }
  });

  test('a dictionary that is not JSON says so', async () => {
    const project = bubbleProject({ dictionary: '{"version": 1, "types": [' });
    try {
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(errorLine(output(result), 'Data dictionary')).toContain('is not valid JSON');
    } finally {
      project.cleanup();
    }
  });

  test('a missing dictionary file says what to run', async () => {
    const project = makeTempProject({ 'prisma.config.ts': PRISMA_CONFIG, 'prisma/schema/schema.prisma': schemaText() });
    try {
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(errorLine(output(result), 'Data dictionary')).toMatch(/dictionary\.json does not exist\.$/);
      expect(output(result)).toContain('bubble-runtime introspect --out');
    } finally {
      project.cleanup();
    }
  });

  test('an unknown option is named, with the list of valid ones', async () => {
    const project = bubbleProject({ dictionary: small, block: ['modelPrefx = "Bubble"'] });
    try {
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(errorLine(output(result), 'generator bubble:')).toBe('generator bubble: unknown option "modelPrefx".');
      expect(output(result)).toContain('dictionary, modelsFile, modelPrefix, tablePrefix, check');
    } finally {
      project.cleanup();
    }
  });

  test('a bad check value and a missing output are one line each', async () => {
    const badCheck = bubbleProject({ dictionary: small, block: ['check = "yes"'] });
    const noOutput = bubbleProject({ dictionary: small, output: null });
    try {
      const a = await prisma(['generate'], badCheck.dir);
      expect(a.code).not.toBe(0);
      expect(errorLine(output(a), 'generator bubble:')).toBe('generator bubble: check = "yes": expected "true" or "false".');
      const b = await prisma(['generate'], noOutput.dir);
      expect(b.code).not.toBe(0);
      // Prisma itself refuses a custom generator without output, in one line.
      expect(errorLine(output(b), 'output')).toContain("Can't resolve output dir for generator bubble");
    } finally {
      badCheck.cleanup();
      noOutput.cleanup();
    }
  });

  test('a single-file schema is refused with how to switch to a schema folder', async () => {
    const project = makeTempProject({
      'prisma.config.ts':
        "import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: 'prisma/schema.prisma' });\n",
      'prisma/schema.prisma': schemaText().replace('../../bubble/dictionary.json', '../bubble/dictionary.json'),
      'bubble/dictionary.json': JSON.stringify(small),
    });
    try {
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(errorLine(output(result), 'generator bubble:')).toMatch(/the schema .*schema\.prisma is a single file/);
      expect(output(result)).toContain('prisma/schema/schema.prisma');
    } finally {
      project.cleanup();
    }
  });

  test('a modelsFile that is not ours is never overwritten', async () => {
    const project = bubbleProject({ dictionary: small, block: ['modelsFile = "schema.prisma"'] });
    try {
      const before = readFileSync(join(project.dir, 'prisma/schema/schema.prisma'), 'utf8');
      const result = await prisma(['generate'], project.dir);
      expect(result.code).not.toBe(0);
      expect(output(result)).toContain('was not written by prisma-generator-bubble; refusing to overwrite it');
      expect(readFileSync(join(project.dir, 'prisma/schema/schema.prisma'), 'utf8')).toBe(before);
    } finally {
      project.cleanup();
    }
  });
});

describe('generator bubble: the nastiest names through the real pipeline', () => {
  test('generate, validate, Prisma Client and tsc all accept them, and every key survives in @map and the adapters', async () => {
    const project = bubbleProject({ dictionary: nastyDictionary(), block: ['modelPrefix = "B"', 'tablePrefix = "bubble_"'] });
    try {
      const first = await prisma(['generate'], project.dir);
      expect(output(first)).toContain('wrote prisma/schema/bubble.prisma');
      expect(first.code).toBe(0);
      const validate = await prisma(['validate'], project.dir);
      expect(validate.code).toBe(0);
      const second = await prisma(['generate'], project.dir);
      expect(second.code).toBe(0);

      const manifest = JSON.parse(readFileSync(join(project.dir, 'generated/bubble', MANIFEST_FILE), 'utf8')) as Manifest;
      const order = manifest.types.find((t) => t.name === 'order')!;
      const keys = order.columns.map((c) => c.key);
      for (const key of NASTY_KEYS.filter((k) => k !== '')) expect(keys).toContain(key);
      const columns = order.columns.map((c) => c.column);
      expect(new Set(columns).size).toBe(columns.length);
      for (const column of columns) expect(Buffer.byteLength(column)).toBeLessThanOrEqual(63);
      expect(manifest.types.map((t) => t.table)).toContain('bubble_order');

      const consumer = [
        "import { BOrderAdapter, adapters, syncAll, syncBOrder, type BOrderRecord } from './generated/bubble/index.js';",
        "import type { PrismaClient } from './generated/client/client.js';",
        'export async function main(prisma: PrismaClient): Promise<number> {',
        `  const record: BOrderRecord = { _id: 'x', ${JSON.stringify(NASTY_KEYS[0])}: 'a', ${JSON.stringify(NASTY_KEYS[2])}: true };`,
        '  const row = BOrderAdapter.toRow(record);',
        '  await prisma.bOrder.create({ data: row });',
        '  await syncAll(prisma);',
        '  await syncBOrder(prisma);',
        '  return adapters.length;',
        '}',
        '',
      ].join('\n');
      writeFileSync(join(project.dir, 'consumer.ts'), consumer);
      writeFileSync(join(project.dir, 'tsconfig.json'), CONSUMER_TSCONFIG);
      const checked = await tsc(project.dir);
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);
    } finally {
      project.cleanup();
    }
  });
});
