/**
 * `generate` writes the models file, the manifest and the adapters all or none, never over a file it
 * did not write, and says so in words when a path is in the way; an output outside the project is
 * written with a warning; a tablePrefix that cannot be written safely everywhere is refused.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../generator/generate.js';
import { summarise } from '../../generator/handler.js';
import { resolveBlockOptions } from '../../generator/options.js';
import { tsString } from '../../generator/naming/index.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { BubbleError } from '../../core/errors.js';

const dictionary: Dictionary = {
  version: 1,
  app: { name: 'a' },
  types: [
    {
      name: 'item',
      display: 'Item',
      fields: ['Name', 'xmin', 'ctid', 'tableoid', 'XMIN', 'oid'].map((key) => ({ key, display: key, type: 'text' })),
    },
  ],
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bubble-gen-'));
  writeFileSync(join(root, 'prisma.config.ts'), 'export default {};\n');
  mkdirSync(join(root, 'prisma', 'schema'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const schemaDir = (): string => join(root, 'prisma', 'schema');
const failure = (promise: Promise<unknown>): Promise<BubbleError> =>
  promise.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: unknown) => e as BubbleError,
  );
/** Every file under the project except the config: what generate left behind. */
function tree(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name !== 'prisma.config.ts')
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

test('an output path through a file fails with what is in the way, and nothing is written — not even the models file', async () => {
  writeFileSync(join(root, 'generated'), 'a file where a folder should be');
  const err = await failure(generate({ dictionary, schemaDir: schemaDir(), outputDir: join(root, 'generated', 'bubble') }));
  expect(err.code).toBe('GENERATE_WRITE');
  expect(err.message).toBe(
    `Cannot write ${join(root, 'generated', 'bubble', 'bubble-manifest.json')}: ${join(root, 'generated')} is a file, where a folder is needed. Nothing was written.`,
  );
  expect(err.hint).toMatch(/output or modelsFile option/);
  expect(tree()).toEqual(['generated']);
});

test('a file in the output folder that the generator did not write is never overwritten', async () => {
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'index.ts'), 'export const mine = 1;\n');
  const err = await failure(generate({ dictionary, schemaDir: schemaDir(), outputDir: join(root, 'src') }));
  expect(err.code).toBe('GENERATOR_OUTPUT');
  expect(err.message).toBe(
    `${join(root, 'src', 'index.ts')} exists and was not written by prisma-generator-bubble; refusing to overwrite it.`,
  );
  expect(readFileSync(join(root, 'src', 'index.ts'), 'utf8')).toBe('export const mine = 1;\n');
  expect(tree()).toEqual(['src/index.ts']);
});

test('a second generate rewrites only its own files, leaving no temporary file behind', async () => {
  const outputDir = join(root, 'generated', 'bubble');
  const first = await generate({ dictionary, schemaDir: schemaDir(), outputDir });
  expect(first.warnings).toEqual([]);
  const before = tree();
  const renamed: Dictionary = { ...dictionary, types: [{ ...dictionary.types[0]!, display: 'Thing' }] };
  const second = await generate({ dictionary: renamed, schemaDir: schemaDir(), outputDir });
  expect(second.removed).toEqual([join(outputDir, 'adapters', 'Item.ts')]);
  expect(tree()).toEqual(before.map((p) => p.replace('Item.ts', 'Thing.ts')).sort());
});

test('an output outside the project is written, with a warning', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'bubble-outside-'));
  try {
    const result = await generate({ dictionary, schemaDir: schemaDir(), outputDir: outside });
    expect(existsSync(join(outside, 'bubble-manifest.json'))).toBe(true);
    expect(result.warnings).toEqual([
      `output ${outside} is outside the project ${root}; the manifest and adapters were written there. If that is not intended, fix \`output\` in the generator block.`,
    ]);
    expect(summarise(result, root, 'prisma')).toContain(`prisma-generator-bubble: output ${outside} is outside the project`);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('PostgreSQL system column names get their own columns, named in the report; other spellings stay', async () => {
  const result = await generate({ dictionary, schemaDir: schemaDir(), outputDir: join(root, 'generated') });
  const columns = new Map(result.manifest.types[0]!.columns.map((c) => [c.key, c.column]));
  for (const name of ['xmin', 'ctid', 'tableoid']) expect(columns.get(name)).toMatch(new RegExp(`^${name}_[0-9a-z]{8}$`));
  expect(columns.get('XMIN')).toBe('XMIN');
  expect(columns.get('oid')).toBe('oid');
  expect(result.naming.filter((n) => n.kind === 'system').map((n) => n.original)).toEqual(['xmin', 'ctid', 'tableoid']);
  expect(summarise(result, root, 'prisma')).toContain(
    `column "xmin" → ${columns.get('xmin')} (is a PostgreSQL system column name: hash-tagged)`,
  );
});

describe('tablePrefix', () => {
  const block = (tablePrefix: string) =>
    resolveBlockOptions({
      config: { dictionary: 'd.json', tablePrefix },
      output: join(root, 'generated'),
      sourceFilePath: join(schemaDir(), 'schema.prisma'),
      schemaPath: schemaDir(),
      env: {},
    });

  test.each([
    ['a"b', 'holds "\\""'],
    ['a\\b', 'holds "\\\\"'],
    ['line\nfeed', 'holds U+000A'],
    ['tab\t', 'holds U+0009'],
    ['\u2028', 'holds U+2028'],
    ['lone \ud800', 'holds a lone surrogate'],
    ['p'.repeat(41), 'is 41 bytes long (at most 40)'],
  ])('%j is refused with the characters allowed', (prefix, why) => {
    let err: BubbleError | undefined;
    try {
      block(prefix);
    } catch (e) {
      err = e as BubbleError;
    }
    expect(err?.code).toBe('GENERATOR_OPTION');
    expect(err?.message).toBe(`generator bubble: tablePrefix ${tsString(prefix)} ${why}.`);
    expect(err?.hint).toBe('Use any characters except " and \\ and control characters, at most 40 bytes, e.g. tablePrefix = "bubble_".');
  });

  test('punctuation, spaces and other scripts are fine, and generate refuses a bad one as well', async () => {
    expect(block('b; x --_ü').tablePrefix).toBe('b; x --_ü');
    const err = await failure(generate({ dictionary, schemaDir: schemaDir(), outputDir: join(root, 'generated'), tablePrefix: 'a\nb' }));
    expect(err.code).toBe('NAMING');
    expect(tree()).toEqual([]);
  });
});
