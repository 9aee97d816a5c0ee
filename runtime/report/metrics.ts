/**
 * SyncMetricsCollector: the run report's collector, fed from the
 * sync's ProgressEvents and the Bubble client's counters, producing the run report's data.
 *
 * Time comes from an injectable clock (epoch ms, `Date.now` by default) and memory from an injectable
 * sampler, so tests drive both and the report is a pure function of what was recorded.
 */
import type { JobStatus, ProgressEvent, SyncErrorInfo, SyncMode, TableResult, TableStatus } from '../api.js';
import type {
  ErrorEntry,
  PageSpan,
  ReportSettings,
  SyncMetrics,
  SyncReport,
  TableBreakdown,
  TableSpan,
  TimelineMark,
} from './types.js';

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

interface TableState {
  type: string;
  table: string;
  total: number | null;
  start: number;
  end: number | null;
  records: number;
  pages: number;
  durationMs: number | null;
  status: TableStatus;
  rawOnly: number;
  rejected: number;
  softDeleted: number;
  heldBack: number;
  heldBackReason?: 'guard' | 'incomplete';
  replaced: number;
  retries: number;
  rateLimited429: number;
  rateLimitWaitMs: number;
  maxInFlight: number;
  lastPageEnd: number;
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
  private jobId = '';
  private mode: SyncMode | null = null;
  private status: JobStatus | null = null;
  private failure: SyncErrorInfo | null = null;
  private resumed = false;
  private startedAt: number | null = null;
  private lastEventAt: number | null = null;
  private finishedAt: number | null = null;
  private resultDurationMs: number | null = null;
  private readonly tables = new Map<string, TableState>();
  private currentType: string | null = null;
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
    this.jobId = syncJobId;
    if (this.startedAt === null) {
      this.startedAt = this.clock();
      this.lastEventAt = this.startedAt;
    }
    this.sampleMemory();
    if (this.sampleEveryMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.sampleMemory(), this.sampleEveryMs);
      // Sampling must never keep a finished CLI process alive.
      this.timer.unref();
    }
  }

  /** One HTTP call to the Data API: its latency in ms, whether it succeeded, and the error if not. */
  recordApiCall(duration: number, success: boolean, error?: unknown): void {
    this.touch();
    this.callCount += 1;
    this.callLatency += Math.max(0, duration);
    if (success) this.callOk += 1;
    else {
      this.callFailed += 1;
      if (error !== undefined) this.recordError(errorMessage(error), this.currentType);
    }
  }

  /** A table finished: records written and the table's duration in ms. */
  recordTableComplete(tableName: string, recordCount: number, duration: number): void {
    const state = this.tableState(tableName, tableName);
    state.records = recordCount;
    state.durationMs = duration;
    state.end = this.touch() - this.origin();
    if (state.status === 'PENDING' || state.status === 'IN_PROGRESS') state.status = 'COMPLETED';
  }

  recordError(message: string, type: string | null = null): void {
    const at = this.touch() - this.origin();
    this.metrics.errorsEncountered.push({ at, type, message });
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
    switch (event.kind) {
      case 'job-start':
        this.startSync(event.jobId);
        this.mode = event.mode;
        this.resumed = event.resumed;
        this.status = 'RUNNING';
        break;
      case 'table-start': {
        const now = this.touch();
        const state = this.tableState(event.type, event.table);
        state.table = event.table;
        state.total = event.total;
        state.start = now - this.origin();
        state.lastPageEnd = state.start;
        state.status = 'IN_PROGRESS';
        this.currentType = event.type;
        break;
      }
      case 'page-done': {
        const end = this.touch() - this.origin();
        const state = this.tableState(event.type, event.type);
        // Without a start time, assume the page ran since the table's previous page ended.
        const start = event.startedAt !== undefined ? Math.min(end, Math.max(0, event.startedAt - this.origin())) : Math.min(end, state.lastPageEnd);
        this.pages.push({ type: event.type, start, end, records: event.records, inFlight: event.inFlight });
        state.records += event.records;
        state.pages += 1;
        state.maxInFlight = Math.max(state.maxInFlight, event.inFlight);
        state.lastPageEnd = end;
        this.metrics.cursorUpdates += 1;
        this.metrics.parallelPagesUsed = Math.max(this.metrics.parallelPagesUsed, event.inFlight);
        break;
      }
      case 'retry': {
        const at = this.touch() - this.origin();
        const limited = isRateLimited(event);
        this.marks.push({ type: event.type, at, durationMs: event.waitMs, kind: limited ? 'rate-limited' : 'retry', reason: event.reason });
        const state = this.tableState(event.type, event.type);
        state.retries += 1;
        if (limited) state.rateLimited429 += 1;
        break;
      }
      case 'rate-wait': {
        const end = this.touch() - this.origin();
        const type = event.type ?? this.currentType;
        this.marks.push({ type, at: Math.max(0, end - event.waitMs), durationMs: event.waitMs, kind: 'rate-wait', reason: 'rate limiter' });
        if (type !== null) this.tableState(type, type).rateLimitWaitMs += event.waitMs;
        break;
      }
      case 'table-done':
        this.applyTableResult(event.result);
        break;
      case 'job-done':
        this.finishedAt = this.touch();
        // The run's duration as the sync result and `status` state it, so all three agree.
        this.resultDurationMs = event.result.durationMs;
        this.jobId = event.result.jobId;
        this.mode = event.result.mode;
        this.status = event.result.status;
        this.failure = event.result.error ?? null;
        // Tables this run started but did not finish (interrupted, failed) take their final state from
        // the result; tables it never touched (finished by an earlier run of a resumed job) are not this run's.
        for (const t of event.result.tables) if (this.tables.get(t.type)?.end === null) this.applyTableResult(t);
        // A failure outside any table (the sync lock lost between two tables, …) is the run's own.
        if (this.failure && !event.result.tables.some((t) => t.status === 'ERROR')) this.recordError(this.failure.message);
        break;
    }
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
    const origin = this.origin();
    // The run ends at job-done; without one (a failed or still running job) the report is "as of now".
    const last = this.finishedAt ?? this.touch();
    const m = this.metrics;
    m.totalDuration = this.resultDurationMs ?? Math.max(0, last - origin);

    const tables = [...this.tables.values()];
    m.tablesProcessed = tables.filter((t) => t.end !== null).length;
    m.recordsProcessed = tables.reduce((sum, t) => sum + t.records, 0);
    m.retries = tables.reduce((sum, t) => sum + t.retries, 0);
    m.rateLimited429 = tables.reduce((sum, t) => sum + t.rateLimited429, 0);
    m.rateLimitWaitMs = tables.reduce((sum, t) => sum + t.rateLimitWaitMs, 0);

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
      m.averageResponseTime = this.client.calls > 0 && this.client.latencyMsTotal !== undefined ? round(this.client.latencyMsTotal / this.client.calls) : 0;
      if (this.client.retries !== undefined) m.retries = Math.max(m.retries, this.client.retries);
      if (this.client.rateLimited !== undefined) m.rateLimited429 = Math.max(m.rateLimited429, this.client.rateLimited);
      if (this.client.rateWaitMsTotal !== undefined && m.rateLimitWaitMs === 0) m.rateLimitWaitMs = round(this.client.rateWaitMsTotal);
    } else {
      // No per-call data: every committed page was one successful call, every retry one failed attempt.
      m.apiCallSource = 'pages';
      const pages = this.pages.length;
      m.apiCallsSuccessful = pages;
      m.apiCallsFailed = m.retries;
      m.apiCallsTotal = pages + m.retries;
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
    for (const t of tables) m.performanceBreakdown[t.type] = breakdown(t, last - origin);

    const tableSpans: TableSpan[] = tables.map((t) => ({
      type: t.type,
      table: t.table,
      start: t.start,
      end: t.end === null ? last - origin : t.end,
      total: t.total,
    }));

    return {
      version: 1,
      jobId: this.jobId,
      mode: this.mode,
      status: this.status,
      resumed: this.resumed,
      startedAt: new Date(origin).toISOString(),
      finishedAt: new Date(last).toISOString(),
      settings: { ...this.settings },
      ...(this.failure ? { error: { ...this.failure } } : {}),
      metrics: structuredClone(m),
      timeline: { tables: tableSpans, pages: assignLanes(this.pages), marks: this.marks.map((x) => ({ ...x })) },
    };
  }

  private applyTableResult(result: TableResult): void {
    const state = this.tableState(result.type, result.table);
    state.table = result.table;
    // A resumed job's result counts the whole job; the report describes this run, so the pages seen
    // in this run win when there were any.
    const seen = state.pages > 0;
    const records = seen ? state.records : result.records;
    if (!seen) state.pages = result.pages;
    state.status = result.status;
    state.rawOnly = result.rawOnly;
    state.rejected = result.rejected;
    state.softDeleted = result.softDeleted;
    state.heldBack = result.heldBack;
    state.replaced = result.replaced ?? 0;
    if (result.heldBackReason) state.heldBackReason = result.heldBackReason;
    if (result.status === 'ERROR') this.recordError(this.failure?.message ?? `table ${result.table} stopped with an error`, result.type);
    this.recordTableComplete(result.type, records, result.durationMs);
    // recordTableComplete marks PENDING/IN_PROGRESS as COMPLETED; the result's own status wins.
    state.status = result.status;
    if (this.currentType === result.type) this.currentType = null;
  }

  private tableState(type: string, table: string): TableState {
    let state = this.tables.get(type);
    if (!state) {
      const now = (this.lastEventAt ?? this.origin()) - this.origin();
      state = {
        type,
        table,
        total: null,
        start: now,
        end: null,
        records: 0,
        pages: 0,
        durationMs: null,
        status: 'PENDING',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
        replaced: 0,
        retries: 0,
        rateLimited429: 0,
        rateLimitWaitMs: 0,
        maxInFlight: 0,
        lastPageEnd: now,
      };
      this.tables.set(type, state);
    }
    return state;
  }

  /** Reads the clock once per event, starting the job's clock if no startSync came first. */
  private touch(): number {
    const now = this.clock();
    if (this.startedAt === null) this.startedAt = now;
    this.lastEventAt = Math.max(this.lastEventAt ?? now, now);
    this.sampleMemory();
    return now;
  }

  private origin(): number {
    if (this.startedAt === null) this.startedAt = this.clock();
    return this.startedAt;
  }
}

/**
 * Whether a retry was the app refusing with 429. The client's retry reasons name the status
 * ("HTTP 429 …") when the event carries none. The live display counts them the same way.
 */
export function isRateLimited(event: Extract<ProgressEvent, { kind: 'retry' }>): boolean {
  return event.status === 429 || (event.status === undefined && /\b429\b/.test(event.reason));
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

function breakdown(t: TableState, now: number): TableBreakdown {
  const durationMs = t.durationMs ?? Math.max(0, (t.end ?? now) - t.start);
  return {
    table: t.table,
    records: t.records,
    pages: t.pages,
    durationMs,
    recordsPerSecond: durationMs > 0 ? round((t.records / durationMs) * 1000) : 0,
    status: t.status,
    rawOnly: t.rawOnly,
    rejected: t.rejected,
    softDeleted: t.softDeleted,
    ...(t.replaced > 0 ? { replaced: t.replaced } : {}),
    ...(t.heldBack > 0 ? { heldBack: t.heldBack, ...(t.heldBackReason ? { heldBackReason: t.heldBackReason } : {}) } : {}),
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
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
