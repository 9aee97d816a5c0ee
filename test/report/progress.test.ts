import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent, SyncResult } from '../../runtime/api.js';
import { chooseProgress, createProgressDisplay, type OutputStream } from '../../runtime/cli/progress/display.js';
import {
  COLOURS,
  NO_COLOURS,
  liveLine,
  plainLine,
  progressBar,
  renderSummary,
  tableEtaMs,
  tableRate,
  useColour,
  type TableProgress,
} from '../../runtime/cli/progress/format.js';
import { createRunOutput } from '../../runtime/cli/progress/run-output.js';
import { createRunReporter } from '../../runtime/report/writer.js';
import { SyncMetricsCollector } from '../../runtime/report/metrics.js';
import { SAMPLE_TABLES, simulate } from './simulate.js';

class Sink implements OutputStream {
  text = '';
  columns = 160;
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const RESULT: SyncResult = {
  jobId: 'job_1',
  mode: 'full',
  status: 'COMPLETED',
  durationMs: 12_000,
  tables: [
    {
      type: 'user',
      table: 'user',
      records: 1200,
      pages: 12,
      durationMs: 5000,
      status: 'COMPLETED',
      rawOnly: 3,
      rejected: 0,
      softDeleted: 0,
      heldBack: 0,
    },
    {
      type: 'invoice',
      table: 'invoice',
      records: 3400,
      pages: 34,
      durationMs: 7000,
      status: 'COMPLETED',
      rawOnly: 0,
      rejected: 0,
      softDeleted: 2,
      heldBack: 0,
    },
  ],
};

function progress(over: Partial<TableProgress> = {}): TableProgress {
  return {
    type: 'invoice',
    table: 'invoice',
    total: 3400,
    done: 1200,
    pages: 12,
    startedAt: 0,
    finishedAt: null,
    status: 'running',
    retries: 1,
    rateLimited: 1,
    rateWaitMs: 400,
    inFlight: 3,
    ...over,
  };
}

describe('progress formatting (pure)', () => {
  test('rate, ETA and bar', () => {
    const p = progress();
    expect(tableRate(p, 10_000)).toBe(120);
    expect(tableEtaMs(p, 10_000)).toBeCloseTo((2200 / 120) * 1000);
    expect(tableEtaMs(progress({ total: null }), 10_000)).toBeNull();
    expect(tableEtaMs(progress({ done: 0 }), 10_000)).toBeNull();
    expect(progressBar(5, 10, 10)).toBe('█████░░░░░');
    expect(progressBar(5, null, 4)).toBe('░░░░');
    expect(progressBar(50, 10, 4)).toBe('████');
  });

  test('live line shows done/total, rate, ETA, in flight, retries with 429s and waits', () => {
    const line = liveLine(progress(), 10_000, NO_COLOURS, 160);
    expect(line).toContain('1,200/3,400');
    expect(line).toContain('120 rec/s');
    expect(line).toContain('ETA 0:18');
    expect(line).toContain('3 in flight');
    expect(line).toContain('retries 1 (1×429)');
    expect(line).toContain('waits 400 ms');
    expect(line).not.toContain('\u001b[');
    expect(liveLine(progress({ status: 'done', finishedAt: 10_000 }), 10_000, COLOURS)).toContain('\u001b[32mdone in 10 s');
  });

  test('live line fits the terminal width', () => {
    for (const columns of [60, 80, 100, 160]) expect([...liveLine(progress(), 10_000, NO_COLOURS, columns)].length).toBeLessThan(columns);
    expect(liveLine(progress(), 10_000, NO_COLOURS, 80)).toContain('ETA');
  });

  test('plain line', () => {
    expect(plainLine(progress(), 65_000, 10_000)).toBe(
      '[+1:05] invoice: 1,200/3,400 (35%), 120 rec/s, ETA 0:18, retries 1 (1×429), rate-limit waits 400 ms',
    );
  });

  test('colour only on a terminal and never with NO_COLOR', () => {
    expect(useColour(true, {})).toBe(true);
    expect(useColour(false, {})).toBe(false);
    expect(useColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(true, { NO_COLOR: '' })).toBe(true);
    expect(useColour(true, { TERM: 'dumb' })).toBe(false);
  });

  test('summary: a row per table, totals, report path', () => {
    const text = renderSummary(RESULT, null, '.bubble/reports/job_1/report.md', NO_COLOURS);
    expect(text.split('\n')[0]).toBe('Sync job_1 · full · COMPLETED in 12 s');
    expect(text).toMatch(/user\s+1,200\s+12\s+5 s\s+240\s+COMPLETED \(3 raw-only\)/);
    expect(text).toMatch(/invoice\s+3,400\s+34\s+7 s\s+486\s+COMPLETED \(2 soft-deleted\)/);
    expect(text).toMatch(/Total\s+4,600\s+46\s+12 s\s+383/);
    expect(text).toContain('Report: .bubble/reports/job_1/report.md');
    expect(text.split('\n').length).toBeLessThan(24);
  });

  test("summary: the display's own count of retries, 429s and waits, also without a report", () => {
    const tally = { retries: 4, rateLimited429: 3, rateLimitWaitMs: 1500, failedRequests: 1, pages: 46, maxInFlight: 2 };
    expect(renderSummary(RESULT, null, null, NO_COLOURS, tally)).toContain('  4 retried, 3×429 · rate-limit waits 1.5 s');
    expect(renderSummary(RESULT, null, null, NO_COLOURS, { ...tally, retries: 0, rateLimited429: 0, failedRequests: 0 })).not.toContain(
      'retried',
    );
  });

  test('where progress goes', () => {
    const tty = new Sink(true);
    const pipe = new Sink(false);
    expect(chooseProgress(false, tty, pipe)).toEqual({ mode: 'tty', stream: tty });
    expect(chooseProgress(false, pipe, tty)).toEqual({ mode: 'plain', stream: pipe });
    expect(chooseProgress(true, tty, pipe)).toEqual({ mode: 'silent', stream: pipe });
    expect(chooseProgress(true, pipe, tty)).toEqual({ mode: 'tty', stream: tty });
  });
});

function run(events: Array<[number, ProgressEvent]>, feed: (e: ProgressEvent) => void, setNow: (n: number) => void): void {
  for (const [at, e] of events) {
    setNow(at);
    feed(e);
  }
}

const EVENTS: Array<[number, ProgressEvent]> = [
  [0, { kind: 'job-start', jobId: 'job_1', mode: 'full', types: ['user'], resumed: false }],
  [0, { kind: 'table-start', type: 'user', table: 'user', total: 300 }],
  [1000, { kind: 'page-done', type: 'user', records: 100, done: 100, total: 300, inFlight: 2 }],
  [2000, { kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 1500, status: 429 }],
  [6000, { kind: 'page-done', type: 'user', records: 100, done: 200, total: 300, inFlight: 2 }],
  [7000, { kind: 'page-done', type: 'user', records: 100, done: 300, total: 300, inFlight: 1 }],
  [
    7000,
    {
      kind: 'table-done',
      result: {
        type: 'user',
        table: 'user',
        records: 300,
        pages: 3,
        durationMs: 7000,
        status: 'COMPLETED',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      },
    },
  ],
  [7000, { kind: 'job-done', result: { jobId: 'job_1', mode: 'full', status: 'COMPLETED', durationMs: 7000, tables: [] } }],
];

describe('progress display', () => {
  test('plain mode: start, periodic status, retries, done — no escape codes', () => {
    let now = 0;
    const sink = new Sink(false);
    const d = createProgressDisplay({ mode: 'plain', stream: sink, clock: () => now, intervalMs: 5000, timer: false });
    run(EVENTS, d.onProgress, (n) => (now = n));
    expect(sink.text.split('\n').filter(Boolean)).toEqual([
      '[+0:00] Starting full sync job_1: 1 table',
      '[+0:00] user: started (300 records)',
      '[+0:02] user: retrying in 1.5 s (HTTP 429)',
      '[+0:06] user: 200/300 (66%), 33 rec/s, ETA 0:03, retries 1 (1×429), rate-limit waits 0 ms',
      '[+0:07] user: done, 300 records in 3 pages, 7 s',
    ]);
  });

  test('rate-limited retries are counted as the report counts them, also when the event names 429 only in its reason', () => {
    const now = 0;
    const sink = new Sink(false);
    const d = createProgressDisplay({ mode: 'plain', stream: sink, clock: () => now, intervalMs: 5000, everyPages: 1, timer: false });
    const collector = new SyncMetricsCollector({ clock: () => now, memory: () => 1, sampleEveryMs: 0 });
    const events: ProgressEvent[] = [
      { kind: 'job-start', jobId: 'job_2', mode: 'full', types: ['user'], resumed: false },
      { kind: 'table-start', type: 'user', table: 'user', total: 200 },
      { kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 10, status: 429 },
      { kind: 'retry', type: 'user', reason: 'HTTP 429 (Retry-After 1 s)', waitMs: 10 },
      { kind: 'retry', type: 'user', reason: 'HTTP 503', waitMs: 10, status: 503 },
      { kind: 'page-done', type: 'user', records: 100, done: 100, total: 200, inFlight: 1 },
    ];
    for (const e of events) {
      d.onProgress(e);
      collector.record(e);
    }
    expect(sink.text).toContain('retries 3 (2×429)');
    expect(collector.generateReport().metrics.rateLimited429).toBe(2);
  });

  test('plain mode: a status line for every table still running, each with its own retries and 429s', () => {
    let now = 0;
    const sink = new Sink(false);
    const d = createProgressDisplay({ mode: 'plain', stream: sink, clock: () => now, intervalMs: 5000, timer: false });
    const events: Array<[number, ProgressEvent]> = [
      [0, { kind: 'job-start', jobId: 'job_3', mode: 'full', types: ['user', 'invoice'], resumed: false }],
      [0, { kind: 'table-start', type: 'user', table: 'user', total: 300 }],
      [100, { kind: 'table-start', type: 'invoice', table: 'invoice', total: 200 }],
      [200, { kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 2000, status: 429, retryAfterMs: 300_000 }],
      [300, { kind: 'request-failed', type: 'invoice', reason: 'HTTP 429', attempts: 2, status: 429 }],
      [6000, { kind: 'page-done', type: 'user', records: 100, done: 100, total: 300, inFlight: 1 }],
    ];
    run(events, d.onProgress, (n) => (now = n));
    expect(sink.text.split('\n').filter(Boolean).slice(3)).toEqual([
      // The wait is the client's cap, shorter than the app asked for: the line says so.
      '[+0:00] user: retrying in 2 s (HTTP 429; the app asked for 5 min 00 s)',
      '[+0:06] user: 100/300 (33%), 17 rec/s, ETA 0:12, retries 1 (1×429), rate-limit waits 0 ms',
      '[+0:06] invoice: 0/200 (0%), 0 rec/s, retries 0 (1×429), rate-limit waits 0 ms',
    ]);
    expect(d.tally()).toMatchObject({ retries: 1, rateLimited429: 2, failedRequests: 1 });
  });

  test('display and report count the same retries, 429s and waits from the same events', () => {
    const { collector, events } = simulate({
      tables: SAMPLE_TABLES,
      concurrency: 3,
      latencyMs: 322,
      spacingMs: 60,
      failEvery: 7,
      failStatus: 429,
    });
    let now = 0;
    const d = createProgressDisplay({ mode: 'plain', stream: new Sink(false), clock: () => now, timer: false });
    run(events, d.onProgress, (n) => (now = n));
    const m = collector.generateReport().metrics;
    expect(m.rateLimited429).toBeGreaterThan(0);
    expect(d.tally()).toMatchObject({
      retries: m.retries,
      rateLimited429: m.rateLimited429,
      rateLimitWaitMs: m.rateLimitWaitMs,
      pages: m.cursorUpdates,
      maxInFlight: m.parallelPagesUsed,
    });
  });

  test('plain mode every N pages', () => {
    let now = 0;
    const sink = new Sink(false);
    const d = createProgressDisplay({ mode: 'plain', stream: sink, clock: () => now, intervalMs: 60_000, everyPages: 1, timer: false });
    run(EVENTS, d.onProgress, (n) => (now = n));
    expect(sink.text).toContain('[+0:01] user: 100/300 (33%)');
  });

  test('tty mode draws live bars and restores the terminal; NO_COLOR strips colour', () => {
    for (const env of [{}, { NO_COLOR: '1' }]) {
      let now = 0;
      const sink = new Sink(true);
      const d = createProgressDisplay({ mode: 'tty', stream: sink, clock: () => now, env });
      run(EVENTS, d.onProgress, (n) => (now = n));
      d.stop();
      expect(sink.text).toContain('300/300');
      expect(sink.text).toContain('done in 7 s');
      expect(sink.text).toContain('retries 1 (1×429)');
      expect(sink.text.includes('\u001b[32m')).toBe(!('NO_COLOR' in env));
    }
  });

  test('silent mode writes nothing', () => {
    const sink = new Sink(false);
    const d = createProgressDisplay({ mode: 'silent', stream: sink, clock: () => 0 });
    run(EVENTS, d.onProgress, () => undefined);
    expect(sink.text).toBe('');
  });
});

describe('run output', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ux-out-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function withReport(): Promise<void> {
    let now = 0;
    const reporter = createRunReporter({ reportDir: join(dir, 'reports'), clock: () => now, memory: () => 1, sampleEveryMs: 0 });
    run(EVENTS, reporter.onProgress, (n) => (now = n));
    await reporter.finish();
  }

  test('--json: exactly one JSON document on stdout, nothing else on a non-terminal', async () => {
    await withReport();
    const stdout = new Sink(false);
    const stderr = new Sink(false);
    const out = createRunOutput({ json: true, stdout, stderr, cwd: dir });
    run(EVENTS, out.onProgress, () => undefined);
    await out.finish(RESULT, join(dir, 'reports'));
    expect(JSON.parse(stdout.text)).toEqual(RESULT);
    expect(stdout.text.trim().split('\n')).toHaveLength(1);
    expect(stderr.text).toBe('');
  });

  test('text: progress lines then the summary with the report path', async () => {
    await withReport();
    const stdout = new Sink(false);
    const out = createRunOutput({ json: false, stdout, stderr: new Sink(false), cwd: dir });
    run(EVENTS, out.onProgress, () => undefined);
    const reportDir = await out.finish(RESULT, join(dir, 'reports'));
    expect(reportDir).toBe(join(dir, 'reports', 'job_1'));
    expect(stdout.text).toContain('user: started (300 records)');
    expect(stdout.text).toContain('Sync job_1 · full · COMPLETED');
    expect(stdout.text).toContain(`Report: ${join('reports', 'job_1', 'report.md')}`);
    expect(stdout.text).toContain('API calls');
    expect(stdout.text).not.toContain('\u001b[');
  });
});
