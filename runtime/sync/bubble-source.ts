/**
 * The PageSource over the Data API client: ascending sort on the window's key with `_id` as the
 * tie-breaker, and Bubble's deep-offset refusal recognised so the window closes instead of failing.
 */
import type { ProgressEvent } from '../api.js';
import { clientFromEnv, BubbleOffsetRefusedError, type BubbleClient, type BubbleClientEvent, type Constraint } from '../bubble/index.js';
import type { PageSource } from './ports.js';
import { DEFAULT_CONCURRENCY } from './settings.js';

export function pageSourceFromClient(client: BubbleClient): PageSource {
  return {
    appUrl: client.appUrl,
    async fetchPage(type, request, signal) {
      const page = await client.page(type, {
        cursor: request.offset,
        limit: request.limit,
        constraints: request.constraints as Constraint[],
        sortField: request.sortField,
        descending: false,
        additionalSortFields: [{ sort_field: '_id', descending: false }],
        ...(signal ? { signal } : {}),
      });
      return { results: page.results, remaining: page.remaining };
    },
    isOffsetRefusal(err) {
      return err instanceof BubbleOffsetRefusedError;
    },
  };
}

/** Client events → the sync's progress events (retries and rate-limit waits), for displays and reports. */
export function progressFromClientEvent(event: BubbleClientEvent): ProgressEvent {
  const type = /\/obj\/([^/ ]+)/.exec(event.what)?.[1] ?? event.what;
  if (event.kind === 'retry') return { kind: 'retry', type, reason: event.reason, waitMs: event.waitMs };
  return { kind: 'rate-wait', waitMs: event.waitMs, type };
}

/**
 * A client from the environment for a sync: BUBBLE_APP_URL (or `appUrl`), BUBBLE_API_TOKEN, the rate
 * limit, and room for `concurrency` requests in flight.
 */
export function syncClientFromEnv(options: {
  appUrl?: string | undefined;
  rateLimitRpm: number;
  /** Pages in flight per table; null: not fixed by the user (the sync's default). */
  concurrency: number | null;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}): BubbleClient {
  const onProgress = options.onProgress;
  return clientFromEnv({
    appUrl: options.appUrl,
    rateLimitRpm: options.rateLimitRpm,
    maxInFlight: Math.max(options.concurrency ?? DEFAULT_CONCURRENCY, 1),
    ...(onProgress ? { onEvent: (e: BubbleClientEvent) => onProgress(progressFromClientEvent(e)) } : {}),
  });
}
