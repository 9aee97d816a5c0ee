import { SyncMetricsCollector, assignLanes } from '../../runtime/report/metrics.js';
import { simulate, SAMPLE_TABLES } from './simulate.js';

const METRIC_KEYS = [
  'totalDuration',
  'tablesProcessed',
  'recordsProcessed',
  'apiCallsTotal',
  'apiCallsSuccessful',
  'apiCallsFailed',
  'averageResponseTime',
  'parallelPagesUsed',
  'cursorUpdates',
  'errorsEncountered',
  'performanceBreakdown',
];

function manual(): { c: SyncMetricsCollector; tick: (ms: number) => void } {
  let now = 1_000_000;
  let rss = 100;
  const c = new SyncMetricsCollector({ clock: () => now, memory: () => rss, sampleEveryMs: 0 });
  return {
    c,
    tick: (ms) => {
      now += ms;
      rss = ms === 7 ? 999 : 100 + ms;
    },
  };
}

describe('SyncMetricsCollector', () => {
  test('has the metric keys and the collector methods', () => {
    const c = new SyncMetricsCollector({ sampleEveryMs: 0 });
    for (const key of METRIC_KEYS) expect(c.metrics).toHaveProperty(key);
    expect(c.metrics.errorsEncountered).toEqual([]);
    expect(c.metrics.performanceBreakdown).toEqual({});
    for (const method of ['startSync', 'recordApiCall', 'recordTableComplete', 'generateReport'] as const)
      expect(typeof c[method]).toBe('function');
  });

  test('collector methods: durations from the injected clock, calls, failures and per-table figures', () => {
    const { c, tick } = manual();
    c.startSync('job1');
    tick(300);
    c.recordApiCall(300, true);
    tick(500);
    c.recordApiCall(500, false, new Error('HTTP 503 from the app'));
    tick(100);
    c.recordApiCall(100, true);
    c.recordTableComplete('invoice', 250, 900);
    tick(100);
    const r = c.generateReport();
    expect(r.jobId).toBe('job1');
    expect(r.metrics.totalDuration).toBe(1000);
    expect(r.metrics.apiCallsTotal).toBe(3);
    expect(r.metrics.apiCallsSuccessful).toBe(2);
    expect(r.metrics.apiCallsFailed).toBe(1);
    expect(r.metrics.averageResponseTime).toBe(300);
    expect(r.metrics.errorRatePercent).toBe(33.33);
    expect(r.metrics.errorsEncountered).toEqual([{ at: 800, type: null, message: 'HTTP 503 from the app' }]);
    expect(r.metrics.tablesProcessed).toBe(1);
    expect(r.metrics.recordsProcessed).toBe(250);
    expect(r.metrics.rowsPerSecond).toBe(250);
    expect(r.metrics.recordsPerMinute).toBe(15000);
    expect(r.metrics.apiCallsPerMinute).toBe(180);
    expect(r.metrics.performanceBreakdown.invoice).toMatchObject({
      records: 250,
      durationMs: 900,
      recordsPerSecond: 277.78,
      status: 'COMPLETED',
    });
    expect(r.metrics.apiCallSource).toBe('calls');
    expect(r.startedAt).toBe(new Date(1_000_000).toISOString());
  });

  test('peak memory is the largest sample', () => {
    const { c, tick } = manual();
    c.startSync('j');
    tick(7); // rss 999
    c.recordApiCall(7, true);
    tick(50);
    c.recordApiCall(50, true);
    expect(c.generateReport().metrics.peakMemoryBytes).toBe(999);
  });

  test('progress events: pages, in-flight, cursor updates, retries, 429s and rate-limit waits', () => {
    const { c, tick } = manual();
    c.record({ kind: 'job-start', jobId: 'j2', mode: 'incremental', types: ['user'], resumed: true });
    c.record({ kind: 'table-start', type: 'user', table: 'bubble_user', total: 300 });
    tick(400);
    c.record({ kind: 'rate-wait', waitMs: 120, type: 'user' });
    c.record({ kind: 'retry', type: 'user', reason: 'HTTP 429', waitMs: 1000, status: 429 });
    c.record({ kind: 'retry', type: 'user', reason: 'socket hang up', waitMs: 200 });
    tick(600);
    c.record({ kind: 'page-done', type: 'user', records: 100, done: 100, total: 300, inFlight: 3, startedAt: 1_000_000 });
    c.record({ kind: 'page-done', type: 'user', records: 100, done: 200, total: 300, inFlight: 2, startedAt: 1_000_100 });
    tick(100);
    c.record({ kind: 'page-done', type: 'user', records: 50, done: 250, total: 300, inFlight: 1, startedAt: 1_000_900 });
    c.record({
      kind: 'table-done',
      result: {
        type: 'user',
        table: 'bubble_user',
        records: 250,
        pages: 3,
        durationMs: 1100,
        status: 'COMPLETED',
        rawOnly: 2,
        rejected: 0,
        softDeleted: 1,
        heldBack: 0,
      },
    });
    c.record({ kind: 'job-done', result: { jobId: 'j2', mode: 'incremental', status: 'COMPLETED', durationMs: 1100, tables: [] } });
    const r = c.generateReport();
    expect(r).toMatchObject({ jobId: 'j2', mode: 'incremental', status: 'COMPLETED', resumed: true });
    const m = r.metrics;
    expect(m.cursorUpdates).toBe(3);
    expect(m.parallelPagesUsed).toBe(3);
    expect(m.retries).toBe(2);
    expect(m.rateLimited429).toBe(1);
    expect(m.rateLimitWaitMs).toBe(120);
    // No per-call records and no client counters: calls are derived from pages and retries.
    expect(m.apiCallSource).toBe('pages');
    expect(m.apiCallsTotal).toBe(5);
    expect(m.apiCallsFailed).toBe(2);
    expect(m.performanceBreakdown.user).toMatchObject({
      table: 'bubble_user',
      records: 250,
      pages: 3,
      rawOnly: 2,
      rejected: 0,
      softDeleted: 1,
      retries: 2,
      rateLimited429: 1,
      maxInFlight: 3,
    });
    expect(r.timeline.pages.map((p) => [p.start, p.end, p.lane])).toEqual([
      [0, 1000, 0],
      [100, 1000, 1],
      [900, 1100, 2],
    ]);
    expect(r.timeline.marks.map((mk) => mk.kind)).toEqual(['rate-wait', 'rate-limited', 'retry']);
    expect(r.timeline.marks[0]).toMatchObject({ at: 280, durationMs: 120 });
  });

  test("the client's counters are used when no per-call records exist", () => {
    const { c, tick } = manual();
    c.startSync('j3');
    tick(2000);
    c.recordClientMetrics({ calls: 10, successes: 9, failures: 1, retries: 1, rateLimited: 1, latencyMsTotal: 3220, rateWaitMsTotal: 40 });
    const m = c.generateReport().metrics;
    expect(m).toMatchObject({
      apiCallSource: 'client',
      apiCallsTotal: 10,
      apiCallsSuccessful: 9,
      apiCallsFailed: 1,
      averageResponseTime: 322,
      retries: 1,
      rateLimited429: 1,
      rateLimitWaitMs: 40,
    });
  });

  test('a resumed job: the report counts the records of this run, not the whole job', () => {
    const { c, tick } = manual();
    c.record({ kind: 'job-start', jobId: 'j5', mode: 'full', types: ['user'], resumed: true });
    c.record({ kind: 'table-start', type: 'user', table: 'user', total: 500 });
    tick(100);
    c.record({ kind: 'page-done', type: 'user', records: 100, done: 400, total: 500, inFlight: 1 });
    c.record({ kind: 'page-done', type: 'user', records: 100, done: 500, total: 500, inFlight: 1 });
    c.record({
      kind: 'table-done',
      result: {
        type: 'user',
        table: 'user',
        records: 500,
        pages: 5,
        durationMs: 100,
        status: 'COMPLETED',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      },
    });
    c.record({ kind: 'table-start', type: 'note', table: 'note', total: 0 });
    c.record({
      kind: 'table-done',
      result: {
        type: 'note',
        table: 'note',
        records: 7,
        pages: 1,
        durationMs: 5,
        status: 'COMPLETED',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      },
    });
    // The job's result also lists a table an earlier run finished: not this run's work.
    const earlier = {
      type: 'tag',
      table: 'tag',
      records: 900,
      pages: 9,
      durationMs: 50,
      status: 'COMPLETED' as const,
      rawOnly: 0,
      rejected: 0,
      softDeleted: 0,
      heldBack: 0,
    };
    c.record({ kind: 'job-done', result: { jobId: 'j5', mode: 'full', status: 'COMPLETED', durationMs: 200, tables: [earlier] } });
    const m = c.generateReport().metrics;
    expect(m.performanceBreakdown.tag).toBeUndefined();
    expect(m.performanceBreakdown.user).toMatchObject({ records: 200, pages: 2 });
    expect(m.performanceBreakdown.note).toMatchObject({ records: 7, pages: 1 });
    expect(m.recordsProcessed).toBe(207);
  });

  test('an ERROR table is recorded as an error and keeps its status', () => {
    const { c, tick } = manual();
    c.startSync('j4');
    c.record({ kind: 'table-start', type: 'invoice', table: 'invoice', total: null });
    tick(10);
    c.record({
      kind: 'table-done',
      result: {
        type: 'invoice',
        table: 'invoice',
        records: 0,
        pages: 0,
        durationMs: 10,
        status: 'ERROR',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      },
    });
    const r = c.generateReport();
    expect(r.metrics.performanceBreakdown.invoice?.status).toBe('ERROR');
    expect(r.metrics.errorsEncountered).toHaveLength(1);
    expect(r.metrics.errorsEncountered[0]?.type).toBe('invoice');
  });

  test('a simulated parallel run: totals add up and lanes never overlap', () => {
    for (const concurrency of [1, 3, 8]) {
      const { collector } = simulate({ tables: SAMPLE_TABLES, concurrency, latencyMs: 322, spacingMs: 60, failEvery: 25, failStatus: 429 });
      const r = collector.generateReport();
      const total = SAMPLE_TABLES.reduce((s, t) => s + t.records, 0);
      const pages = SAMPLE_TABLES.reduce((s, t) => s + Math.ceil(t.records / 100), 0);
      expect(r.metrics.recordsProcessed).toBe(total);
      expect(r.metrics.tablesProcessed).toBe(SAMPLE_TABLES.length);
      expect(r.metrics.cursorUpdates).toBe(pages);
      expect(r.metrics.parallelPagesUsed).toBe(concurrency);
      expect(r.metrics.rateLimited429).toBe(Math.floor(pages / 25));
      expect(r.timeline.pages).toHaveLength(pages);
      const maxLane = Math.max(...r.timeline.pages.map((p) => p.lane));
      expect(maxLane).toBeLessThan(concurrency);
      for (const a of r.timeline.pages)
        for (const b of r.timeline.pages)
          if (a !== b && a.type === b.type && a.lane === b.lane) expect(a.end <= b.start || b.end <= a.start).toBe(true);
    }
  });

  test('the same recorded input gives the same report', () => {
    const a = simulate({ tables: SAMPLE_TABLES, concurrency: 3, latencyMs: 322, spacingMs: 60 }).collector.generateReport();
    const b = simulate({ tables: SAMPLE_TABLES, concurrency: 3, latencyMs: 322, spacingMs: 60 }).collector.generateReport();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  test('assignLanes uses the lowest free lane', () => {
    const lanes = assignLanes([
      { type: 't', start: 0, end: 10, records: 1, inFlight: 1 },
      { type: 't', start: 5, end: 15, records: 1, inFlight: 2 },
      { type: 't', start: 10, end: 20, records: 1, inFlight: 2 },
      { type: 'u', start: 0, end: 5, records: 1, inFlight: 1 },
    ]).map((p) => p.lane);
    expect(lanes).toEqual([0, 1, 0, 0]);
  });
});
