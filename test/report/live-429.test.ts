/**
 * The 429s of a real run, as a user reads them: `bubble-runtime sync` off a terminal (plain log lines,
 * then the summary) against the fake app answering 429 on demand, and the run's report.json. The live
 * lines, the summary, the report and the app's own log must all give the same count.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncReport } from '../../runtime/report/types.js';
import { cliProject, type CliProject } from '../sync/support/cli-project.js';

let p: CliProject;

beforeAll(async () => {
  p = await cliProject({ records: 300, latencyMs: 1 });
});

afterAll(async () => {
  await p.close();
});

beforeEach(() => {
  p.fake.faults.clear();
});

/** What the plain display and the report say about a run's 429s. */
function read(stdout: string): { retryLines: number; statusLines: string[]; summary: RegExpMatchArray; report: SyncReport } {
  const jobId = /^Sync (\S+) · /m.exec(stdout)?.[1];
  expect(jobId).toBeDefined();
  const summary = /(\d+) retried, (\d+)×429\)? · /.exec(stdout);
  expect(summary).not.toBeNull();
  const report = JSON.parse(readFileSync(join(p.dir, '.bubble', 'reports', jobId!, 'report.json'), 'utf8')) as SyncReport;
  return {
    retryLines: stdout.split('\n').filter((l) => /: retrying in .* \(HTTP 429[;)]/.test(l)).length,
    statusLines: stdout.split('\n').filter((l) => / rec\/s, .*retries \d+/.test(l)),
    summary: summary!,
    report,
  };
}

const answered429 = (from: number): number => p.fake.log.slice(from).filter((e) => e.status === 429).length;

test('retried 429s: each one a live line, counted in the status line, the summary and report.json alike', async () => {
  const type = p.manifest.types.find((t) => t.name === 'invoice')!;
  const before = p.fake.log.length;
  const invoicePages = { match: (r: { kind?: string; type?: string }) => r.kind === 'list' && r.type === type.name };
  // The check before the job (the first invoice request) is refused once, then the table's first page,
  // which asks for 5 s: the display's status line (every 5 s off a terminal) comes while the table waits.
  p.fake.faults.rateLimit(0, invoicePages);
  p.fake.faults.rateLimit(5, { ...invoicePages, skip: 1 });
  const run = await p.cli(['sync', '--mode', 'full', '--types', type.name]);
  expect(run.code).toBe(0);

  const { retryLines, statusLines, summary, report } = read(run.stdout);
  expect(answered429(before)).toBe(2);
  expect(retryLines).toBe(2);
  expect(statusLines.length).toBeGreaterThan(0);
  expect(statusLines.at(-1)).toMatch(new RegExp(`${type.table}: .*retries 2 \\(2×429\\)`));
  expect([Number(summary[1]), Number(summary[2])]).toEqual([2, 2]);
  expect(report.metrics.rateLimited429).toBe(2);
  expect(report.metrics.retries).toBe(2);
  expect(report.metrics.performanceBreakdown[type.name]).toMatchObject({ retries: 2, rateLimited429: 2 });
});

test('a request refused with 429 to its last attempt: the table stops, and that last 429 is counted everywhere too', async () => {
  const type = p.manifest.types.find((t) => t.name === 'agent')!;
  const before = p.fake.log.length;
  // Every request for the table after the check before the job.
  p.fake.faults.rateLimit(0, { times: Infinity, skip: 1, match: (r) => r.kind === 'list' && r.type === type.name });
  const run = await p.cli(['sync', '--types', type.name]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/after \d+ attempts \(last: HTTP 429\)/);

  const { retryLines, summary, report } = read(run.stdout);
  const sent = answered429(before);
  expect(sent).toBeGreaterThanOrEqual(2);
  // One attempt fewer is retried: the last one gave up.
  expect(retryLines).toBe(sent - 1);
  expect([Number(summary[1]), Number(summary[2])]).toEqual([sent - 1, sent]);
  expect(report.metrics.rateLimited429).toBe(sent);
  expect(report.metrics.performanceBreakdown[type.name]).toMatchObject({ status: 'ERROR', retries: sent - 1, rateLimited429: sent });
  expect(report.timeline.marks.filter((m) => m.kind === 'rate-limited')).toHaveLength(sent);
});
