/**
 * The run report's data: what `report.json` holds and what the Markdown and SVG writers render.
 * Plain JSON values only (numbers in ms / bytes, times as ms since the job started), so the same
 * report renders the same bytes wherever and whenever it is rendered.
 */
import type { JobStatus, SyncErrorInfo, SyncMode, TableStatus } from '../api.js';

/** The run's metrics: durations, calls, pages and records, and the figures a nightly run needs. */
export interface SyncMetrics {
  /** Wall-clock milliseconds from startSync to the last event. */
  totalDuration: number;
  tablesProcessed: number;
  recordsProcessed: number;
  apiCallsTotal: number;
  apiCallsSuccessful: number;
  apiCallsFailed: number;
  /** Milliseconds per API call (successful and failed). */
  averageResponseTime: number;
  /** Most pages of one table in flight at once. */
  parallelPagesUsed: number;
  /** Page commits (each one persists the page ledger and, when contiguous, the cursor watermark). */
  cursorUpdates: number;
  errorsEncountered: ErrorEntry[];
  /** Per table: records, pages, duration and throughput. */
  performanceBreakdown: Record<string, TableBreakdown>;
  /** Attempts that failed and were tried again. */
  retries: number;
  /** Answers with HTTP 429 (rate limited by the app). */
  rateLimited429: number;
  /** Milliseconds requests spent waiting on the shared rate limiter (our own cap, not the app's 429s). */
  rateLimitWaitMs: number;
  /** Records written per second over the whole run. */
  rowsPerSecond: number;
  recordsPerMinute: number;
  apiCallsPerMinute: number;
  /** apiCallsFailed / apiCallsTotal, in percent. */
  errorRatePercent: number;
  /** apiCallsTotal / recordsProcessed: what each record written cost in requests (0 when none were written). */
  requestsPerRecord: number;
  /**
   * Bubble workload units this run probably cost the app: WU_PER_REQUEST per request plus WU_PER_RECORD per
   * record written (assumed rates, see runtime/report/metrics.ts; the app's workload chart is the truth).
   */
  workloadUnitsEstimate: number;
  /** Largest resident set size sampled during the run (`process.memoryUsage().rss`), in bytes. */
  peakMemoryBytes: number;
  /** Where the API call figures come from: per-call records, the client's counters, or page counts. */
  apiCallSource: 'calls' | 'client' | 'pages';
}

export interface ErrorEntry {
  /** ms since the job started. */
  at: number;
  type: string | null;
  message: string;
}

export interface TableBreakdown {
  table: string;
  records: number;
  pages: number;
  durationMs: number;
  recordsPerSecond: number;
  status: TableStatus;
  rawOnly: number;
  /** Records kept in the rejects table instead of this table. */
  rejected: number;
  softDeleted: number;
  /** Deletions the full pass held back (see the sync's mass-deletion guard). */
  heldBack?: number;
  heldBackReason?: 'guard' | 'incomplete';
  /** Strings stored with U+FFFD in place of characters PostgreSQL cannot hold. */
  replaced?: number;
  retries: number;
  rateLimited429: number;
  rateLimitWaitMs: number;
  maxInFlight: number;
}

/** One page on the timeline: drawn from `start` to `end` (ms since the job started) in `lane`. */
export interface PageSpan {
  type: string;
  start: number;
  end: number;
  records: number;
  inFlight: number;
  /** 0-based row within the table's band; lanes in use at once = pages in flight. */
  lane: number;
}

export interface TimelineMark {
  type: string | null;
  /** ms since the job started. */
  at: number;
  /** For waits: how long; for retries: the back-off before the next attempt. */
  durationMs: number;
  kind: 'retry' | 'rate-limited' | 'rate-wait';
  reason: string;
}

export interface TableSpan {
  type: string;
  table: string;
  start: number;
  end: number;
  total: number | null;
}

export interface SyncReport {
  version: 1;
  jobId: string;
  /** Which run of the job this is (1 = the run that started it; a resumed job's runs count on), as numbered in `runs/<n>/`. */
  run?: number;
  mode: SyncMode | null;
  status: JobStatus | null;
  resumed: boolean;
  /** ISO time of startSync. */
  startedAt: string;
  /** ISO time of the report. */
  finishedAt: string;
  settings: ReportSettings;
  /** Why the run failed (status ERROR): the same `{code, message, hint}` as `sync --json` prints. */
  error?: SyncErrorInfo;
  metrics: SyncMetrics;
  timeline: { tables: TableSpan[]; pages: PageSpan[]; marks: TimelineMark[] };
}

/** The knobs the run used, so a report explains itself. Never a token or a URL with credentials. */
export interface ReportSettings {
  /** SYNC_CONCURRENCY, or `adaptive` when it was not set. */
  concurrency?: number | 'adaptive';
  rateLimitRpm?: number;
  maxOffset?: number;
  database?: 'postgres' | 'pglite' | 'prisma';
  appHost?: string;
}
