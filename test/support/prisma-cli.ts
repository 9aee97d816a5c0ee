/**
 * Runs the real Prisma CLI in a temp project. The CLI wants to download a schema-engine binary at
 * start, which cannot work here; `generate`, `validate` and `format` only need
 * PRISMA_SCHEMA_ENGINE_BINARY to name an existing file (they use WASM; README, step 5).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository root, also when this file runs compiled from `dist/test/support` (benchmarks). */
export const repoRoot = basename(here) === 'dist' ? dirname(here) : here;
const prismaCli = join(repoRoot, 'node_modules', 'prisma', 'build', 'index.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp project inside the repo (so `node_modules` resolves); `files` maps relative paths to text. */
export function makeTempProject(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const base = join(repoRoot, '.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'proj-'));
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A file that satisfies the CLI's engine check; nothing executes it for generate/validate/format. */
export function engineStandIn(): string {
  const path = join(repoRoot, '.tmp', 'schema-engine-stand-in');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  return path;
}

export function runPrisma(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [prismaCli, ...args],
      {
        cwd,
        env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: engineStandIn(), PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

export const PRISMA_CONFIG = `import { defineConfig } from 'prisma/config';
export default defineConfig({ schema: 'prisma/schema' });
`;
