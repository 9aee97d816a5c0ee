/**
 * The PageSource over the Data API client: ascending sort on the window's key with `_id` as the
 * tie-breaker, and Bubble's deep-offset refusal recognised so the window closes instead of failing.
 */
import type { ProgressEvent } from '../api.js';
import {
  BubbleBadRequestError,
  BubbleOffsetRefusedError,
  BubbleUnavailableError,
  type BubbleClient,
  type BubbleClientEvent,
  type Constraint,
} from '../bubble/index.js';
import type { PageSource } from './ports.js';

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
        ...(request.excludeRemaining ? { excludeRemaining: true } : {}),
        ...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
        ...(signal ? { signal } : {}),
      });
      return { results: page.results, remaining: page.remaining };
    },
    isOffsetRefusal(err) {
      return err instanceof BubbleOffsetRefusedError;
    },
    isQueryTimeout(err) {
      // Bubble answers a search it cannot finish counting with a gateway error or not at all.
      return err instanceof BubbleUnavailableError && /HTTP 5\d\d|timeout/i.test(err.lastReason);
    },
    observedLatencyMs() {
      return client.recentLatencyMs();
    },
    async findExisting(type, ids, signal) {
      if (ids.length === 0) return [];
      try {
        const page = await client.page(type, {
          constraints: [{ key: '_id', constraint_type: 'in', value: [...ids] }],
          limit: 100,
          excludeRemaining: true,
          ...(signal ? { signal } : {}),
        });
        return page.results;
      } catch (err) {
        // Not every app accepts a constraint on the unique id: ask for each record instead.
        if (!(err instanceof BubbleBadRequestError)) throw err;
        const found = await Promise.all(ids.map((id) => client.get(type, id, signal ? { signal } : {})));
        return found.filter((r): r is NonNullable<typeof r> => r !== null);
      }
    },
  };
}

/** Client events → the sync's progress events (retries and rate-limit waits), for displays and reports. */
export function progressFromClientEvent(event: BubbleClientEvent): ProgressEvent {
  const { what, ...rest } = event;
  if (rest.kind === 'retry') {
    const { attempt: _attempt, ...retry } = rest;
    return { ...retry, type: rest.type ?? what };
  }
  return { ...rest, type: rest.type ?? what };
}
