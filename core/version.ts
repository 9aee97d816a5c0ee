import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

interface OwnPackage {
  root: string;
  version: string;
}

let own: OwnPackage | null | undefined;

/** The package's own folder and package.json version, found upwards from this file (works from source and from dist). */
function ownPackage(): OwnPackage | null {
  if (own !== undefined) return own;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prisma-generator-bubble' && pkg.version) return (own = { root: dir, version: pkg.version });
    } catch {
      // not here, look one folder up
    }
    dir = dirname(dir);
  }
  return (own = null);
}

/** The version from the package's own package.json. */
export function packageVersion(): string {
  return ownPackage()?.version ?? '0.0.0';
}

/** The package's root folder (holding package.json and dist/), or null when it cannot be found. */
export function packageRoot(): string | null {
  return ownPackage()?.root ?? null;
}
