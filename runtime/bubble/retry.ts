/** Retry policy: which failures are worth another attempt, and how long to wait before it. */

export interface RetryPolicy {
  /** Attempts in total, first one included (default 6). */
  maxAttempts: number;
  /** First backoff in ms (default 500); doubles per attempt. */
  baseDelayMs: number;
  /** Cap on one backoff (default 30 s). */
  maxDelayMs: number;
  /** Cap on a server-requested Retry-After (default 120 s). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel clients spread out. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as ms: delta-seconds or an HTTP date (relative to `nowMs`); undefined when absent or bad. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}
