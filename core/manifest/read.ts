/**
 * Reading the generator's manifest (`bubble-manifest.json`): parse, validate against the schema, and
 * report a damaged file as one line naming the JSON path of the bad entry (like the dictionary's
 * reader), with the hint to generate it again. Nothing downstream reads an unvalidated field.
 */
import { readFileSync } from 'node:fs';
import { ProjectError } from '../errors.js';
import { describeFirstIssue } from '../json-path.js';
import { packageVersion } from '../version.js';
import { MANIFEST_VERSION, manifestSchema, type Manifest } from './schema.js';

/** How to run the generator, with or without the Prisma CLI (for hints). */
export const GENERATE = '`npx prisma generate` (or `npx bubble-runtime generate`)';

export function loadManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ProjectError(
        'MANIFEST_MISSING',
        `No generated manifest at ${path}.`,
        `Run ${GENERATE} first (it runs the bubble generator).`,
        err,
      );
    }
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ProjectError('MANIFEST_INVALID', `The manifest ${path} is not valid JSON.`, `Run ${GENERATE} again to rewrite it.`, err);
  }
  return validateManifest(parsed, path);
}

/** Validates an already-parsed manifest; `source` names it in error messages. */
export function validateManifest(json: unknown, source: string): Manifest {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== MANIFEST_VERSION) {
    throw new ProjectError(
      'MANIFEST_INVALID',
      `The manifest ${source} is format version ${String(version)}; prisma-generator-bubble ${packageVersion()} reads version ${MANIFEST_VERSION}.`,
      `Run ${GENERATE} with this version of prisma-generator-bubble.`,
    );
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const { where, what } = describeFirstIssue(result.error, json);
    throw new ProjectError('MANIFEST_INVALID', `The manifest ${source}: ${where}: ${what}.`, `Run ${GENERATE} again to rewrite it.`);
  }
  return result.data;
}
