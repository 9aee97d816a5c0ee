/** Loading the generator's manifest (`bubble-manifest.json`), with errors that say what to run. */
import { readFileSync } from 'node:fs';
import type { Manifest } from '../../generator/manifest/types.js';
import { GENERATE, ProjectError } from './errors.js';

export function loadManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ProjectError('MANIFEST_MISSING', `No generated manifest at ${path}.`, `Run ${GENERATE} first (it runs the bubble generator).`, err);
    }
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ProjectError('MANIFEST_INVALID', `The manifest ${path} is not valid JSON.`, `Run ${GENERATE} again to rewrite it.`, err);
  }
  const m = parsed as Partial<Manifest>;
  if (m.version !== 1 || !Array.isArray(m.types) || !m.state) {
    throw new ProjectError(
      'MANIFEST_INVALID',
      `The manifest ${path} has an unknown shape (version ${String(m.version)}).`,
      `Run ${GENERATE} with this version of prisma-generator-bubble.`,
    );
  }
  return m as Manifest;
}
