/**
 * A deterministic simulated sync for report tests: tables one after another, pages in parallel up to
 * `concurrency`, requests spaced by a rate limit, optional retries — fed to a collector on a fake clock.
 */
import type { ProgressEvent, TableResult } from '../../runtime/api.js';
import { SyncMetricsCollector } from '../../runtime/report/metrics.js';

export interface SimTable {
  type: string;
  table: string;
  records: number;
}

export interface SimOptions {
  tables: SimTable[];
  concurrency: number;
  latencyMs: number;
  /** Minimum gap between request starts (the rate limit), ms. */
  spacingMs: number;
  /** Every n-th page's first attempt fails (0 = never). */
  failEvery?: number;
  /** Status of the injected failures. */
  failStatus?: number;
  jobId?: string;
  startEpoch?: number;
}

export function simulate(opts: SimOptions): { collector: SyncMetricsCollector; events: Array<[number, ProgressEvent]> } {
  let now = opts.startEpoch ?? 1_700_000_000_000;
  const events: Array<[number, ProgressEvent]> = [];
  const jobId = opts.jobId ?? 'job_sim';
  const emit = (at: number, e: ProgressEvent): void => {
    events.push([at, e]);
  };
  emit(now, { kind: 'job-start', jobId, mode: 'full', types: opts.tables.map((t) => t.type), resumed: false });
  const results: TableResult[] = [];
  let nextSlot = now;
  let pageNo = 0;
  for (const t of opts.tables) {
    const tableStart = now;
    emit(now, { kind: 'table-start', type: t.type, table: t.table, total: t.records });
    const pages = Math.max(1, Math.ceil(t.records / 100));
    const lanes = new Array<number>(opts.concurrency).fill(now);
    let done = 0;
    const finished: Array<{ end: number; start: number; records: number }> = [];
    for (let p = 0; p < pages; p++) {
      const lane = lanes.indexOf(Math.min(...lanes));
      let start = Math.max(lanes[lane]!, nextSlot);
      const wait = start - (lanes[lane] ?? start);
      if (wait > 0) emit(start, { kind: 'rate-wait', waitMs: wait, type: t.type });
      nextSlot = start + opts.spacingMs;
      const firstStart = start;
      pageNo += 1;
      if (opts.failEvery && pageNo % opts.failEvery === 0) {
        const failAt = start + opts.latencyMs;
        emit(failAt, {
          kind: 'retry',
          type: t.type,
          reason: opts.failStatus === 429 ? 'HTTP 429' : 'HTTP 503',
          waitMs: 500,
          status: opts.failStatus ?? 503,
        });
        start = Math.max(failAt + 500, nextSlot);
        nextSlot = start + opts.spacingMs;
      }
      const end = start + opts.latencyMs + 15;
      lanes[lane] = end;
      finished.push({ end, start: firstStart, records: Math.min(100, t.records - p * 100) });
    }
    finished.sort((a, b) => a.end - b.end);
    for (const f of finished) {
      done += f.records;
      emit(f.end, {
        kind: 'page-done',
        type: t.type,
        records: f.records,
        done,
        total: t.records,
        inFlight: Math.min(opts.concurrency, pages),
        startedAt: f.start,
      });
    }
    now = Math.max(...lanes);
    const result: TableResult = {
      type: t.type,
      table: t.table,
      records: t.records,
      pages,
      durationMs: now - tableStart,
      status: 'COMPLETED',
      rawOnly: 0,
      rejected: 0,
      softDeleted: 0,
      heldBack: 0,
    };
    results.push(result);
    emit(now, { kind: 'table-done', result });
  }
  emit(now, {
    kind: 'job-done',
    result: { jobId, mode: 'full', status: 'COMPLETED', durationMs: now - (opts.startEpoch ?? 1_700_000_000_000), tables: results },
  });
  events.sort((a, b) => a[0] - b[0]);
  let clock = events[0]![0];
  let rss = 80 * 1024 * 1024;
  const collector = new SyncMetricsCollector({
    clock: () => clock,
    memory: () => (rss += 1024),
    sampleEveryMs: 0,
    settings: { concurrency: opts.concurrency, rateLimitRpm: Math.round(60_000 / opts.spacingMs) },
  });
  for (const [at, e] of events) {
    clock = at;
    collector.record(e);
  }
  return { collector, events };
}

export const SAMPLE_TABLES: SimTable[] = [
  { type: 'user', table: 'user', records: 1200 },
  { type: 'customer', table: 'customer', records: 2100 },
  { type: 'invoice', table: 'invoice', records: 3400 },
  { type: 'payment', table: 'payment', records: 2600 },
  { type: 'agreement', table: 'agreement', records: 900 },
  { type: 'agent', table: 'agent', records: 150 },
  { type: 'package', table: 'package', records: 40 },
];
