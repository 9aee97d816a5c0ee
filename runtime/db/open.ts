/** Picks the database the way DESIGN.md fixes it: DATABASE_URL → PostgreSQL, unset → PGlite in ./.bubble/pglite. */
import { resolve } from 'node:path';
import type { Db } from './types.js';
import { openPostgres } from './postgres.js';
import { openPglite } from './pglite.js';

export const DEFAULT_PGLITE_DIR = '.bubble/pglite';

export interface OpenDbOptions {
  /** A PostgreSQL URL; when unset or empty, the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite folder (default `./.bubble/pglite` under `cwd`); `':memory:'` for an in-memory database. */
  pgliteDir?: string;
  cwd?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Named in the refusal another process gets while this one has the PGlite folder open (e.g. `bubble-runtime listen`). */
  holder?: string;
}

/**
 * Opens the database and checks that it answers. Throws DatabaseUrlError, DatabaseUnreachableError
 * or PgliteLockedError (runtime/db/errors.ts) with a one-line message and a hint.
 */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const url = options.databaseUrl?.trim();
  if (url) return openPostgres(url, { max: options.poolSize });
  if (options.pgliteDir === ':memory:') return openPglite(undefined);
  return openPglite(resolve(options.cwd ?? process.cwd(), options.pgliteDir ?? DEFAULT_PGLITE_DIR), options.holder);
}

/** `openDb` from the environment: DATABASE_URL (never TEST_DATABASE_URL). */
export function openDbFromEnv(options: Omit<OpenDbOptions, 'databaseUrl'> = {}): Promise<Db> {
  return openDb({ ...options, databaseUrl: process.env.DATABASE_URL });
}
