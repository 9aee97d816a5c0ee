import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunReporter, reportFolderName } from '../../runtime/report/writer.js';
import { redactSecrets } from '../../core/redact.js';
import { checkXml } from './xml.js';

const TOKEN = 'tok_5ecret-Value/+=';

describe('report writer', () => {
  let dir: string;
  const saved = process.env.BUBBLE_API_TOKEN;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ux-report-'));
    process.env.BUBBLE_API_TOKEN = TOKEN;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.BUBBLE_API_TOKEN;
    else process.env.BUBBLE_API_TOKEN = saved;
    await rm(dir, { recursive: true, force: true });
  });

  test('writes report.json, report.md and report.svg under <dir>/<jobId>/ and never the token', async () => {
    let now = 1_700_000_000_000;
    const reporter = createRunReporter({
      reportDir: dir,
      clock: () => now,
      memory: () => 1,
      sampleEveryMs: 0,
      settings: { concurrency: 2, rateLimitRpm: 600 },
    });
    reporter.onProgress({ kind: 'job-start', jobId: 'job_abc', mode: 'full', types: ['user'], resumed: false });
    reporter.onProgress({ kind: 'table-start', type: 'user', table: 'user', total: 2 });
    now += 300;
    // A hostile app could echo the token back in an error; the report must still not carry it.
    reporter.onProgress({ kind: 'retry', type: 'user', reason: `401 for Bearer ${TOKEN} (${encodeURIComponent(TOKEN)})`, waitMs: 10 });
    reporter.collector.recordError(`failed with token ${TOKEN}`, 'user');
    now += 300;
    reporter.onProgress({ kind: 'page-done', type: 'user', records: 2, done: 2, total: 2, inFlight: 1, startedAt: now - 300 });
    reporter.onProgress({
      kind: 'table-done',
      result: {
        type: 'user',
        table: 'user',
        records: 2,
        pages: 1,
        durationMs: 600,
        status: 'COMPLETED',
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      },
    });
    reporter.onProgress({ kind: 'job-done', result: { jobId: 'job_abc', mode: 'full', status: 'COMPLETED', durationMs: 600, tables: [] } });
    const { report, written } = await reporter.finish();
    expect(written?.dir).toBe(join(dir, 'job_abc'));
    expect((await readdir(join(dir, 'job_abc'))).sort()).toEqual(['report.json', 'report.md', 'report.svg', 'runs']);
    expect(written?.runDir).toBe(join(dir, 'job_abc', 'runs', '1'));
    const json = await readFile(join(dir, 'job_abc', 'report.json'), 'utf8');
    const mdText = await readFile(join(dir, 'job_abc', 'report.md'), 'utf8');
    const svg = await readFile(join(dir, 'job_abc', 'report.svg'), 'utf8');
    for (const text of [json, mdText, svg]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(encodeURIComponent(TOKEN));
      expect(text).not.toContain('5ecret');
    }
    expect(json).toContain('[redacted]');
    expect(JSON.parse(json)).toMatchObject({ version: 1, jobId: 'job_abc', status: 'COMPLETED', metrics: { recordsProcessed: 2 } });
    expect(report.metrics.recordsProcessed).toBe(2);
    expect(checkXml(svg).errors).toEqual([]);
  });

  test("one folder per run: a resumed job's runs side by side, the failed run's cause kept, the job folder holding the latest", async () => {
    const runOf = async (status: 'ERROR' | 'COMPLETED', error?: { code: string; message: string; hint: string }) => {
      const reporter = createRunReporter({ reportDir: dir, memory: () => 1, sampleEveryMs: 0 });
      reporter.onProgress({ kind: 'job-start', jobId: 'job_r', mode: 'full', types: ['user'], resumed: status === 'COMPLETED' });
      reporter.onProgress({ kind: 'table-start', type: 'user', table: 'user', total: null });
      const table = {
        type: 'user',
        table: 'user',
        records: 0,
        pages: 0,
        durationMs: 5,
        status,
        rawOnly: 0,
        rejected: 0,
        softDeleted: 0,
        heldBack: 0,
      } as const;
      reporter.onProgress({
        kind: 'job-done',
        result: { jobId: 'job_r', mode: 'full', status, durationMs: 5, tables: [table], ...(error ? { error } : {}) },
      });
      return (await reporter.finish()).written!;
    };
    const failure = {
      code: 'BUBBLE_AUTH',
      message: 'Bubble refused the API token (HTTP 401) at https://app.test.',
      hint: 'Check BUBBLE_API_TOKEN.',
    };
    const failed = await runOf('ERROR', failure);
    const resumed = await runOf('COMPLETED');
    expect([failed.run, resumed.run]).toEqual([1, 2]);
    const read = async (path: string) =>
      JSON.parse(await readFile(path, 'utf8')) as {
        run: number;
        status: string;
        error?: unknown;
        metrics: { errorsEncountered: Array<{ message: string }> };
      };
    const first = await read(join(dir, 'job_r', 'runs', '1', 'report.json'));
    expect(first).toMatchObject({ run: 1, status: 'ERROR', error: failure });
    expect(first.metrics.errorsEncountered.map((e) => e.message)).toEqual([failure.message]);
    const firstMd = await readFile(join(dir, 'job_r', 'runs', '1', 'report.md'), 'utf8');
    expect(firstMd).toContain('**Failed (BUBBLE_AUTH):** Bubble refused the API token (HTTP 401)');
    expect(firstMd).toContain('→ Check BUBBLE_API_TOKEN.');
    const latest = await read(join(dir, 'job_r', 'report.json'));
    expect(latest).toMatchObject({ run: 2, status: 'COMPLETED' });
    expect(latest.error).toBeUndefined();
    expect(await readFile(join(dir, 'job_r', 'report.md'), 'utf8')).toBe(
      await readFile(join(dir, 'job_r', 'runs', '2', 'report.md'), 'utf8'),
    );
  });

  test('a job folder from before runs were numbered keeps its report as run 1', async () => {
    await mkdir(join(dir, 'job_old'), { recursive: true });
    await writeFile(join(dir, 'job_old', 'report.json'), '{"version":1,"jobId":"job_old","status":"ERROR"}\n');
    await writeFile(join(dir, 'job_old', 'report.md'), '# old\n');
    const reporter = createRunReporter({ reportDir: dir, memory: () => 1, sampleEveryMs: 0 });
    reporter.collector.startSync('job_old');
    const written = (await reporter.finish()).written!;
    expect(written.run).toBe(2);
    expect(JSON.parse(await readFile(join(dir, 'job_old', 'runs', '1', 'report.json'), 'utf8'))).toMatchObject({ status: 'ERROR' });
    expect(await readFile(join(dir, 'job_old', 'runs', '1', 'report.md'), 'utf8')).toBe('# old\n');
  });

  test('reportDir false writes nothing', async () => {
    const reporter = createRunReporter({ reportDir: false, sampleEveryMs: 0 });
    reporter.collector.startSync('j');
    expect((await reporter.finish()).written).toBeNull();
  });

  test('redact and folder names', () => {
    expect(redactSecrets('a secret1 b "secret1"', ['secret1'])).toBe('a [redacted] b "[redacted]"');
    expect(reportFolderName('../x/y z')).toBe('___x_y_z');
  });
});

describe('syncReporting: the report a sync session writes for its run', () => {
  const settings = {
    concurrency: null,
    rateLimitRpm: 600,
    maxOffset: 50_000,
    incrementalOverlapMs: 0,
    maxDeleteFraction: 0.1,
    allowMassDelete: false,
  };
  test('writes the report after a run, also after one that stopped mid-way, and only warns when it cannot', async () => {
    const { syncReporting } = await import('../../runtime/sync/reporting.js');
    const dir = await mkdtemp(join(tmpdir(), 'ux-with-'));
    const warnings: string[] = [];
    const warn = (m: string): void => void warnings.push(m);
    try {
      const seen: string[] = [];
      const base = { settings, database: 'pglite' as const, clientMetrics: () => undefined, appHost: 'app.example', warn };
      const ok = syncReporting({ ...base, reportDir: dir, onProgress: (e) => seen.push(e.kind) });
      ok.onProgress({ kind: 'job-start', jobId: 'job_ok', mode: 'full', types: [], resumed: false });
      ok.onProgress({ kind: 'job-done', result: { jobId: 'job_ok', mode: 'full', status: 'COMPLETED', durationMs: 1, tables: [] } });
      const done = await ok.finish();
      expect(seen).toEqual(['job-start', 'job-done']);
      expect(done?.written?.dir).toBe(join(dir, 'job_ok'));
      expect(done?.report.settings).toMatchObject({
        concurrency: 'adaptive',
        rateLimitRpm: 600,
        database: 'pglite',
        appHost: 'app.example',
      });

      const bad = syncReporting({ ...base, reportDir: dir });
      bad.onProgress({ kind: 'job-start', jobId: 'job_bad', mode: 'full', types: ['user'], resumed: false });
      await bad.finish();
      expect((await readdir(dir)).sort()).toEqual(['job_bad', 'job_ok']);
      expect(JSON.parse(await readFile(join(dir, 'job_bad', 'report.json'), 'utf8')).status).toBe('RUNNING');

      const file = join(dir, 'not-a-folder');
      await writeFile(file, '');
      const blocked = syncReporting({ ...base, reportDir: file });
      blocked.onProgress({ kind: 'job-start', jobId: 'job_x', mode: 'full', types: [], resumed: false });
      expect(await blocked.finish()).toBeNull();
      expect(warnings).toEqual([expect.stringContaining('The run report could not be written')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
