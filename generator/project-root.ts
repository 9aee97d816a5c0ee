/**
 * The project a schema belongs to: the nearest folder at or above the schema folder holding a Prisma
 * config file, else a package.json. The generator writes wherever `output` points — monorepos keep
 * generated code in another package — but says so when that is outside the project, where a typo
 * (one `../` too many) would otherwise go unnoticed.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

const CONFIG_FILES = [
  'prisma.config.ts',
  'prisma.config.mts',
  'prisma.config.cts',
  'prisma.config.js',
  'prisma.config.mjs',
  'prisma.config.cjs',
];

export function projectRoot(schemaDir: string): string | undefined {
  for (const markers of [CONFIG_FILES, ['package.json']]) {
    for (let dir = schemaDir; ; dir = dirname(dir)) {
      if (markers.some((file) => existsSync(join(dir, file)))) return dir;
      if (dir === dirname(dir)) break;
    }
  }
  return undefined;
}

/** A one-line warning when `outputDir` lies outside the project; undefined when inside (or no project is found). */
export function outsideProjectWarning(schemaDir: string, outputDir: string): string | undefined {
  const root = projectRoot(schemaDir);
  if (root === undefined) return undefined;
  const rel = relative(root, outputDir);
  if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return undefined;
  return `output ${outputDir} is outside the project ${root}; the manifest and adapters were written there. If that is not intended, fix \`output\` in the generator block.`;
}
