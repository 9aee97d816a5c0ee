/**
 * How a table's turn or a whole run ended, as one value. The job's status and the note stored with it
 * follow from it here, and the runner turns it into the caller's error, so no two records of one
 * ending can disagree.
 */
import type { JobStatus } from '../api.js';
import { DatabaseConnectionLostError } from '../db/errors.js';
import { describeError, encodeJobError } from './job-error.js';

export type SyncOutcome =
  /** Every table of the job is complete (a table's turn: this table is). */
  | { kind: 'completed' }
  /** Stopped by the caller's signal: pages fetched before the stop are committed; the job stays resumable. */
  | { kind: 'stopped' }
  /** Cancelled from elsewhere (`sync --cancel`): the job is never resumed. */
  | { kind: 'cancelled' }
  /** Stopped by an error; everything committed stays for the resume. */
  | { kind: 'failed'; error: unknown };

export type Failure = Extract<SyncOutcome, { kind: 'failed' }>;

const JOB_STATUS = { completed: 'COMPLETED', stopped: 'PENDING', cancelled: 'CANCELLED', failed: 'ERROR' } as const satisfies Record<
  SyncOutcome['kind'],
  JobStatus
>;

export function jobStatus(outcome: SyncOutcome): JobStatus {
  return JOB_STATUS[outcome.kind];
}

/** What the job row keeps about the run (`SyncJob.error`): a failure's `{code, message, hint}`, a stop's resume hint. */
export function jobNote(outcome: SyncOutcome): string | null {
  if (outcome.kind === 'failed') return encodeJobError(describeError(outcome.error));
  return outcome.kind === 'stopped' ? 'Interrupted; run sync again to resume.' : null;
}

/**
 * The run's outcome from how its table loop ended: a cancel from elsewhere stands; otherwise the first
 * failure of any table (one read ahead of the loop included), or the loss of the sync lock (another
 * sync could have started); otherwise the loop's own end.
 */
export function runOutcome(ended: SyncOutcome, firstFailure: Failure | null, lock: AbortSignal): SyncOutcome {
  if (ended.kind === 'cancelled') return ended;
  if (firstFailure !== null) return firstFailure;
  if (lock.aborted)
    return { kind: 'failed', error: lock.reason ?? new DatabaseConnectionLostError('the connection holding the sync lock broke') };
  return ended;
}
