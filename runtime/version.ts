import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Reads the version from the package's own package.json (works from source and from dist). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prisma-generator-bubble' && pkg.version) return pkg.version;
    } catch {
      // not here, look one folder up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
