/**
 * A sync run as its progress events tell it: one pure fold, `reduceProgress(state, event, at)`, and the
 * selectors the live display (runtime/cli/progress) and the run report (metrics.ts) read. Both feed it
 * the same event stream, so a count they both show (retries, 429s, rate-limit waits, pages) is the same
 * number in both. `at` is the epoch ms the event arrived; the state never reads a clock itself.
 *
 * States are immutable values: each transition returns a new one and shares what did not change.
 */
import type { JobStatus, ProgressEvent, SyncErrorInfo, SyncMode, TableResult, TableStatus } from '../api.js';
import type { ErrorEntry } from './types.js';

/** One table of the run. Times are epoch ms. */
export interface TableRun {
  type: string;
  table: string;
  /** Records the table is expected to hold, the latest figure the sync gave (null while unknown). */
  total: number | null;
  /** PENDING until its `table-start` (a retry can name a table first); then the sync's own status. */
  status: TableStatus;
  startedAt: number;
  /** When it finished (its `table-done`, or the job's end for a table the run left unfinished). */
  finishedAt: number | null;
  /** Records done as the sync counts them: a resumed job's earlier runs included. */
  done: number;
  /** Records and pages this run committed. */
  records: number;
  pages: number;
  /** Pages in flight at the latest page, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  /** When the latest page committed (the table's start before the first). */
  lastPageAt: number;
  retries: number;
  rateLimited429: number;
  rateLimitWaitMs: number;
  /** Requests that failed on their last attempt. */
  failedRequests: number;
  /** The table's duration as its result states it (null until it finished). */
  durationMs: number | null;
  result: TableResult | null;
}

/** Counts over the whole run, also for requests no table of the run had started yet. */
export interface RunTally {
  retries: number;
  /** Answers with HTTP 429: retried attempts and last attempts alike. */
  rateLimited429: number;
  rateLimitWaitMs: number;
  failedRequests: number;
  /** Page commits. */
  pages: number;
  /** Most pages of one table in flight at once. */
  maxInFlight: number;
}

export interface RunProgress {
  jobId: string;
  mode: SyncMode | null;
  resumed: boolean;
  status: JobStatus | null;
  /** The first event's time (a retry before the job starts counts), or the job's start. */
  startedAt: number | null;
  lastEventAt: number | null;
  /** The `job-done` time. */
  finishedAt: number | null;
  /** The run's duration as the sync result states it. */
  durationMs: number | null;
  error: SyncErrorInfo | null;
  /** In the order the run first named them. */
  tables: ReadonlyMap<string, TableRun>;
  /** The table started last and not finished: where a rate-limit wait without a type belongs. */
  current: string | null;
  tally: RunTally;
  errors: readonly ErrorEntry[];
}

export type RetryEvent = Extract<ProgressEvent, { kind: 'retry' | 'request-failed' }>;

export function initialProgress(): RunProgress {
  return {
    jobId: '',
    mode: null,
    resumed: false,
    status: null,
    startedAt: null,
    lastEventAt: null,
    finishedAt: null,
    durationMs: null,
    error: null,
    tables: new Map(),
    current: null,
    tally: { retries: 0, rateLimited429: 0, rateLimitWaitMs: 0, failedRequests: 0, pages: 0, maxInFlight: 0 },
    errors: [],
  };
}

/**
 * Whether a failed attempt was the app refusing with 429. Events from older producers name the
 * status only in their reason ("HTTP 429 …").
 */
export function isRateLimited(event: RetryEvent): boolean {
  return event.status === 429 || (event.status === undefined && /\b429\b/.test(event.reason));
}

export function reduceProgress(state: RunProgress, event: ProgressEvent, at: number): RunProgress {
  const s = touch(state, at);
  switch (event.kind) {
    case 'job-start':
      return { ...startJob(s, event.jobId, at), mode: event.mode, resumed: event.resumed, status: 'RUNNING' };
    case 'table-start': {
      const t = tableOf(s, event.type, event.table);
      const started = { ...t, table: event.table, total: event.total, startedAt: at, lastPageAt: at, status: 'IN_PROGRESS' as const };
      return { ...withTable(s, started), current: event.type };
    }
    case 'page-done': {
      const t = tableOf(s, event.type, event.type);
      const done = {
        ...t,
        done: event.done,
        total: event.total !== null ? Math.max(event.total, event.done) : t.total,
        records: t.records + event.records,
        pages: t.pages + 1,
        inFlight: event.inFlight,
        maxInFlight: Math.max(t.maxInFlight, event.inFlight),
        lastPageAt: at,
      };
      const tally = { ...s.tally, pages: s.tally.pages + 1, maxInFlight: Math.max(s.tally.maxInFlight, event.inFlight) };
      return { ...withTable(s, done), tally };
    }
    case 'retry':
    case 'request-failed': {
      const limited = isRateLimited(event) ? 1 : 0;
      const retried = event.kind === 'retry' ? 1 : 0;
      const t = tableOf(s, event.type, event.type);
      const counted = {
        ...t,
        retries: t.retries + retried,
        rateLimited429: t.rateLimited429 + limited,
        failedRequests: t.failedRequests + 1 - retried,
      };
      const tally = {
        ...s.tally,
        retries: s.tally.retries + retried,
        rateLimited429: s.tally.rateLimited429 + limited,
        failedRequests: s.tally.failedRequests + 1 - retried,
      };
      return { ...withTable(s, counted), tally };
    }
    case 'rate-wait': {
      const tally = { ...s.tally, rateLimitWaitMs: s.tally.rateLimitWaitMs + event.waitMs };
      const type = rateWaitType(s, event);
      if (type === null) return { ...s, tally };
      const t = tableOf(s, type, type);
      return { ...withTable(s, { ...t, rateLimitWaitMs: t.rateLimitWaitMs + event.waitMs }), tally };
    }
    case 'table-done':
      return finishTable(s, event.result, at);
    case 'job-done': {
      const result = event.result;
      let next: RunProgress = {
        ...s,
        jobId: result.jobId,
        mode: result.mode,
        status: result.status,
        finishedAt: at,
        durationMs: result.durationMs,
        error: result.error ?? null,
      };
      // Tables this run started but did not finish (interrupted, failed) take their final state from
      // the result; tables it never touched (finished by an earlier run of a resumed job) are not this run's.
      for (const t of result.tables) if (next.tables.get(t.type)?.finishedAt === null) next = finishTable(next, t, at);
      // A failure outside any table (the sync lock lost between two tables, …) is the run's own.
      if (next.error && !result.tables.some((t) => t.status === 'ERROR')) next = addError(next, next.error.message, null, at);
      return next;
    }
  }
}

/** The job's id, and its clock started unless an earlier event started it. */
export function startJob(state: RunProgress, jobId: string, at: number): RunProgress {
  return { ...touch(state, at), jobId };
}

/**
 * A table finished with `records` written in `durationMs`. Its status becomes COMPLETED unless it
 * already has a final one.
 */
export function completeTable(state: RunProgress, type: string, records: number, durationMs: number, at: number): RunProgress {
  const s = touch(state, at);
  const t = tableOf(s, type, type);
  const status = t.status === 'PENDING' || t.status === 'IN_PROGRESS' ? 'COMPLETED' : t.status;
  return withTable(s, { ...t, records, durationMs, finishedAt: at, status });
}

export function addError(state: RunProgress, message: string, type: string | null, at: number): RunProgress {
  const s = touch(state, at);
  return { ...s, errors: [...s.errors, { at: at - (s.startedAt ?? at), type, message }] };
}

/** The run's tables in the order it named them. */
export function tablesOf(state: RunProgress): TableRun[] {
  return [...state.tables.values()];
}

/** Tables that started and have not finished, in the order they started. */
export function runningTables(state: RunProgress): TableRun[] {
  return tablesOf(state).filter((t) => t.status === 'IN_PROGRESS' && t.finishedAt === null);
}

/** Where a rate-limit wait belongs: its own type, else the table started last (null before any). */
export function rateWaitType(state: RunProgress, event: Extract<ProgressEvent, { kind: 'rate-wait' }>): string | null {
  return event.type ?? state.current;
}

function finishTable(state: RunProgress, result: TableResult, at: number): RunProgress {
  const t = tableOf(state, result.type, result.table);
  // A resumed job's result counts the whole job; what this run committed wins when it committed pages.
  const seen = t.pages > 0;
  const finished: TableRun = {
    ...t,
    table: result.table,
    done: result.records,
    records: seen ? t.records : result.records,
    pages: seen ? t.pages : result.pages,
    result,
  };
  let next = withTable(state, finished);
  if (result.status === 'ERROR')
    next = addError(next, next.error?.message ?? `table ${result.table} stopped with an error`, result.type, at);
  next = completeTable(next, result.type, finished.records, result.durationMs, at);
  // The result's own status wins over the COMPLETED a finished table otherwise gets.
  next = withTable(next, { ...tableOf(next, result.type, result.table), status: result.status });
  return next.current === result.type ? { ...next, current: null } : next;
}

function touch(state: RunProgress, at: number): RunProgress {
  const startedAt = state.startedAt ?? at;
  const lastEventAt = Math.max(state.lastEventAt ?? at, at);
  return startedAt === state.startedAt && lastEventAt === state.lastEventAt ? state : { ...state, startedAt, lastEventAt };
}

function tableOf(state: RunProgress, type: string, table: string): TableRun {
  const found = state.tables.get(type);
  if (found) return found;
  // A table named before its start (a retry, a page): it starts at the latest event.
  const at = state.lastEventAt ?? state.startedAt ?? 0;
  return {
    type,
    table,
    total: null,
    status: 'PENDING',
    startedAt: at,
    finishedAt: null,
    done: 0,
    records: 0,
    pages: 0,
    inFlight: 0,
    maxInFlight: 0,
    lastPageAt: at,
    retries: 0,
    rateLimited429: 0,
    rateLimitWaitMs: 0,
    failedRequests: 0,
    durationMs: null,
    result: null,
  };
}

function withTable(state: RunProgress, table: TableRun): RunProgress {
  const tables = new Map(state.tables);
  tables.set(table.type, table);
  return { ...state, tables };
}
