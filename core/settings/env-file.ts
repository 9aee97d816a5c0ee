/**
 * `.env` files: plain `KEY=value` lines (Node's own parser: `#` comments, quotes, `export ` prefixes).
 * The CLI reads `./.env` when it exists, or the file `--env-file` names; variables already in the
 * process environment win over the file, so `FOO=1 bubble-runtime sync` still overrides it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from '../errors.js';

export const DEFAULT_ENV_FILE = '.env';

export interface EnvFile {
  /** Absolute path of the file read. */
  path: string;
  values: Record<string, string>;
}

/**
 * Reads `path` (relative to `cwd`; it must exist), or `./.env` in `cwd` when no path is given (absent
 * is fine: null). Never echoes the file's contents: it holds the API token.
 */
export function readEnvFile(options: { cwd: string; path?: string | undefined }): EnvFile | null {
  const explicit = options.path !== undefined;
  const path = resolve(options.cwd, options.path ?? DEFAULT_ENV_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return null;
    throw new UsageError(
      `Cannot read the env file ${path} (${code ?? 'unreadable'}).`,
      explicit ? 'Check the path given to --env-file.' : 'Make ./.env readable, or remove it and set the variables in the environment.',
    );
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) values[name] = value;
  return { path, values };
}

/** Copies the file's variables into `env` where `env` does not already define them; returns the names copied. */
export function applyEnvFile(file: EnvFile, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  for (const [name, value] of Object.entries(file.values)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    applied.push(name);
  }
  return applied;
}
