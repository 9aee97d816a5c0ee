/** Helpers for the generator's end-to-end tests: temp projects with a `generator bubble` block. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempProject, PRISMA_CONFIG, repoRoot, runPrisma, type CliResult } from '../support/prisma-cli.js';

/** Prisma spawns `provider` through the shell: the package's own bin must be on PATH (as with npx). */
export const BIN_PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;

export interface ProjectOptions {
  dictionary: unknown;
  /** Extra lines inside the bubble block. */
  block?: string[];
  output?: string | null;
}

export function schemaText(options: { block?: string[]; output?: string | null } = {}): string {
  const output = options.output === undefined ? '"../../generated/bubble"' : options.output;
  return [
    'datasource db {',
    '  provider = "postgresql"',
    '}',
    '',
    'generator client {',
    '  provider = "prisma-client"',
    '  output   = "../../generated/client"',
    '}',
    '',
    'generator bubble {',
    '  provider   = "prisma-generator-bubble"',
    '  dictionary = "../../bubble/dictionary.json"',
    ...(output === null ? [] : [`  output     = ${output}`]),
    ...(options.block ?? []).map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}

export function bubbleProject(options: ProjectOptions): { dir: string; cleanup: () => void } {
  return makeTempProject({
    'prisma.config.ts': PRISMA_CONFIG,
    'prisma/schema/schema.prisma': schemaText(options),
    'bubble/dictionary.json':
      typeof options.dictionary === 'string' ? options.dictionary : `${JSON.stringify(options.dictionary, null, 2)}\n`,
  });
}

export function prisma(args: string[], dir: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runPrisma(args, dir, { PATH: BIN_PATH, BUBBLE_SCHEMA_CHECK: '', ...env });
}

/** Runs the repo's TypeScript compiler in `dir` with its tsconfig.json. */
export function tsc(dir: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A strict consumer tsconfig (stricter than the repo's: exactOptionalPropertyTypes too). */
export const CONSUMER_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['consumer.ts', 'generated/**/*.ts'],
  },
  null,
  2,
)}\n`;

/** Every file under `dir` (relative path → text), excluding Prisma Client's output. */
export function readTree(dir: string, root = dir): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      for (const [k, v] of readTree(path, root)) files.set(k, v);
    } else {
      files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  }
  return files;
}

/** The one-line message Prisma shows for a failed generator (our error line, without Prisma's frame). */
export function output(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** What `tsc --init` users have: `strict` alone (optional properties include undefined). */
export const PLAIN_STRICT_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['consumer.ts', 'generated/**/*.ts'],
  },
  null,
  2,
)}\n`;
