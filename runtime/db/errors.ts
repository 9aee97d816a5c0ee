/**
 * Typed database errors. Each says what is wrong and what to do; none ever carries a password (URLs
 * are redacted before they reach a message). The sync turns `DatabaseConnectionLostError` into a
 * resumable ERROR: the pages committed before the loss stay committed.
 */
import { BubbleError } from '../../core/errors.js';

/** The database could not be reached or refused us when opening. */
export class DatabaseUnreachableError extends BubbleError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('DB_UNREACHABLE', message, { hint, cause });
  }
}

/**
 * The connection broke while a run was using it. Committed work is kept; the run can resume. `final`:
 * reconnecting was already tried (or cannot work), so no caller should try again.
 */
export class DatabaseConnectionLostError extends BubbleError {
  constructor(
    readonly detail: string,
    cause?: unknown,
    readonly final = false,
  ) {
    super('DB_CONNECTION_LOST', `Lost the connection to the database: ${detail}`, {
      hint: 'Everything committed before the loss is kept. When the database is back, run the same command again to resume.',
      cause,
    });
  }
}

/** Another process (or another open in this process) holds the embedded PGlite folder. */
export class PgliteLockedError extends BubbleError {
  constructor(dir: string, holder: string) {
    super('DB_PGLITE_LOCKED', `The embedded database ${dir} is in use by ${holder}.`, {
      hint: 'PGlite is single-process: wait for that process to finish (or stop it), or set DATABASE_URL to a PostgreSQL server to run several at once (e.g. listen beside a nightly sync).',
    });
  }
}

/** The sync lock's connection broke and, by the time a new one was open, another sync held the lock. */
export class SyncLockLostError extends BubbleError {
  constructor(holder: string | undefined) {
    super(
      'SYNC_LOCK_LOST',
      `The connection holding the sync lock broke, and another sync took the lock meanwhile${holder ? ` (${holder})` : ''}.`,
      {
        hint: 'This run stopped so that two syncs never write at once. Everything committed is kept; the other sync continues the job (bubble-runtime status shows it).',
      },
    );
  }
}

/** A second sync tried to run against a database where one is already running. */
export class SyncLockedError extends BubbleError {
  constructor(readonly holder: string | undefined) {
    super('SYNC_LOCKED', `Another sync is already running against this database${holder ? ` (${holder})` : ''}.`, {
      hint: 'Wait for it to finish (bubble-runtime status shows it). If its process is gone, the lock is released with its connection.',
    });
  }
}

/** The database's tables do not match the manifest (a column or table is missing). */
export class SchemaMismatchError extends BubbleError {
  constructor(message: string) {
    super('DB_SCHEMA_MISMATCH', message, {
      hint: 'Bring the database to the generated schema first: bubble-runtime migrate',
    });
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: connection exceptions (08…), admin/crash shutdown, cannot connect now.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '57P01',
  '57P02',
  '57P03',
  // Reconnecting failed: too many connections.
  '53300',
  // Prisma: cannot reach, timed out, server closed the connection.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
]);
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /server closed the connection/i,
  /ECONNREFUSED|ECONNRESET|EPIPE/,
  /Connection ended unexpectedly/i,
  /Client has encountered a connection error/i,
  /Can't reach database server/i,
  /connection is closed/i,
  /Client was closed and is not queryable/i,
  /not currently accepting connections/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** True when `err` (or anything in its cause chain) means the connection broke or never came up. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseConnectionLostError || e instanceof DatabaseUnreachableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** PostgreSQL undefined_table / undefined_column: the database is behind the generated schema (not migrated). */
const SCHEMA_CODES = new Set(['42P01', '42703']);

/**
 * Connection failures become `DatabaseConnectionLostError`; a missing table or column (e.g. `sync` before
 * `migrate`) becomes `SchemaMismatchError`, whose hint says to migrate; everything else is returned unchanged.
 */
export function asDbError(err: unknown): unknown {
  if (err instanceof BubbleError) return err;
  if (isConnectionError(err)) return new DatabaseConnectionLostError(err instanceof Error ? err.message : String(err), err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SCHEMA_CODES.has(code)) {
    const detail = err instanceof Error ? err.message : String(err);
    return new SchemaMismatchError(`The database does not have the generated schema yet (${detail}).`);
  }
  return err;
}
