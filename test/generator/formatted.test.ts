/**
 * Users commit the generated adapters, so they must be laid out the way a formatter leaves them: the
 * emitter runs TypeScript's own formatter (through ts-morph) over every file it writes. Formatting the
 * output again must change nothing, and the indentation must follow the nesting, two spaces a level,
 * for any names: the fixtures and random dictionaries of any script and length.
 */
import fc from 'fast-check';
import { Project } from 'ts-morph';
import { loadDictionary } from '../../core/dictionary/read.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { ADAPTER_FORMAT } from '../../generator/emit/adapters.js';
import { render, type RenderInput } from '../../generator/render.js';
import { FIXTURE_DICTIONARY } from './fixture.js';
import { nastyDictionary } from './fixtures/nasty.js';

const paths: RenderInput['paths'] = { modelsFile: 'm.prisma', schemaDir: 's', dictionary: 'd.json', dictionaryFromModels: 'd.json' };
const SOURCE = /\.(ts|js)$/;
const project = new Project({ useInMemoryFileSystem: true });

function reformat(path: string, text: string): string {
  const file = project.createSourceFile(`/check/${path}`, text, { overwrite: true });
  file.formatText(ADAPTER_FORMAT);
  return file.getFullText();
}

/** Lines whose indentation is not a multiple of two or opens more than one level at once. */
function badIndents(text: string): string[] {
  const bad: string[] = [];
  let previous = 0;
  let inComment = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    const comment = inComment || line.trimStart().startsWith('*');
    if (!comment && (indent % 2 !== 0 || indent > previous + 2)) bad.push(line);
    if (!comment) previous = indent;
    if (line.includes('/*')) inComment = !line.includes('*/');
    else if (line.includes('*/')) inComment = false;
  }
  return bad;
}

async function sources(dictionary: Dictionary, extra: Partial<RenderInput> = {}) {
  const { outputs } = await render({ dictionary, generatedBy: 'test', paths, ...extra });
  const files = outputs.filter((file) => SOURCE.test(file.path));
  expect(files.map((f) => f.path)).toContain('index.ts');
  return files;
}

async function expectFormatted(dictionary: Dictionary, extra: Partial<RenderInput> = {}): Promise<void> {
  for (const file of await sources(dictionary, extra)) {
    expect({ path: file.path, text: reformat(file.path, file.text) }).toEqual({ path: file.path, text: file.text });
    expect({ path: file.path, bad: badIndents(file.text) }).toEqual({ path: file.path, bad: [] });
  }
}

describe('generated TypeScript is laid out as the formatter leaves it', () => {
  const cases: Array<[string, () => Dictionary, Partial<RenderInput>]> = [
    ['the sample app', () => loadDictionary(FIXTURE_DICTIONARY), {}],
    ['hostile names', nastyDictionary, {}],
    ['hostile names with prefixes', nastyDictionary, { modelPrefix: 'Bubble', tablePrefix: 'bubble_' }],
    ['an app without types', () => ({ version: 1, app: { name: 'empty' }, types: [] }), {}],
  ];
  test.each(cases)('%s', async (_name, dictionary, extra) => {
    await expectFormatted(dictionary(), extra);
  });

  test('the check can fail: a descriptor indented four spaces under its declaration is caught', async () => {
    const [file] = await sources(loadDictionary(FIXTURE_DICTIONARY));
    const broken = file!.text.replace(/\n {2}"name":/, '\n    "name":');
    expect(broken).not.toBe(file!.text);
    expect(reformat(file!.path, broken)).not.toBe(broken);
    expect(badIndents(broken)).not.toEqual([]);
  });

  test('property: any names, of any script and length, with or without prefixes', async () => {
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom('a', ' ', "'", '"', '\\', '\n', '🚀', '日', 'é', '\u0301', '{', '}', '/*', '*/', '\u2028', 'ｗ'),
        minLength: 1,
        maxLength: 70,
      }),
    );
    const bubbleType = fc.oneof(
      fc.constantFrom('text', 'number', 'boolean', 'date', 'geographic_address', 'list.text', 'date_range', 'image'),
      name.map((n) => `custom.${n}`),
      name.map((n) => `list.option.${n}`),
    );
    const field = fc.record({ key: name, display: name, type: bubbleType });
    const type = fc.record({ name, display: name, fields: fc.array(field, { maxLength: 6 }) });
    const dictionary = fc.record({
      version: fc.constant(1 as const),
      app: fc.record({ name: fc.oneof(name, fc.constant('')) }),
      types: fc.array(type, { minLength: 1, maxLength: 3 }),
    });
    const prefixes = fc.constantFrom<Partial<RenderInput>>({}, { modelPrefix: 'BubbleMirror', tablePrefix: 'bubble_mirror_' });
    await fc.assert(
      fc.asyncProperty(dictionary, prefixes, async (d, extra) => {
        await expectFormatted(d, extra);
      }),
      // Fixed seed: deterministic; a failure prints the counterexample.
      { seed: 20260301, numRuns: 25 },
    );
  });
});
