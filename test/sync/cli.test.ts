/**
 * `bubble-runtime sync` and `status` as a user runs them (the compiled bin, a project folder with a
 * `generator bubble` block and its manifest, DATABASE_URL on PostgreSQL, the fake app over HTTP):
 * exit codes and the one-document `--json` contract.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncResult } from '../../runtime/api.js';
import { cliProject, collect, until, type CliProject } from './support/cli-project.js';

let p: CliProject;

beforeAll(async () => {
  p = await cliProject({ records: 300, latencyMs: 1 });
});

afterAll(async () => {
  await p.close();
});

test('sync --json prints one document; status --json prints the same shape; a re-run is incremental', async () => {
  const first = await p.cli(['sync', '--json']);
  expect(first.code).toBe(0);
  const result = JSON.parse(first.stdout) as SyncResult;
  expect(Object.keys(result).sort()).toEqual(['durationMs', 'jobId', 'mode', 'status', 'tables']);
  expect(result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
  expect(Object.keys(result.tables[0]!).sort()).toEqual([
    'durationMs',
    'heldBack',
    'pages',
    'rawOnly',
    'records',
    'rejected',
    'softDeleted',
    'status',
    'table',
    'type',
  ]);
  expect(result.tables.map((t) => t.records)).toEqual(p.manifest.types.map((t) => p.fake.count(t.name)));
  expect(first.stdout + first.stderr).not.toContain(p.fake.token);
  // The run report, beside the project (./.bubble/reports/<job>/), without the token.
  const reports = join(p.dir, '.bubble', 'reports');
  const folder = readdirSync(reports).find((d) => d.includes(result.jobId))!;
  expect(folder).toBeDefined();
  for (const file of ['report.json', 'report.md', 'report.svg']) expect(existsSync(join(reports, folder, file))).toBe(true);
  expect(readFileSync(join(reports, folder, 'report.json'), 'utf8')).not.toContain(p.fake.token);
  expect(first.stderr).toContain(`Report: ${join(reports, folder)}`);

  const status = await p.cli(['status', result.jobId, '--json']);
  expect(status.code).toBe(0);
  const shown = JSON.parse(status.stdout) as SyncResult;
  expect({ ...shown, durationMs: 0, tables: shown.tables.map((t) => ({ ...t, durationMs: 0 })) }).toEqual({
    ...result,
    durationMs: 0,
    tables: result.tables.map((t) => ({ ...t, durationMs: 0 })),
  });

  const again = await p.cli(['sync', '--json', '--types', p.manifest.types[0]!.name]);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({
    mode: 'incremental',
    status: 'COMPLETED',
    tables: [{ type: p.manifest.types[0]!.name, records: 0 }],
  });
});

test('bad flags are usage errors (exit 2); an unknown job is a clear error', async () => {
  expect((await p.cli(['sync', '--mode', 'sideways'])).code).toBe(2);
  const unknown = await p.cli(['sync', '--types', 'nosuchtype']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown Bubble type "nosuchtype"/);
  const cancel = await p.cli(['sync', '--cancel', 'no-such-job']);
  expect(cancel.code).toBe(2);
  expect(cancel.stderr).toMatch(/No sync job with id "no-such-job"/);
});

test('SIGTERM (cron, systemd, containers) stops after the pages already fetched commit, exits 1 saying how to resume, and the next sync resumes the same job', async () => {
  p.fake.faults.clear();
  // Slow answers from the third request on keep the run going long enough to be stopped mid-table.
  p.fake.faults.slow(300, { skip: 2, times: 1000 });
  const before = p.fake.log.length;
  const child = p.start(['sync', '--mode', 'full', '--json']);
  const { out, closed: exited } = collect(child);
  await until(() => p.fake.log.length >= before + 3);
  child.kill('SIGTERM');
  const code = await exited;
  p.fake.faults.clear();

  expect(code).toBe(1);
  expect(out.stderr).toMatch(/was interrupted; the pages fetched before the stop are committed/);
  expect(out.stderr).toMatch(/Run sync again \(or sync --resume\) to continue/);
  const stopped = JSON.parse(out.stdout) as SyncResult;
  expect(stopped.status).not.toBe('COMPLETED');

  const resumed = await p.cli(['sync', '--json']);
  expect(resumed.code).toBe(0);
  const result = JSON.parse(resumed.stdout) as SyncResult;
  expect(result).toMatchObject({ jobId: stopped.jobId, mode: 'full', status: 'COMPLETED' });
});
