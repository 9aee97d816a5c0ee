/**
 * `bubble-runtime sync` and `status` as a user runs them (the compiled bin, a project folder with a
 * `generator bubble` block and its manifest, DATABASE_URL on PostgreSQL, the fake app over HTTP):
 * exit codes and the one-document `--json` contract.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/database.js';
import { openDb } from '../../runtime/db/open.js';
import type { FakeBubble } from '../../fixtures/fake-bubble/index.js';
import type { Manifest } from '../../generator/manifest/types.js';
import type { SyncResult } from '../../runtime/api.js';
import { createSchema } from './support/schema.js';
import { startSampleApp } from './support/sample-project.js';

const run = promisify(execFile);
const bin = resolve('dist/runtime/cli/bin.js');
let fake: FakeBubble;
let manifest: Manifest;
let project: string;
let env: NodeJS.ProcessEnv;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, manifest } = await startSampleApp({ records: 300, latencyMs: 1 }));
  project = mkdtempSync(join(tmpdir(), 'sync-cli-'));
  mkdirSync(join(project, 'prisma'));
  mkdirSync(join(project, 'generated'));
  writeFileSync(
    join(project, 'prisma', 'schema.prisma'),
    'datasource db {\n  provider = "postgresql"\n}\n\ngenerator bubble {\n  provider = "prisma-generator-bubble"\n  output   = "../generated"\n}\n',
  );
  writeFileSync(join(project, 'generated', 'bubble-manifest.json'), JSON.stringify(manifest));
  const database = await createTestDatabase('synccli');
  drop = database.drop;
  const db = await openDb({ databaseUrl: database.url });
  await createSchema(db, manifest);
  await db.close();
  env = { ...process.env, DATABASE_URL: database.url, BUBBLE_APP_URL: fake.url, BUBBLE_API_TOKEN: fake.token, SYNC_CONCURRENCY: '3', SYNC_RATE_LIMIT_RPM: '0' };
});

afterAll(async () => {
  await fake.close();
  await drop();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args, '--schema', 'prisma'], { cwd: project, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('sync --json prints one document; status --json prints the same shape; a re-run is incremental', async () => {
  const first = await cli(['sync', '--json']);
  expect(first.code).toBe(0);
  const result = JSON.parse(first.stdout) as SyncResult;
  expect(Object.keys(result).sort()).toEqual(['durationMs', 'jobId', 'mode', 'status', 'tables']);
  expect(result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
  expect(Object.keys(result.tables[0]!).sort()).toEqual(['durationMs', 'pages', 'rawOnly', 'records', 'rejected', 'softDeleted', 'status', 'table', 'type']);
  expect(result.tables.map((t) => t.records)).toEqual(manifest.types.map((t) => fake.count(t.name)));
  expect(first.stdout + first.stderr).not.toContain(fake.token);
  // The run report, beside the project (./.bubble/reports/<job>/), without the token.
  const reports = join(project, '.bubble', 'reports');
  const folder = readdirSync(reports).find((d) => d.includes(result.jobId))!;
  expect(folder).toBeDefined();
  for (const file of ['report.json', 'report.md', 'report.svg']) expect(existsSync(join(reports, folder, file))).toBe(true);
  expect(readFileSync(join(reports, folder, 'report.json'), 'utf8')).not.toContain(fake.token);
  expect(first.stderr).toContain(`Report: ${join(reports, folder)}`);

  const status = await cli(['status', result.jobId, '--json']);
  expect(status.code).toBe(0);
  const shown = JSON.parse(status.stdout) as SyncResult;
  expect({ ...shown, durationMs: 0, tables: shown.tables.map((t) => ({ ...t, durationMs: 0 })) }).toEqual({
    ...result, durationMs: 0, tables: result.tables.map((t) => ({ ...t, durationMs: 0 })),
  });

  const again = await cli(['sync', '--json', '--types', manifest.types[0]!.name]);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ mode: 'incremental', status: 'COMPLETED', tables: [{ type: manifest.types[0]!.name, records: 0 }] });
});

test('bad flags are usage errors (exit 2); an unknown job is a clear error', async () => {
  expect((await cli(['sync', '--mode', 'sideways'])).code).toBe(2);
  const unknown = await cli(['sync', '--types', 'nosuchtype']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown Bubble type "nosuchtype"/);
  const cancel = await cli(['sync', '--cancel', 'no-such-job']);
  expect(cancel.code).toBe(2);
  expect(cancel.stderr).toMatch(/No sync job with id "no-such-job"/);
});

test('SIGTERM (cron, systemd, containers) stops after the pages in flight commit, exits 1 saying how to resume, and the next sync resumes the same job', async () => {
  fake.faults.clear();
  // Slow answers from the third request on keep the run going long enough to be stopped mid-table.
  fake.faults.slow(300, { skip: 2, times: 1000 });
  const before = fake.log.length;
  const child = spawn(process.execPath, [bin, 'sync', '--mode', 'full', '--json', '--schema', 'prisma'], { cwd: project, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await until(() => fake.log.length >= before + 3);
  child.kill('SIGTERM');
  const code = await exited;
  fake.faults.clear();

  expect(code).toBe(1);
  expect(stderr).toMatch(/was interrupted after its in-flight pages committed/);
  expect(stderr).toMatch(/Run sync again \(or sync --resume\) to continue/);
  const stopped = JSON.parse(stdout) as SyncResult;
  expect(stopped.status).not.toBe('COMPLETED');

  const resumed = await cli(['sync', '--json']);
  expect(resumed.code).toBe(0);
  const result = JSON.parse(resumed.stdout) as SyncResult;
  expect(result).toMatchObject({ jobId: stopped.jobId, mode: 'full', status: 'COMPLETED' });
});

/** Waits for a condition the test cannot be told about (another process's progress), polling briefly. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
