/**
 * The fold the live display and the run report share: pure, immutable, and counting every retry, 429
 * and wait once, whichever table (or none) it belongs to.
 */
import type { ProgressEvent, TableResult } from '../../runtime/api.js';
import {
  addError,
  completeTable,
  initialProgress,
  isRateLimited,
  reduceProgress,
  runningTables,
  tablesOf,
  type RunProgress,
} from '../../runtime/report/progress-state.js';

function fold(events: Array<[number, ProgressEvent]>, from: RunProgress = initialProgress()): RunProgress {
  return events.reduce((state, [at, event]) => reduceProgress(state, event, at), from);
}

const done = (over: Partial<TableResult> & { type: string }): TableResult => ({
  table: over.type,
  records: 0,
  pages: 0,
  durationMs: 0,
  status: 'COMPLETED',
  rawOnly: 0,
  rejected: 0,
  softDeleted: 0,
  heldBack: 0,
  ...over,
});

test('a run: tables, pages, retries, 429s (retried and last attempts) and waits, per table and in all', () => {
  const state = fold([
    // The check before the job: a 429 on the first type's page, before its table started.
    [100, { kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 1000, status: 429, retryAfterMs: 1000 }],
    [1100, { kind: 'job-start', jobId: 'j', mode: 'full', types: ['user', 'invoice'], resumed: false }],
    [1100, { kind: 'table-start', type: 'user', table: 'bubble_user', total: null }],
    [1200, { kind: 'rate-wait', waitMs: 50, type: 'user' }],
    [1500, { kind: 'page-done', type: 'user', records: 100, done: 100, total: 250, inFlight: 1 }],
    [1600, { kind: 'table-start', type: 'invoice', table: 'invoice', total: 40 }],
    [1700, { kind: 'retry', type: 'invoice', reason: 'HTTP 503', waitMs: 500, status: 503 }],
    [1800, { kind: 'page-done', type: 'user', records: 100, done: 200, total: 250, inFlight: 3 }],
    // A wait naming no table belongs to the table started last.
    [1850, { kind: 'rate-wait', waitMs: 20 }],
    [1900, { kind: 'request-failed', type: 'invoice', reason: 'HTTP 429', attempts: 2, status: 429 }],
    [2000, { kind: 'table-done', result: done({ type: 'invoice', status: 'ERROR', durationMs: 400 }) }],
  ]);
  expect(state.tally).toEqual({ retries: 2, rateLimited429: 2, rateLimitWaitMs: 70, failedRequests: 1, pages: 2, maxInFlight: 3 });
  const [user, invoice] = tablesOf(state);
  expect(user).toMatchObject({
    type: 'user',
    table: 'bubble_user',
    status: 'IN_PROGRESS',
    startedAt: 1100,
    done: 200,
    records: 200,
    pages: 2,
    total: 250,
    inFlight: 3,
    maxInFlight: 3,
    retries: 1,
    rateLimited429: 1,
    rateLimitWaitMs: 50,
    lastPageAt: 1800,
  });
  expect(invoice).toMatchObject({
    status: 'ERROR',
    finishedAt: 2000,
    durationMs: 400,
    retries: 1,
    rateLimited429: 1,
    failedRequests: 1,
    rateLimitWaitMs: 20,
  });
  // The tallies are the tables' sums when every event names a table.
  for (const key of ['retries', 'rateLimited429', 'rateLimitWaitMs', 'failedRequests'] as const) {
    expect(tablesOf(state).reduce((sum, t) => sum + t[key], 0)).toBe(state.tally[key]);
  }
  expect(runningTables(state).map((t) => t.type)).toEqual(['user']);
  expect(state.current).toBeNull(); // the table started last finished
  expect(state.startedAt).toBe(100);
  expect(state.errors).toEqual([{ at: 1900, type: 'invoice', message: 'table invoice stopped with an error' }]);
});

test('pure: the state it was given is never changed, and the same events give the same state', () => {
  const start = fold([
    [0, { kind: 'job-start', jobId: 'j', mode: 'full', types: ['user'], resumed: false }],
    [0, { kind: 'table-start', type: 'user', table: 'user', total: 10 }],
  ]);
  const frozen = structuredClone(start);
  const after = reduceProgress(start, { kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 5, status: 429 }, 10);
  expect(start).toEqual(frozen);
  expect(after).not.toBe(start);
  expect(after.tables.get('user')).not.toBe(start.tables.get('user'));
  expect(after.tables.get('user')?.rateLimited429).toBe(1);
  const events: Array<[number, ProgressEvent]> = [[20, { kind: 'page-done', type: 'user', records: 10, done: 10, total: 10, inFlight: 1 }]];
  expect(fold(events, after)).toEqual(fold(events, after));
});

test('429s are counted from the status, or from the reason when an event has no status', () => {
  const retry = (reason: string, status?: number) => ({
    kind: 'retry' as const,
    type: 't',
    reason,
    waitMs: 0,
    ...(status !== undefined ? { status } : {}),
  });
  expect(isRateLimited(retry('HTTP 429', 429))).toBe(true);
  expect(isRateLimited(retry('HTTP 429 (Retry-After 1 s)'))).toBe(true);
  expect(isRateLimited(retry('HTTP 503', 503))).toBe(false);
  expect(isRateLimited(retry('body of 4290 bytes'))).toBe(false);
  expect(isRateLimited({ kind: 'request-failed', type: 't', reason: 'HTTP 429', attempts: 6, status: 429 })).toBe(true);
});

test("a resumed job: the table's result gives the job's count, the run keeps its own pages; untouched tables stay out", () => {
  const state = fold([
    [0, { kind: 'job-start', jobId: 'j', mode: 'full', types: ['user', 'tag'], resumed: true }],
    [0, { kind: 'table-start', type: 'user', table: 'user', total: 500 }],
    [10, { kind: 'page-done', type: 'user', records: 100, done: 400, total: 500, inFlight: 1 }],
    [20, { kind: 'table-done', result: done({ type: 'user', records: 500, pages: 5, durationMs: 20 }) }],
    [
      30,
      {
        kind: 'job-done',
        result: { jobId: 'j', mode: 'full', status: 'COMPLETED', durationMs: 30, tables: [done({ type: 'tag', records: 9, pages: 1 })] },
      },
    ],
  ]);
  expect(tablesOf(state).map((t) => t.type)).toEqual(['user']);
  expect(state.tables.get('user')).toMatchObject({ done: 500, records: 100, pages: 1, status: 'COMPLETED', finishedAt: 20 });
  expect(state).toMatchObject({ status: 'COMPLETED', durationMs: 30, finishedAt: 30 });
});

test("the job's end finishes the tables the run left open and records a failure outside any table", () => {
  const error = { code: 'SYNC_LOCK_LOST', message: 'the lock was lost', hint: 'run again' };
  const state = fold([
    [0, { kind: 'job-start', jobId: 'j', mode: 'full', types: ['user'], resumed: false }],
    [0, { kind: 'table-start', type: 'user', table: 'user', total: null }],
    [
      50,
      {
        kind: 'job-done',
        result: {
          jobId: 'j',
          mode: 'full',
          status: 'ERROR',
          durationMs: 50,
          tables: [done({ type: 'user', status: 'IN_PROGRESS', durationMs: 50 })],
          error,
        },
      },
    ],
  ]);
  expect(state.tables.get('user')).toMatchObject({ status: 'IN_PROGRESS', finishedAt: 50 });
  expect(runningTables(state)).toEqual([]);
  expect(state.errors).toEqual([{ at: 50, type: null, message: 'the lock was lost' }]);
  expect(state.error).toEqual(error);
});

test('completeTable and addError: the collector methods as transitions', () => {
  let state = completeTable(initialProgress(), 'invoice', 250, 900, 1000);
  state = addError(state, 'boom', 'invoice', 1300);
  expect(state.tables.get('invoice')).toMatchObject({ records: 250, durationMs: 900, status: 'COMPLETED', finishedAt: 1000 });
  expect(state.errors).toEqual([{ at: 300, type: 'invoice', message: 'boom' }]);
});
