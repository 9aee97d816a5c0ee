/**
 * SyncMetricsCollector: the run report's collector, fed from the
 * sync's ProgressEvents and the Bubble client's counters, producing the run report's data.
 * What the events count (tables, pages, retries, 429s, waits, errors) comes from the fold in
 * progress-state.ts, which the live display reads too; the collector adds what only the report has:
 * per-call figures, memory, and the timeline of pages and marks.
 *
 * Time comes from an injectable clock (epoch ms, `Date.now` by default) and memory from an injectable
 * sampler, so tests drive both and the report is a pure function of what was recorded.
 */
import type { ProgressEvent } from '../api.js';
import {
  addError,
  completeTable,
  initialProgress,
  isRateLimited,
  rateWaitType,
  reduceProgress,
  startJob,
  tablesOf,
  type RunProgress,
  type TableRun,
} from './progress-state.js';
import type { ErrorEntry, PageSpan, ReportSettings, SyncMetrics, SyncReport, TableBreakdown, TableSpan, TimelineMark } from './types.js';

/**
 * Assumed Bubble workload-unit rates for an estimate only: Bubble's manual lists an inbound Data API
 * request and every thing a search returns as activities that cost workload; these are the rates its
 * activity-type table gave when this was written. The app's own workload chart is the truth.
 */
export const WU_PER_REQUEST = 0.1;
export const WU_PER_RECORD = 0.015;

/** The Bubble client's counters (runtime/bubble `BubbleClientMetrics` fits this shape). */
export interface ClientMetricsSnapshot {
  /** HTTP attempts sent, retries included. */
  calls: number;
  successes: number;
  failures: number;
  retries?: number;
  /** Attempts answered with status 429. */
  rateLimited?: number;
  /** Sum of attempt latencies, ms. */
  latencyMsTotal?: number;
  /** Time spent waiting on the client's own rate limiter, ms. */
  rateWaitMsTotal?: number;
}

export interface CollectorOptions {
  /** Epoch milliseconds; default `Date.now`. */
  clock?: () => number;
  /** Resident set size in bytes; default `process.memoryUsage().rss`. */
  memory?: () => number;
  /** Also sample memory on a timer this often (ms); 0 = only on events. Default 250. */
  sampleEveryMs?: number;
  settings?: ReportSettings;
}

interface RawPage {
  type: string;
  start: number;
  end: number;
  records: number;
  inFlight: number;
}

export class SyncMetricsCollector {
  /** The run's metrics; `generateReport()` fills the derived figures. */
  readonly metrics: SyncMetrics = emptyMetrics();

  private readonly clock: () => number;
  private readonly memory: () => number;
  private readonly sampleEveryMs: number;
  private settings: ReportSettings;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The run as its events tell it: the fold the live display uses too (progress-state.ts). */
  private state: RunProgress = initialProgress();
  private readonly pages: RawPage[] = [];
  private readonly marks: TimelineMark[] = [];
  private callCount = 0;
  private callOk = 0;
  private callFailed = 0;
  private callLatency = 0;
  private client: ClientMetricsSnapshot | null = null;

  constructor(options: CollectorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.memory = options.memory ?? (() => process.memoryUsage().rss);
    this.sampleEveryMs = options.sampleEveryMs ?? 250;
    this.settings = { ...options.settings };
  }

  /** Starts the clock for a job (idempotent: a later `job-start` event for the same job keeps the first start). */
  startSync(syncJobId: string): void {
    this.state = startJob(this.state, syncJobId, this.touch());
    if (this.sampleEveryMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.sampleMemory(), this.sampleEveryMs);
      // Sampling must never keep a finished CLI process alive.
      this.timer.unref();
    }
  }

  /** One HTTP call to the Data API: its latency in ms, whether it succeeded, and the error if not. */
  recordApiCall(duration: number, success: boolean, error?: unknown): void {
    const at = this.touch();
    this.callCount += 1;
    this.callLatency += Math.max(0, duration);
    if (success) this.callOk += 1;
    else {
      this.callFailed += 1;
      if (error !== undefined) this.state = addError(this.state, errorMessage(error), this.state.current, at);
    }
  }

  /** A table finished: records written and the table's duration in ms. */
  recordTableComplete(tableName: string, recordCount: number, duration: number): void {
    this.state = completeTable(this.state, tableName, recordCount, duration, this.touch());
  }

  recordError(message: string, type: string | null = null): void {
    this.state = addError(this.state, message, type, this.touch());
  }

  /** The client's counters at the end of the run; they replace per-call figures only when none were recorded. */
  recordClientMetrics(snapshot: ClientMetricsSnapshot): void {
    this.client = { ...snapshot };
  }

  setSettings(settings: ReportSettings): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** Feed every ProgressEvent of the run here (it is a valid `SyncOptions.onProgress`). */
  readonly onProgress = (event: ProgressEvent): void => {
    this.record(event);
  };

  record(event: ProgressEvent): void {
    if (event.kind === 'job-start') this.startSync(event.jobId);
    const at = this.touch();
    const before = this.state;
    this.state = reduceProgress(before, event, at);
    this.recordTimeline(event, before, at);
  }

  sampleMemory(): void {
    const rss = this.memory();
    if (rss > this.metrics.peakMemoryBytes) this.metrics.peakMemoryBytes = rss;
  }

  /** Stops the memory timer; `generateReport()` calls it too. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Fills the derived metrics and returns the whole report (deterministic for the same recorded input). */
  generateReport(): SyncReport {
    this.sampleMemory();
    this.stop();
    // The run ends at job-done; without one (a failed or still running job) the report is "as of now".
    const last = this.state.finishedAt ?? this.touch();
    const state = this.state;
    const origin = state.startedAt ?? last;
    const m = this.metrics;
    m.totalDuration = state.durationMs ?? Math.max(0, last - origin);

    const tables = tablesOf(state);
    m.tablesProcessed = tables.filter((t) => t.finishedAt !== null).length;
    m.recordsProcessed = tables.reduce((sum, t) => sum + t.records, 0);
    m.cursorUpdates = state.tally.pages;
    m.parallelPagesUsed = state.tally.maxInFlight;
    m.retries = state.tally.retries;
    m.rateLimited429 = state.tally.rateLimited429;
    m.rateLimitWaitMs = state.tally.rateLimitWaitMs;
    m.errorsEncountered = state.errors.map((e) => ({ ...e }));

    if (this.callCount > 0) {
      m.apiCallSource = 'calls';
      m.apiCallsTotal = this.callCount;
      m.apiCallsSuccessful = this.callOk;
      m.apiCallsFailed = this.callFailed;
      m.averageResponseTime = round(this.callLatency / this.callCount);
    } else if (this.client) {
      m.apiCallSource = 'client';
      m.apiCallsTotal = this.client.calls;
      m.apiCallsSuccessful = this.client.successes;
      m.apiCallsFailed = this.client.failures;
      m.averageResponseTime =
        this.client.calls > 0 && this.client.latencyMsTotal !== undefined ? round(this.client.latencyMsTotal / this.client.calls) : 0;
      // A caller that fed no client events still gets the client's own counts.
      if (this.client.retries !== undefined) m.retries = Math.max(m.retries, this.client.retries);
      if (this.client.rateLimited !== undefined) m.rateLimited429 = Math.max(m.rateLimited429, this.client.rateLimited);
      if (this.client.rateWaitMsTotal !== undefined && m.rateLimitWaitMs === 0) m.rateLimitWaitMs = round(this.client.rateWaitMsTotal);
    } else {
      // No per-call data: every committed page was one successful call, every failed attempt one failed call.
      m.apiCallSource = 'pages';
      const pages = this.pages.length;
      m.apiCallsSuccessful = pages;
      m.apiCallsFailed = m.retries + state.tally.failedRequests;
      m.apiCallsTotal = pages + m.apiCallsFailed;
      m.averageResponseTime = pages > 0 ? round(this.pages.reduce((s, p) => s + (p.end - p.start), 0) / pages) : 0;
    }

    const seconds = m.totalDuration / 1000;
    m.rowsPerSecond = seconds > 0 ? round(m.recordsProcessed / seconds) : 0;
    m.recordsPerMinute = round(m.rowsPerSecond * 60);
    m.apiCallsPerMinute = seconds > 0 ? round((m.apiCallsTotal / seconds) * 60) : 0;
    m.errorRatePercent = m.apiCallsTotal > 0 ? round((m.apiCallsFailed / m.apiCallsTotal) * 100) : 0;
    m.requestsPerRecord = m.recordsProcessed > 0 ? Math.round((m.apiCallsTotal / m.recordsProcessed) * 10_000) / 10_000 : 0;
    m.workloadUnitsEstimate = round(m.apiCallsTotal * WU_PER_REQUEST + m.recordsProcessed * WU_PER_RECORD);

    m.performanceBreakdown = {};
    for (const t of tables) m.performanceBreakdown[t.type] = breakdown(t, last);

    const tableSpans: TableSpan[] = tables.map((t) => ({
      type: t.type,
      table: t.table,
      start: t.startedAt - origin,
      end: (t.finishedAt ?? last) - origin,
      total: t.total,
    }));

    return {
      version: 1,
      jobId: state.jobId,
      mode: state.mode,
      status: state.status,
      resumed: state.resumed,
      startedAt: new Date(origin).toISOString(),
      finishedAt: new Date(last).toISOString(),
      settings: { ...this.settings },
      ...(state.error ? { error: { ...state.error } } : {}),
      metrics: structuredClone(m),
      timeline: { tables: tableSpans, pages: assignLanes(this.pages), marks: this.marks.map((x) => ({ ...x })) },
    };
  }

  /** What only the report draws: each page and each retry or wait on the timeline (ms since the run started). */
  private recordTimeline(event: ProgressEvent, before: RunProgress, at: number): void {
    const origin = this.state.startedAt ?? at;
    const end = at - origin;
    switch (event.kind) {
      case 'page-done': {
        // Without a start time, assume the page ran since the table's previous page ended.
        const previous = (before.tables.get(event.type)?.lastPageAt ?? at) - origin;
        const start = event.startedAt !== undefined ? Math.min(end, Math.max(0, event.startedAt - origin)) : Math.min(end, previous);
        this.pages.push({ type: event.type, start, end, records: event.records, inFlight: event.inFlight });
        break;
      }
      case 'retry':
        this.marks.push({
          type: event.type,
          at: end,
          durationMs: event.waitMs,
          kind: isRateLimited(event) ? 'rate-limited' : 'retry',
          reason: event.reason,
        });
        break;
      case 'request-failed':
        // The orange marks are the app's 429 answers: a last attempt's too.
        if (isRateLimited(event)) this.marks.push({ type: event.type, at: end, durationMs: 0, kind: 'rate-limited', reason: event.reason });
        break;
      case 'rate-wait':
        this.marks.push({
          type: rateWaitType(before, event),
          at: Math.max(0, end - event.waitMs),
          durationMs: event.waitMs,
          kind: 'rate-wait',
          reason: 'rate limiter',
        });
        break;
      default:
        break;
    }
  }

  /** Reads the clock once per call and samples memory. */
  private touch(): number {
    const now = this.clock();
    this.sampleMemory();
    return now;
  }
}

function emptyMetrics(): SyncMetrics {
  return {
    totalDuration: 0,
    tablesProcessed: 0,
    recordsProcessed: 0,
    apiCallsTotal: 0,
    apiCallsSuccessful: 0,
    apiCallsFailed: 0,
    averageResponseTime: 0,
    parallelPagesUsed: 0,
    cursorUpdates: 0,
    errorsEncountered: [] as ErrorEntry[],
    performanceBreakdown: {},
    retries: 0,
    rateLimited429: 0,
    rateLimitWaitMs: 0,
    rowsPerSecond: 0,
    recordsPerMinute: 0,
    apiCallsPerMinute: 0,
    errorRatePercent: 0,
    requestsPerRecord: 0,
    workloadUnitsEstimate: 0,
    peakMemoryBytes: 0,
    apiCallSource: 'pages',
  };
}

function breakdown(t: TableRun, last: number): TableBreakdown {
  const durationMs = t.durationMs ?? Math.max(0, (t.finishedAt ?? last) - t.startedAt);
  const r = t.result;
  return {
    table: t.table,
    records: t.records,
    pages: t.pages,
    durationMs,
    recordsPerSecond: durationMs > 0 ? round((t.records / durationMs) * 1000) : 0,
    status: t.status,
    rawOnly: r?.rawOnly ?? 0,
    rejected: r?.rejected ?? 0,
    softDeleted: r?.softDeleted ?? 0,
    ...((r?.replaced ?? 0) > 0 ? { replaced: r?.replaced } : {}),
    ...(r && r.heldBack > 0 ? { heldBack: r.heldBack, ...(r.heldBackReason ? { heldBackReason: r.heldBackReason } : {}) } : {}),
    retries: t.retries,
    rateLimited429: t.rateLimited429,
    rateLimitWaitMs: t.rateLimitWaitMs,
    maxInFlight: t.maxInFlight,
  };
}

/**
 * Places each table's pages in lanes: a page takes the lowest lane free at its start, so the number of
 * lanes in use at an instant is the number of pages in flight then. Stable for equal input.
 */
export function assignLanes(pages: readonly RawPage[]): PageSpan[] {
  const byType = new Map<string, { page: RawPage; index: number }[]>();
  pages.forEach((page, index) => {
    const list = byType.get(page.type) ?? [];
    list.push({ page, index });
    byType.set(page.type, list);
  });
  const out: PageSpan[] = new Array<PageSpan>(pages.length);
  for (const list of byType.values()) {
    list.sort((a, b) => a.page.start - b.page.start || a.page.end - b.page.end || a.index - b.index);
    const laneEnds: number[] = [];
    for (const { page, index } of list) {
      let lane = laneEnds.findIndex((end) => end <= page.start);
      if (lane === -1) lane = laneEnds.length;
      laneEnds[lane] = page.end;
      out[index] = { ...page, lane };
    }
  }
  return out;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
