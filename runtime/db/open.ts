/** Picks the database: DATABASE_URL → PostgreSQL, unset → PGlite in ./.bubble/pglite (README, Environment). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseUnreachableError } from './errors.js';
import { parseVariable } from '../../core/settings/index.js';
import type { PgliteDb } from './pglite.js';
import type { Db } from './types.js';

export const DEFAULT_PGLITE_DIR = '.bubble/pglite';

export interface OpenDbOptions {
  /** A PostgreSQL URL; when unset or empty, the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite folder (default `./.bubble/pglite` under `cwd`); `':memory:'` for an in-memory database. */
  pgliteDir?: string;
  cwd?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Refuse to create the PGlite folder: for commands that only read an existing mirror. */
  mustExist?: boolean;
  /** Named in the refusal another process gets while this one has the PGlite folder open (e.g. `bubble-runtime listen`). */
  holder?: string;
}

/**
 * Opens the database and checks that it answers. Throws DatabaseUrlError, DatabaseUnreachableError
 * or PgliteLockedError (runtime/db/errors.ts) with a one-line message and a hint. The driver is
 * loaded only here, so code that merely mentions a database starts fast.
 */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const url = options.databaseUrl?.trim();
  if (url) return (await import('./postgres.js')).openPostgres(url, { max: options.poolSize });
  return openEmbeddedDb(options);
}

/** The embedded PGlite database of `openDb` (DATABASE_URL aside). */
export async function openEmbeddedDb(options: Omit<OpenDbOptions, 'databaseUrl' | 'poolSize'> = {}): Promise<PgliteDb> {
  const { openPglite } = await import('./pglite.js');
  if (options.pgliteDir === ':memory:') return openPglite(undefined);
  const dir = resolve(options.cwd ?? process.cwd(), options.pgliteDir ?? DEFAULT_PGLITE_DIR);
  if (options.mustExist && !existsSync(dir)) {
    throw new DatabaseUnreachableError(
      `There is no embedded database in ${dir}.`,
      'Run bubble-runtime migrate and sync in this folder first (or cd to the project that has one), or set DATABASE_URL.',
    );
  }
  return openPglite(dir, options.holder);
}

/** `openDb` from the environment: DATABASE_URL as core/settings validates it (never TEST_DATABASE_URL). */
export function openDbFromEnv(options: Omit<OpenDbOptions, 'databaseUrl'> = {}): Promise<Db> {
  return openDb({ ...options, databaseUrl: parseVariable('DATABASE_URL', process.env.DATABASE_URL) });
}
