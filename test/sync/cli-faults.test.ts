/**
 * `bubble-runtime sync` meeting what a nightly job meets: an app that hangs or makes it wait (SIGTERM
 * still ends the process within seconds), a wrong token or URL (refused by one request before any job
 * exists), a failure mid-run (its cause kept in `--json`, `status`, `jobs` and its own report, beside
 * the report of the run that resumes the job).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncResult } from '../../runtime/api.js';
import type { JobSummary } from '../../runtime/sync/job-history.js';
import { cliProject, collect, until, type CliProject } from './support/cli-project.js';

/** Far more than a prompt stop needs: only a stop that waits for the app (30 s timeouts, back-offs) exceeds it. */
const STOP_BOUND_MS = 10_000;

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

const reports = () => join(p.dir, '.bubble', 'reports');
const listReports = () => (existsSync(reports()) ? readdirSync(reports()).sort() : []);
const jobs = async () => (JSON.parse((await p.cli(['jobs', '--json'])).stdout) as { jobs: JobSummary[] }).jobs;

/** The lines the CLI printed as its error (`bubble-runtime: …`), and whether anything looked like a crash. */
function errorLines(stderr: string): { lines: string[]; crashed: boolean } {
  return {
    lines: stderr.split('\n').filter((l) => l.startsWith('bubble-runtime:')),
    crashed: /Unhandled|^\s+at .+:\d+:\d+\)?$/m.test(stderr),
  };
}

test.each([
  ['every request hangs', () => p.fake.faults.hang({ skip: 4, times: Infinity })],
  ['the app asks to retry after 2 minutes', () => p.fake.faults.status(503, { retryAfter: 120, skip: 4, times: Infinity })],
])(
  'SIGTERM while %s: the process ends within seconds, exit 1 with the resume hint, and the next sync resumes the job',
  async (_case, arm) => {
    arm();
    const before = p.fake.log.length;
    const child = p.start(['sync', '--mode', 'full', '--json']);
    const { out, closed } = collect(child);
    // Stalled: a request past the ones let through is hanging or has been told to wait.
    await until(() => p.fake.log.slice(before).some((e) => e.fault === 'hang' || e.status === 503));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<'still running'>((done) => (timer = setTimeout(() => done('still running'), STOP_BOUND_MS)));
    const outcome = await Promise.race([closed, tooSlow]);
    clearTimeout(timer);
    if (outcome === 'still running') child.kill('SIGKILL');

    expect(outcome).toBe(1);
    expect(out.stderr).toMatch(/was interrupted; the pages fetched before the stop are committed/);
    expect(out.stderr).toMatch(/Run sync again \(or sync --resume\) to continue/);
    expect(errorLines(out.stderr)).toEqual({ lines: [expect.any(String)], crashed: false });
    const stopped = JSON.parse(out.stdout) as SyncResult;
    expect(stopped.status).toBe('PENDING');
    expect(stopped.tables.reduce((n, t) => n + t.pages, 0)).toBeGreaterThan(0);

    p.fake.faults.clear();
    const resumed = await p.cli(['sync', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ jobId: stopped.jobId, mode: 'full', status: 'COMPLETED' });
    expect(await p.differences()).toEqual([]);
  },
);

test('a wrong token or app URL is refused by one request before any job or report exists: one line, exit 1', async () => {
  const jobsBefore = await jobs();
  const reportsBefore = listReports();

  let before = p.fake.log.length;
  const badToken = await p.cli(['sync', '--json'], { BUBBLE_API_TOKEN: 'not-the-token' });
  expect(badToken.code).toBe(1);
  expect(badToken.stdout).toBe('');
  expect(errorLines(badToken.stderr)).toEqual({
    lines: [expect.stringMatching(/^bubble-runtime: Bubble refused the API token \(HTTP 401\)/)],
    crashed: false,
  });
  expect(badToken.stderr).not.toContain('not-the-token');
  expect(p.fake.log.slice(before).map((e) => [e.kind, e.limit, e.url.includes('exclude_remaining=true')])).toEqual([['list', 1, true]]);

  before = p.fake.log.length;
  const badUrl = await p.cli(['sync'], { BUBBLE_APP_URL: `${p.fake.url}/no-such-app` });
  expect(badUrl.code).toBe(1);
  expect(errorLines(badUrl.stderr)).toEqual({
    lines: [expect.stringMatching(/^bubble-runtime: No Bubble Data API answered at .*\/no-such-app/)],
    crashed: false,
  });
  expect(p.fake.log.slice(before).map((e) => e.kind)).toEqual([undefined, undefined]);

  expect(await jobs()).toEqual(jobsBefore);
  expect(listReports()).toEqual(reportsBefore);
});

test('a run that fails mid-way keeps its cause in --json, status, jobs and its own report, beside the report of the run that resumes it', async () => {
  // The token is refused on the fourth request (the preflight and two pages went through).
  p.fake.faults.status(401, { skip: 3 });
  const failed = await p.cli(['sync', '--mode', 'full', '--json']);
  expect(failed.code).toBe(1);
  const doc = JSON.parse(failed.stdout) as SyncResult;
  expect(doc.status).toBe('ERROR');
  expect(doc.error).toEqual({
    code: 'BUBBLE_AUTH',
    message: expect.stringMatching(/^Bubble refused the API token \(HTTP 401\) at http:\/\/127\.0\.0\.1:\d+\.$/),
    hint: expect.stringMatching(/Check BUBBLE_API_TOKEN/),
  });

  const status = await p.cli(['status', '--json']);
  expect((JSON.parse(status.stdout) as SyncResult).error).toEqual(doc.error);
  expect((await p.cli(['status'])).stdout).toContain('Error (BUBBLE_AUTH): Bubble refused the API token (HTTP 401)');
  const listed = await jobs();
  expect(listed[0]).toMatchObject({ jobId: doc.jobId, status: 'ERROR', mode: 'full', error: doc.error });
  expect(listed[0]!.records).toBeGreaterThan(0);

  const resumed = await p.cli(['sync', '--json']);
  expect(resumed.code).toBe(0);
  const done = JSON.parse(resumed.stdout) as SyncResult;
  expect(done).toMatchObject({ jobId: doc.jobId, status: 'COMPLETED' });
  expect(done.error).toBeUndefined();
  expect(await p.differences()).toEqual([]);

  const folder = join(reports(), doc.jobId);
  const report = (path: string) => JSON.parse(readFileSync(join(folder, path), 'utf8')) as { run: number; status: string; error?: unknown };
  expect(readdirSync(join(folder, 'runs')).sort()).toEqual(['1', '2']);
  expect(report('runs/1/report.json')).toMatchObject({ run: 1, status: 'ERROR', error: doc.error });
  expect(readFileSync(join(folder, 'runs', '1', 'report.md'), 'utf8')).toContain('**Failed (BUBBLE_AUTH):** Bubble refused the API token');
  expect(report('runs/2/report.json')).toMatchObject({ run: 2, status: 'COMPLETED' });
  expect(report('report.json')).toEqual(report('runs/2/report.json'));

  const text = await p.cli(['jobs', '--limit', '1']);
  expect(text.code).toBe(0);
  expect(text.stdout.trimEnd().split('\n')).toEqual([
    expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  COMPLETED  full .* records  ${doc.jobId}$`)),
  ]);
  expect((await p.cli(['jobs', '--limit', 'none'])).code).toBe(2);
});
