/**
 * The Bubble Data API client: typed requests for /meta, pages and single objects, behind a shared
 * rate/in-flight gate, with bounded retries for what is worth retrying and typed errors for what is not.
 * The clock, sleep and randomness are injectable so tests assert on what happened, not on wall time.
 */
import { setTimeout as sleepReal } from 'node:timers/promises';
import {
  BubbleAppNotFoundError,
  BubbleAuthError,
  BubbleBadRequestError,
  BubbleOffsetRefusedError,
  BubbleTypeNotFoundError,
  BubbleUnavailableError,
} from './errors.js';
import { redactSecrets } from '../../core/redact.js';
import { normalizeAppUrl } from '../../core/settings/app-url.js';
import { DEFAULT_RATE_LIMIT_RPM } from '../../core/settings/variables.js';
import { type Gate, sharedGate } from './limiter.js';
import { backoffMs, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.js';
import type { BubbleMeta, BubbleRecord, Page, PageOptions } from './types.js';
import { parseJson } from '../convert/json.js';

export interface ClientClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: ClientClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleepReal(ms, undefined, signal ? { signal } : undefined);
  },
};

/**
 * What the client reports while it works. `type` is the Bubble type a list or get request reads (absent
 * for /meta). On a failed attempt, `status` is its HTTP status when it got one (429 = rate limited) and
 * `retryAfterMs` the wait the server asked for in Retry-After, before the client's cap.
 */
export type BubbleClientEvent =
  /** A failed attempt that will be tried again after `waitMs`. */
  | { kind: 'retry'; what: string; type?: string; attempt: number; reason: string; waitMs: number; status?: number; retryAfterMs?: number }
  /** The last attempt failed too: the request rejects with BubbleUnavailableError. */
  | { kind: 'request-failed'; what: string; type?: string; attempts: number; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'rate-wait'; what: string; type?: string; waitMs: number };

export interface BubbleClientMetrics {
  /** Logical requests (meta/page/get calls). */
  requests: number;
  /** HTTP attempts sent (retries included). */
  calls: number;
  /** Attempts answered with a usable response. */
  successes: number;
  /** Attempts that failed (any reason, retried or not). */
  failures: number;
  /** Attempts that were retries. */
  retries: number;
  /** Attempts answered 429. */
  rateLimited: number;
  /** Sum and mean of attempt latency (request sent → body read), ms. */
  latencyMsTotal: number;
  latencyMsAvg: number;
  /** Time spent waiting for the rate limit, ms. */
  rateWaitMsTotal: number;
  /** Time spent sleeping before retries, ms. */
  backoffMsTotal: number;
}

export interface BubbleClientOptions {
  /** App base URL: https://myapp.bubbleapps.io or …/version-test. */
  appUrl: string;
  /** Data API token (from BUBBLE_API_TOKEN; never from a flag). */
  token: string;
  /** Requests per minute, retries included, spread evenly; 0 = no cap. Default 600. */
  rateLimitRpm?: number;
  /** Requests in flight at once to this app. Default 8. */
  maxInFlight?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout, ms. Default 30 s. */
  timeoutMs?: number;
  clock?: ClientClock;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  fetch?: typeof globalThis.fetch;
  onEvent?: (event: BubbleClientEvent) => void;
  /** A private gate instead of the one shared per app (tests, benchmarks). */
  gate?: Gate;
}

export interface BubbleClient {
  /** Normalised base URL (no token, no trailing slash). */
  readonly appUrl: string;
  meta(options?: { signal?: AbortSignal }): Promise<BubbleMeta>;
  page<R extends Record<string, unknown> = BubbleRecord>(type: string, options?: PageOptions): Promise<Page<R>>;
  /** One record by id; null when the type exists but the record does not. */
  get<R extends Record<string, unknown> = BubbleRecord>(type: string, id: string, options?: { signal?: AbortSignal }): Promise<R | null>;
  /** Every page from `cursor` on, by offset, until none remain (`remaining` 0) or a page is empty. */
  pages<R extends Record<string, unknown> = BubbleRecord>(type: string, options?: PageOptions): AsyncGenerator<Page<R>>;
  metrics(): BubbleClientMetrics;
  /** Recent latency of one attempt, ms (a moving average; null before the first answer). */
  recentLatencyMs(): number | null;
  /** Requests in flight right now and the most seen at once (on the gate this client uses). */
  inFlight(): { now: number; peak: number };
}

type Outcome =
  | { ok: true; body: unknown }
  | { ok: false; retry: true; reason: string; retryAfterMs?: number; status?: number }
  | { ok: false; retry: false; error: Error }
  | { ok: 'missing' };

interface Call {
  what: string;
  path: string;
  kind: 'meta' | 'list' | 'get';
  type?: string;
  cursor?: number;
  signal?: AbortSignal | undefined;
  maxAttempts?: number | undefined;
}

export function createBubbleClient(options: BubbleClientOptions): BubbleClient {
  const appUrl = normalizeAppUrl(options.appUrl);
  const token = options.token;
  const rpm = options.rateLimitRpm ?? DEFAULT_RATE_LIMIT_RPM;
  const maxInFlight = options.maxInFlight ?? 8;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? globalThis.fetch;
  const gate = options.gate ?? sharedGate(appUrl, rpm, maxInFlight);
  const emit = (event: BubbleClientEvent): void => options.onEvent?.(event);
  const m: BubbleClientMetrics = {
    requests: 0,
    calls: 0,
    successes: 0,
    failures: 0,
    retries: 0,
    rateLimited: 0,
    latencyMsTotal: 0,
    latencyMsAvg: 0,
    rateWaitMsTotal: 0,
    backoffMsTotal: 0,
  };
  const clean = (text: string): string => redactSecrets(text, [token]).replace(/\s+/g, ' ').slice(0, 300);
  let recentLatency: number | null = null;

  /** One HTTP attempt, classified. Never throws except for the caller's own abort. */
  async function attempt(call: Call): Promise<Outcome> {
    // Aborted while it waited for the gate: nothing is sent.
    if (call.signal?.aborted) throw call.signal.reason;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    timer.unref?.();
    const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
    const started = clock.now();
    m.calls++;
    try {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await doFetch(`${appUrl}${call.path}`, {
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          signal,
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        text = await response.text();
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason;
        const reason = timeout.signal.aborted ? `timeout after ${timeoutMs} ms` : `network error (${networkDetail(err)})`;
        return { ok: false, retry: true, reason: clean(reason) };
      } finally {
        const took = clock.now() - started;
        m.latencyMsTotal += took;
        // Weighted toward recent answers: the app slows down and speeds up during a long sync.
        recentLatency = recentLatency === null ? took : recentLatency * 0.8 + took * 0.2;
      }
      return classify(call, status, text, retryAfter);
    } finally {
      clearTimeout(timer);
    }
  }

  function classify(call: Call, status: number, text: string, retryAfter: string | null): Outcome {
    if (status === 401 || status === 403) return { ok: false, retry: false, error: new BubbleAuthError(status, appUrl) };
    if (isRetryableStatus(status)) {
      if (status === 429) m.rateLimited++;
      const retryAfterMs = parseRetryAfter(retryAfter, clock.now());
      return retryAfterMs === undefined
        ? { ok: false, retry: true, reason: `HTTP ${status}`, status }
        : { ok: false, retry: true, reason: `HTTP ${status}`, status, retryAfterMs };
    }
    // Only error bodies are read for Bubble's message: a page's body is parsed once, below.
    const message = (): string => clean(bubbleMessage(text) ?? `HTTP ${status}`);
    if (status === 404) {
      if (call.kind === 'meta')
        return { ok: false, retry: false, error: new BubbleAppNotFoundError(status, appUrl, `HTTP 404 on /meta: ${message()}`) };
      if (call.kind === 'get' && /MISSING_DATA|missing|does not exist/i.test(text)) return { ok: 'missing' };
      return { ok: false, retry: false, error: new BubbleTypeNotFoundError(call.type ?? '?', appUrl) };
    }
    // Bubble's wording for a refused deep offset is not documented, so it is not matched: a 400 on a list
    // page past offset 0 is read as the offset refusal (the same search at offset 0 is what the sync asks
    // first, so constraint and sort errors surface there as BubbleBadRequestError).
    if (status === 400 && call.kind === 'list' && (call.cursor ?? 0) > 0) {
      return { ok: false, retry: false, error: new BubbleOffsetRefusedError(call.type ?? '?', call.cursor ?? 0, message()) };
    }
    if (status < 200 || status >= 300) return { ok: false, retry: false, error: new BubbleBadRequestError(status, call.what, message()) };
    const trimmed = text.trimStart();
    if (trimmed.startsWith('<')) {
      return { ok: false, retry: false, error: new BubbleAppNotFoundError(status, appUrl, 'the answer was an HTML page, not JSON') };
    }
    let body: unknown;
    try {
      body = parseJson(text);
    } catch {
      // A body cut off mid-transfer: the server or a proxy dropped the connection. Worth another try.
      return { ok: false, retry: true, reason: `truncated or invalid JSON (${text.length} bytes)` };
    }
    if (call.kind !== 'meta' && !isResponseEnvelope(body))
      return { ok: false, retry: true, reason: 'response without a "response" object' };
    return { ok: true, body };
  }

  async function request(call: Call): Promise<unknown> {
    m.requests++;
    let lastReason = '';
    // A call may allow fewer attempts than the policy (a count that may time out), but a 429 says
    // nothing about the query: it spends only the policy's budget, never the call's tighter one.
    const callAttempts = Math.max(1, Math.min(policy.maxAttempts, call.maxAttempts ?? policy.maxAttempts));
    let counted = 0;
    let n = 0;
    while (n < policy.maxAttempts) {
      n++;
      if (n > 1) m.retries++;
      const { value: outcome, rateWaitMs } = await gate.run(() => attempt(call));
      m.rateWaitMsTotal += rateWaitMs;
      if (rateWaitMs > 0) emit({ kind: 'rate-wait', what: call.what, ...typeOf(call), waitMs: rateWaitMs });
      m.latencyMsAvg = m.calls === 0 ? 0 : m.latencyMsTotal / m.calls;
      if (outcome.ok === true) {
        m.successes++;
        return outcome.body;
      }
      if (outcome.ok === 'missing') {
        m.successes++;
        return null;
      }
      m.failures++;
      if (!outcome.retry) throw outcome.error;
      lastReason = outcome.reason;
      // Status and Retry-After ride on the event, so a display counts 429s the way the metrics do.
      const answer = {
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      };
      if (outcome.status !== 429) counted++;
      if (n === policy.maxAttempts || counted >= callAttempts) {
        emit({ kind: 'request-failed', what: call.what, ...typeOf(call), attempts: n, reason: outcome.reason, ...answer });
        break;
      }
      const waitMs =
        outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, policy.maxRetryAfterMs) : backoffMs(policy, n, random);
      emit({ kind: 'retry', what: call.what, ...typeOf(call), attempt: n, reason: outcome.reason, waitMs, ...answer });
      m.backoffMsTotal += waitMs;
      try {
        await clock.sleep(waitMs, call.signal);
      } catch (err) {
        // A stop during the back-off ends the request with the caller's own reason, as a stop mid-request does.
        throw call.signal?.aborted ? call.signal.reason : err;
      }
    }
    throw new BubbleUnavailableError(call.what, n, lastReason, appUrl);
  }

  const client: BubbleClient = {
    appUrl,
    async meta(opts = {}) {
      const body = await request({ what: 'GET /meta', path: '/api/1.1/meta', kind: 'meta', signal: opts.signal });
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new BubbleAppNotFoundError(200, appUrl, '/meta did not return a JSON object');
      }
      return body as BubbleMeta;
    },
    async page<R extends Record<string, unknown>>(type: string, opts: PageOptions = {}): Promise<Page<R>> {
      const cursor = opts.cursor ?? 0;
      const query = new URLSearchParams({ cursor: String(cursor), limit: String(opts.limit ?? 100) });
      if (opts.constraints && opts.constraints.length > 0) query.set('constraints', JSON.stringify(opts.constraints));
      if (opts.sortField) query.set('sort_field', opts.sortField);
      if (opts.descending !== undefined) query.set('descending', String(opts.descending));
      if (opts.additionalSortFields && opts.additionalSortFields.length > 0) {
        query.set('additional_sort_fields', JSON.stringify(opts.additionalSortFields));
      }
      if (opts.excludeRemaining) query.set('exclude_remaining', 'true');
      const body = (await request({
        what: `GET /obj/${type} (cursor ${cursor})`,
        path: `/api/1.1/obj/${encodeURIComponent(type)}?${query.toString()}`,
        kind: 'list',
        type,
        cursor,
        signal: opts.signal,
        maxAttempts: opts.maxAttempts,
      })) as { response: Record<string, unknown> };
      const r = body.response;
      const results = Array.isArray(r['results']) ? (r['results'] as R[]) : [];
      return {
        results,
        cursor: typeof r['cursor'] === 'number' ? r['cursor'] : cursor,
        count: typeof r['count'] === 'number' ? r['count'] : results.length,
        remaining: typeof r['remaining'] === 'number' ? r['remaining'] : null,
      };
    },
    async get<R extends Record<string, unknown>>(type: string, id: string, opts: { signal?: AbortSignal } = {}): Promise<R | null> {
      const body = (await request({
        what: `GET /obj/${type}/${id}`,
        path: `/api/1.1/obj/${encodeURIComponent(type)}/${encodeURIComponent(id)}`,
        kind: 'get',
        type,
        signal: opts.signal,
      })) as { response: R } | null;
      return body === null ? null : body.response;
    },
    async *pages<R extends Record<string, unknown>>(type: string, opts: PageOptions = {}): AsyncGenerator<Page<R>> {
      let cursor = opts.cursor ?? 0;
      for (;;) {
        const page = await client.page<R>(type, { ...opts, cursor });
        yield page;
        // Without a count (excluded), only an empty page ends the read.
        if (page.count === 0 || (page.remaining !== null && page.remaining <= 0)) return;
        cursor = page.cursor + page.count;
      }
    },
    metrics: () => ({ ...m }),
    recentLatencyMs: () => recentLatency,
    inFlight: () => ({ now: gate.inFlight, peak: gate.peakInFlight }),
  };
  return client;
}

function typeOf(call: Call): { type?: string } {
  return call.type !== undefined ? { type: call.type } : {};
}

function isResponseEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const response = (body as Record<string, unknown>)['response'];
  return typeof response === 'object' && response !== null;
}

/** Bubble's error bodies: `{"statusCode":…,"body":{"status":…,"message":…}}` (or a bare message). */
function bubbleMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const body = (parsed['body'] ?? parsed) as Record<string, unknown>;
    const message = body['message'] ?? parsed['message'];
    return typeof message === 'string' ? message : undefined;
  } catch {
    return text.trim() ? text.trim() : undefined;
  }
}

function networkDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause && typeof cause === 'object') {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (cause instanceof Error) return cause.message;
  }
  return err.message;
}
