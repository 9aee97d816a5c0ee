/**
 * The `generator bubble { … }` block's options → `generate` options. Prisma hands config values over
 * as strings; relative paths resolve from the folder of the file holding the block. Every problem is
 * one clear line (a BubbleError with a hint).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BubbleError } from '../core/errors.js';
import { assertModelPrefix, assertTablePrefix, NamingError } from './naming/index.js';
import { parseVariable } from '../core/settings/variables.js';
import { DEFAULT_MODELS_FILE, type GenerateOptions } from './generate.js';

/** Options of the block besides `provider` and `output` (which Prisma handles itself). */
export const BLOCK_OPTIONS = ['dictionary', 'modelsFile', 'modelPrefix', 'tablePrefix', 'check'] as const;

export const CHECK_ENV = 'BUBBLE_SCHEMA_CHECK';

export interface BlockInput {
  /** `generator.config`: every key=value of the block except provider/output/binaryTargets/previewFeatures. */
  config: Readonly<Record<string, string | string[] | undefined>>;
  /** `generator.output.value` (Prisma resolves it to an absolute path), or null when the block has none. */
  output: string | null;
  /** `generator.sourceFilePath`: the file holding the block. */
  sourceFilePath: string;
  /** `options.schemaPath`: the schema folder (multi-file schema) or a single file. */
  schemaPath: string;
  env: Readonly<Record<string, string | undefined>>;
}

export type ResolvedBlock = GenerateOptions & { dictionaryPath: string; check: boolean };

function optionError(message: string, hint: string): BubbleError {
  return new BubbleError('GENERATOR_OPTION', `generator bubble: ${message}`, { hint });
}

export function resolveBlockOptions(input: BlockInput): ResolvedBlock {
  const known: readonly string[] = BLOCK_OPTIONS;
  const unknown = Object.keys(input.config)
    .filter((key) => !known.includes(key))
    .sort();
  if (unknown.length > 0) {
    throw optionError(
      `unknown option${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => JSON.stringify(k)).join(', ')}.`,
      `The options are provider, output, ${BLOCK_OPTIONS.join(', ')} (docs/generator.md).`,
    );
  }
  const schemaDir = schemaFolder(input.schemaPath);
  const base = dirname(input.sourceFilePath);
  const dictionary = stringOption(input.config, 'dictionary');
  if (dictionary === undefined || dictionary.trim() === '') {
    throw optionError(
      'the `dictionary` option is missing.',
      'Add dictionary = "<path to the data dictionary JSON>" (relative to this file); `bubble-runtime introspect --out <file>` writes one.',
    );
  }
  if (input.output === null || input.output === '') {
    throw optionError(
      'the `output` option is missing.',
      'Add output = "<folder for the generated adapters>" (relative to this file), e.g. output = "../../generated/bubble".',
    );
  }
  const modelPrefix = stringOption(input.config, 'modelPrefix') ?? '';
  try {
    assertModelPrefix(modelPrefix);
  } catch {
    throw optionError(
      `modelPrefix ${JSON.stringify(modelPrefix)} is not a valid start of a Prisma model name.`,
      'Use letters, digits and _ only, starting with a letter (e.g. modelPrefix = "Bubble").',
    );
  }
  const tablePrefix = stringOption(input.config, 'tablePrefix') ?? '';
  try {
    assertTablePrefix(tablePrefix);
  } catch (err) {
    if (!(err instanceof NamingError)) throw err;
    throw optionError(`${err.message}.`, `Use ${err.hint ?? 'a plain prefix such as "bubble_"'}.`);
  }
  const check = checkOption(input.config, input.env);
  return {
    dictionaryPath: resolve(base, dictionary),
    schemaDir,
    modelsFile: resolve(base, stringOption(input.config, 'modelsFile') ?? DEFAULT_MODELS_FILE),
    outputDir: resolve(base, input.output),
    modelPrefix,
    tablePrefix,
    check,
  };
}

/** The generator needs Prisma's multi-file schema: it adds its own file beside the user's. */
function schemaFolder(schemaPath: string): string {
  let isFile = false;
  try {
    isFile = statSync(schemaPath).isFile();
  } catch {
    // Prisma read the schema from this path a moment ago; if it vanished, let generate report it.
  }
  if (isFile) {
    throw optionError(
      `the schema ${schemaPath} is a single file, but this generator writes its models into a file of their own in a schema folder.`,
      'Move schema.prisma into a folder (e.g. prisma/schema/schema.prisma) and point prisma.config.ts at it: schema: "prisma/schema".',
    );
  }
  return schemaPath;
}

function stringOption(config: BlockInput['config'], key: string): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw optionError(`option \`${key}\` takes one string, not a list.`, `Write ${key} = "…".`);
  return value;
}

function checkOption(config: BlockInput['config'], env: BlockInput['env']): boolean {
  const raw = stringOption(config, 'check');
  let fromBlock = false;
  if (raw !== undefined) {
    if (raw !== 'true' && raw !== 'false')
      throw optionError(
        `check = ${JSON.stringify(raw)}: expected "true" or "false".`,
        'Write check = "true" to fail on a stale models file instead of rewriting it.',
      );
    fromBlock = raw === 'true';
  }
  return fromBlock || (parseVariable(CHECK_ENV, env[CHECK_ENV]) ?? false);
}
