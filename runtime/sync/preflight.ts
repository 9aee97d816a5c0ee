/**
 * Before a sync creates (or resumes) a job: one cheap request that proves the app URL, the token and
 * that the first type the job reads is exposed — a one-record page of that type with
 * `exclude_remaining=true`, so Bubble neither counts the type's records (slow on big types) nor sends
 * more than one. It is the very request the sync makes next, minus the work. `/meta` would not do:
 * its swagger twin is served without a token, so it cannot be relied on to prove one, and it says
 * nothing about whether a type's records can be listed. A bad token or URL fails here with one line,
 * before any job, ledger row or report exists. Later types are checked when their turn comes.
 */
import type { SyncPlan } from '../api.js';
import { BubbleTypeNotFoundError, type BubbleClient } from '../bubble/index.js';
import { BubbleError } from '../../core/errors.js';
import { selectTypes } from './runner.js';

/** A stop (SIGINT/SIGTERM, an aborted signal) during the check: nothing was written. */
export class SyncStoppedBeforeStartError extends BubbleError {
  constructor() {
    super('SYNC_STOPPED', 'Stopped before the sync started; nothing was written.', { hint: 'Run sync again when you are ready.' });
  }
}

export async function preflight(
  client: BubbleClient,
  plan: SyncPlan,
  options: { types?: string[] | undefined; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const [first] = selectTypes(plan, options.types);
  if (!first) return;
  const signal = options.signal;
  try {
    await client.page(first.name, { limit: 1, excludeRemaining: true, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw new SyncStoppedBeforeStartError();
    // A wrong URL answers a list request with 404 too: /meta tells "no such app" from "type not exposed".
    if (err instanceof BubbleTypeNotFoundError) {
      await client.meta(signal ? { signal } : {}).catch((metaErr: unknown) => {
        throw signal?.aborted ? new SyncStoppedBeforeStartError() : metaErr;
      });
    }
    throw err;
  }
}
