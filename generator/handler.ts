/**
 * The Prisma generator protocol: Prisma starts the bin and talks JSON-RPC over stdin/stderr
 * (@prisma/generator-helper). Messages for the user go to stdout, which Prisma passes through.
 */
import gh from '@prisma/generator-helper';
import type { GeneratorManifest, GeneratorOptions } from '@prisma/generator-helper';
import { formatError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { generate, type GenerateResult } from './generate.js';
import { resolveBlockOptions } from './options.js';
import { formatNamingEvents } from './naming/index.js';
import { relative } from 'node:path';

export function onManifest(): GeneratorManifest {
  return { prettyName: 'Bubble models and sync adapters', version: packageVersion() };
}

export async function onGenerate(options: GeneratorOptions): Promise<void> {
  try {
    const block = resolveBlockOptions({
      config: options.generator.config,
      output: options.generator.output?.value ?? null,
      sourceFilePath: options.generator.sourceFilePath,
      schemaPath: options.schemaPath,
      env: process.env,
    });
    const result = await generate(block);
    const message = summarise(result, process.cwd(), 'prisma');
    if (message !== '') process.stdout.write(`${message}\n`);
  } catch (err) {
    // Prisma prints the message of a failed generator; keep it the one clear line (+ hint).
    throw new Error(formatError(err), { cause: err });
  }
}

/**
 * What the user should know after a generate: a rewritten models file, and naming adjustments.
 * `via` is who ran it: under `prisma generate` Prisma Client needs one more run to see new models;
 * `bubble-runtime generate` builds no Prisma Client, so its next step is migrate.
 */
export function summarise(result: GenerateResult, cwd: string, via: 'prisma' | 'bubble-runtime'): string {
  const lines: string[] = [];
  const models = relative(cwd, result.models.path) || result.models.path;
  const next =
    via === 'prisma'
      ? 'Run `prisma generate` once more so Prisma Client includes them, then migrate.'
      : 'Next: `npx bubble-runtime migrate`.';
  if (result.models.status === 'created') {
    lines.push(`prisma-generator-bubble: wrote ${models} (${result.manifest.types.length} models). ${next}`);
  } else if (result.models.status === 'updated') {
    lines.push(`prisma-generator-bubble: ${models} was stale and has been rewritten from the data dictionary:`);
    lines.push(...(result.models.diff ?? '').split('\n').map((l) => `  ${l}`));
    lines.push(next);
  }
  for (const warning of result.warnings) lines.push(`prisma-generator-bubble: ${warning}`);
  if (result.naming.length > 0 && result.models.status !== 'unchanged') {
    lines.push(`prisma-generator-bubble: ${result.naming.length} name${result.naming.length === 1 ? '' : 's'} adjusted:`);
    lines.push(
      ...formatNamingEvents(result.naming)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}

/** Starts the protocol loop (the bin calls this when Prisma runs it). */
export function serveGenerator(): void {
  gh.generatorHandler({ onManifest, onGenerate });
}
