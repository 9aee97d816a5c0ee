/**
 * Riding out a lost database connection: a server restart, a failover, a terminated backend. An
 * operation that is safe to run twice (a page transaction: its rows, ledger entry and watermark are
 * idempotent) is tried again on a new connection, with growing waits, until it succeeds or the time
 * budget is spent; then it fails with one `DatabaseConnectionLostError` that says so. Anything that is
 * not a lost connection fails at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_DB_RETRY_MS, parseVariable } from '../../core/settings/variables.js';
import { DatabaseConnectionLostError, DatabaseUnreachableError, isConnectionError } from './errors.js';

export interface ConnectionRetryOptions {
  /** Stops waiting when aborted (the attempt in progress is not interrupted). */
  signal?: AbortSignal;
  /** How long to keep trying after the first failure, ms; 0 = never retry. Default SYNC_DB_RETRY_MS, else 60 s. */
  budgetMs?: number;
  /** Called before each wait, with the error of the attempt that failed. */
  onRetry?: (err: unknown) => void;
}

export { DEFAULT_DB_RETRY_MS };
const FIRST_WAIT_MS = 200;
const MAX_WAIT_MS = 5_000;

/** SYNC_DB_RETRY_MS (core/settings parses it); unset → one minute. */
export function connectionRetryBudgetMs(env: Record<string, string | undefined> = process.env): number {
  return parseVariable('SYNC_DB_RETRY_MS', env.SYNC_DB_RETRY_MS) ?? DEFAULT_DB_RETRY_MS;
}

export async function withConnectionRetry<T>(fn: () => Promise<T>, options: ConnectionRetryOptions = {}): Promise<T> {
  const budgetMs = options.budgetMs ?? connectionRetryBudgetMs();
  const started = Date.now();
  let waitMs = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (options.signal?.aborted) throw stopped(options.signal, err);
      if (Date.now() - started + waitMs > budgetMs) {
        throw givenUp(
          err,
          budgetMs === 0 ? 'reconnecting is switched off (SYNC_DB_RETRY_MS=0)' : `it did not come back within ${seconds(budgetMs)}`,
        );
      }
      options.onRetry?.(err);
      try {
        await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : undefined);
      } catch {
        throw stopped(options.signal!, err);
      }
      waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
    }
  }
}

/**
 * A lost or refused connection that a new one may fix. Not: a loss already given up on, nor a server
 * that answers but refuses us (wrong password, no such database) — waiting does not change those.
 */
function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseConnectionLostError && e.final) return false;
    if (e instanceof DatabaseUnreachableError) return isConnectionError(e.cause);
  }
  return isConnectionError(err);
}

/** Stopped while waiting: by a loss given up on elsewhere (the sync lock's own wait), or by the user. */
function stopped(signal: AbortSignal, err: unknown): DatabaseConnectionLostError {
  const reason: unknown = signal.reason;
  return reason instanceof DatabaseConnectionLostError && reason.final ? reason : givenUp(err, 'the run was stopped while waiting for it');
}

function givenUp(err: unknown, why: string): DatabaseConnectionLostError {
  return new DatabaseConnectionLostError(`${why} (${detailOf(err)}).`, err, true);
}

/** The innermost words about the loss, without repeating "Lost the connection…". */
function detailOf(err: unknown): string {
  const text = err instanceof DatabaseConnectionLostError ? err.detail : err instanceof Error ? err.message : String(err);
  return text.replace(/\.$/, '');
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
