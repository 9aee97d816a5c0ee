/**
 * `generate`: the generator as a library function (the Prisma handler and the `demo` command both use
 * it). Renders everything in memory first, then — unless the CI check refuses a stale models file —
 * writes the models file, the manifest and the adapters, touching only files whose text changed:
 * all of them or none (files.ts), and never over a file it did not write.
 */
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BubbleError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { summariseModelsDiff } from './check/models-diff.js';
import { loadDictionary } from '../core/dictionary/read.js';
import type { Dictionary } from '../core/dictionary/schema.js';
import type { NamingNote } from './manifest/build.js';
import type { Manifest } from '../core/manifest/schema.js';
import { render } from './render.js';
import { commitFiles, GENERATED_MARK, isGeneratedFile, readIfExists, removeStaleAdapters } from './files.js';
import { outsideProjectWarning } from './project-root.js';

export const DEFAULT_MODELS_FILE = 'bubble.prisma';

export interface GenerateOptions {
  /** The dictionary itself, or… */
  dictionary?: Dictionary;
  /** …the file to load it from. Also named in the generated headers when given. */
  dictionaryPath?: string;
  /** The multi-file schema folder the models file belongs to. */
  schemaDir: string;
  /** The models file: absolute, or relative to `schemaDir`. Default `bubble.prisma` in `schemaDir`. */
  modelsFile?: string;
  /** Folder for the manifest and the TypeScript adapters. */
  outputDir: string;
  modelPrefix?: string;
  tablePrefix?: string;
  /** Fail instead of rewriting a models file that differs from what the dictionary renders. */
  check?: boolean;
}

export type FileStatus = 'created' | 'updated' | 'unchanged';

export interface GenerateResult {
  manifest: Manifest;
  /** Every collision, fallback, reserved-word suffix and truncation the names needed. */
  naming: NamingNote[];
  models: { path: string; status: FileStatus; /** What differed, when an existing file was rewritten. */ diff?: string };
  /** Manifest and adapters, absolute paths; plus stale adapter files removed from the output. */
  outputs: { path: string; status: FileStatus }[];
  removed: string[];
  /** Things the user should know that did not stop the generator (e.g. output outside the project). */
  warnings: string[];
  /** True when any file was created, updated or removed. */
  changed: boolean;
}

/** The models file on disk differs from the dictionary and the check forbids rewriting it. */
export class StaleModelsError extends BubbleError {
  readonly diff: string;
  constructor(path: string, diff: string) {
    super('SCHEMA_STALE', `${path} is not what the data dictionary renders:\n${diff}`, {
      hint: 'Run `npx prisma generate` (or `npx bubble-runtime generate`) without check = "true" / BUBBLE_SCHEMA_CHECK=1 / --check to rewrite it, then commit the file.',
    });
    this.diff = diff;
  }
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const schemaDir = resolve(options.schemaDir);
  const outputDir = resolve(options.outputDir);
  const modelsPath = resolve(schemaDir, options.modelsFile ?? DEFAULT_MODELS_FILE);
  checkPlacement(schemaDir, modelsPath);
  let dictionary = options.dictionary;
  const dictionaryPath = options.dictionaryPath === undefined ? undefined : resolve(options.dictionaryPath);
  if (dictionary === undefined) {
    if (dictionaryPath === undefined) throw new BubbleError('USAGE', 'generate needs a dictionary or a dictionaryPath.');
    dictionary = loadDictionary(dictionaryPath);
  }

  const rendered = await render({
    dictionary,
    ...(options.modelPrefix === undefined ? {} : { modelPrefix: options.modelPrefix }),
    ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
    generatedBy: `prisma-generator-bubble@${packageVersion()}`,
    paths: {
      modelsFile: posixRelative(outputDir, modelsPath),
      schemaDir: posixRelative(outputDir, schemaDir),
      dictionary: dictionaryPath === undefined ? '(in memory)' : posixRelative(outputDir, dictionaryPath),
      dictionaryFromModels: dictionaryPath === undefined ? '(in memory)' : posixRelative(dirname(modelsPath), dictionaryPath),
    },
  });

  const existing = readIfExists(modelsPath);
  if (existing !== undefined && existing.trim() !== '' && !existing.startsWith(GENERATED_MARK)) {
    throw new BubbleError(
      'GENERATOR_OPTION',
      `modelsFile ${modelsPath} exists and was not written by prisma-generator-bubble; refusing to overwrite it.`,
      {
        hint: 'Point modelsFile at a file of its own (default bubble.prisma beside the file holding the generator block).',
      },
    );
  }
  const modelsStatus: FileStatus = existing === undefined ? 'created' : existing === rendered.models ? 'unchanged' : 'updated';
  const diff = modelsStatus === 'updated' ? summariseModelsDiff(existing!, rendered.models) : undefined;
  // A missing file is always written (a fresh clone's first generate); only a differing one is refused.
  if (options.check === true && diff !== undefined) throw new StaleModelsError(displayPath(modelsPath), diff);

  const writes: Array<{ path: string; text: string }> = [];
  const outputs = rendered.outputs.map((file) => {
    const path = join(outputDir, ...file.path.split('/'));
    const before = readIfExists(path);
    if (before !== undefined && !isGeneratedFile(path, before)) {
      throw new BubbleError(
        'GENERATOR_OUTPUT',
        `${path} exists and was not written by prisma-generator-bubble; refusing to overwrite it.`,
        {
          hint: 'Point output at a folder of its own, e.g. output = "../../generated/bubble".',
        },
      );
    }
    const status: FileStatus = before === undefined ? 'created' : before === file.text ? 'unchanged' : 'updated';
    if (status !== 'unchanged') writes.push({ path, text: file.text });
    return { path, status };
  });
  // The models file last: while it is being replaced, the manifest and adapters already match it.
  if (modelsStatus !== 'unchanged') writes.push({ path: modelsPath, text: rendered.models });
  commitFiles(writes);
  const removed = removeStaleAdapters(join(outputDir, 'adapters'), new Set(outputs.map((o) => o.path)));
  const warning = outsideProjectWarning(schemaDir, outputDir);
  return {
    manifest: rendered.manifest,
    naming: rendered.naming,
    models: { path: modelsPath, status: modelsStatus, ...(diff === undefined ? {} : { diff }) },
    outputs,
    removed,
    warnings: warning === undefined ? [] : [warning],
    changed: modelsStatus !== 'unchanged' || outputs.some((o) => o.status !== 'unchanged') || removed.length > 0,
  };
}

/** The models file must be a `.prisma` file inside the schema folder, or Prisma never reads it. */
function checkPlacement(schemaDir: string, modelsPath: string): void {
  const rel = relative(schemaDir, modelsPath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new BubbleError(
      'GENERATOR_OPTION',
      `modelsFile ${modelsPath} is outside the schema folder ${schemaDir}, so Prisma would never read it.`,
      {
        hint: 'Set modelsFile to a path inside the schema folder, e.g. modelsFile = "bubble.prisma".',
      },
    );
  }
  if (!modelsPath.endsWith('.prisma')) {
    throw new BubbleError('GENERATOR_OPTION', `modelsFile ${modelsPath} must end in .prisma.`, {
      hint: 'e.g. modelsFile = "bubble.prisma".',
    });
  }
}

/** Relative to the working directory when inside it (shorter messages), else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function posixRelative(from: string, to: string): string {
  const rel = relative(from, to);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}
