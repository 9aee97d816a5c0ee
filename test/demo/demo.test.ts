/**
 * `bubble-runtime demo` end to end: the sample app synced into the demo's PGlite equals the app (after
 * the first, full run and after the second, incremental one); `--json` matches the database; the
 * report is written and its SVG is well-formed; `status` reads a finished job (PGlite) and a running
 * one (PostgreSQL, from another process); the token appears nowhere.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeBubble } from '../../runtime/fake-bubble/index.js';
import type { ProgressEvent, SyncResult } from '../../runtime/api.js';
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { applyDemoRounds } from '../../runtime/demo/changes.js';
import { runDemo, type DemoOutcome } from '../../runtime/demo/run.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { resolveSchema } from '../../runtime/project/schema.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import type { PageSource } from '../../runtime/sync/ports.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { createTestDatabase } from '../support/database.js';
import { mismatches } from '../sync/support/compare.js';
import { checkXml } from '../report/xml.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'dist', 'runtime', 'cli', 'bin.js');
const TOKEN = 'demo-secret-0f9e8d7c6b5a';
const RECORDS = 400;
const SEED = 1;

/** Every file under `dir`, as bytes. */
async function allFiles(dir: string): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push([path, await readFile(path)]);
  }
  return out;
}

/** The database minus the sample app as it stands after `rounds` demo rounds: [] when equal. */
async function differences(outcome: DemoOutcome, rounds: number): Promise<string[]> {
  const app = await startFakeBubble({ seed: SEED, records: RECORDS, token: 'unused' });
  const db = await openDb({ pgliteDir: outcome.layout.database });
  try {
    applyDemoRounds(app, rounds);
    const problems: string[] = [];
    for (const type of outcome.manifest.types) {
      problems.push(...(await mismatches(db, outcome.manifest, type.name, [...app.allRecords(type.name)] as never)));
    }
    return problems;
  } finally {
    await db.close();
    await app.close();
  }
}

describe('bubble-runtime demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ux-demo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('first run: a full sync equal to the sample app; second run: incremental, still equal; report and status', async () => {
    const events: ProgressEvent[] = [];
    const first = await runDemo({
      dir,
      records: RECORDS,
      latencyMs: 0,
      concurrency: 2,
      rateLimitRpm: 0,
      seed: SEED,
      token: TOKEN,
      onProgress: (e) => events.push(e),
    });
    expect(first.error).toBeNull();
    expect(first.run).toBe(1);
    expect(first.result).toMatchObject({ mode: 'full', status: 'COMPLETED' });
    expect(first.result.tables.reduce((s, t) => s + t.records, 0)).toBe(RECORDS);
    expect(await differences(first, 0)).toEqual([]);
    expect(events[0]?.kind).toBe('job-start');
    expect(events.at(-1)?.kind).toBe('job-done');

    // The run report: three files, a well-formed chart that names every table.
    expect(first.written?.dir).toBe(join(dir, '.bubble', 'reports', first.result.jobId));
    const svg = await readFile(first.written!.svg, 'utf8');
    expect(checkXml(svg).errors).toEqual([]);
    for (const t of first.result.tables) expect(svg).toContain(`>${t.table}</text>`);
    const md = await readFile(first.written!.markdown, 'utf8');
    expect(md).toContain(`| Records | ${RECORDS}`);
    expect(JSON.parse(await readFile(first.written!.json, 'utf8'))).toMatchObject({
      jobId: first.result.jobId,
      metrics: { recordsProcessed: RECORDS, apiCallSource: 'client' },
    });

    const second = await runDemo({ dir, records: RECORDS, latencyMs: 0, concurrency: 2, rateLimitRpm: 0, seed: SEED, token: TOKEN });
    expect(second.error).toBeNull();
    expect(second.run).toBe(2);
    const counts = first.result.tables.map((t) => Math.min(3, t.records) + 2);
    expect(second.changes).toMatchObject({ modified: counts.reduce((a, b) => a + b, 0) - 14, inserted: 14 });
    expect(second.result).toMatchObject({ mode: 'incremental', status: 'COMPLETED' });
    // Exactly the changed records were read: up to 3 edits and 2 inserts in each of the 7 types.
    expect(second.result.tables.map((t) => t.records)).toEqual(counts);
    expect(await differences(second, 1)).toEqual([]);

    // status, from inside the sample project, reads the finished job from its PGlite database.
    const { stdout } = await run(process.execPath, [BIN, 'status', '--json'], {
      cwd: first.layout.project,
      env: { ...process.env, DATABASE_URL: '' },
    });
    const status = JSON.parse(stdout) as SyncResult;
    expect(status).toMatchObject({ jobId: second.result.jobId, mode: 'incremental', status: 'COMPLETED' });
    expect(status.tables.map((t) => [t.type, t.records, t.status])).toEqual(
      second.result.tables.map((t) => [t.type, t.records, 'COMPLETED']),
    );

    // The token is in no file the demo left behind (reports, dictionary, schema, manifest, database).
    for (const [path, bytes] of await allFiles(dir)) {
      expect([path, bytes.includes(TOKEN)]).toEqual([path, false]);
    }
  });

  test('the mirror reads without code: query --json, and psql through serve-db (which holds the database)', async () => {
    const project = join(dir, '.bubble', 'demo');
    const env = { ...process.env, DATABASE_URL: '', NO_COLOR: '1' };
    const count = async (): Promise<number> => {
      const { stdout } = await run(
        process.execPath,
        [BIN, 'query', '--json', 'SELECT count(*)::int AS n FROM "invoice" WHERE NOT "_is_deleted"'],
        { cwd: project, env },
      );
      return (JSON.parse(stdout) as Array<{ n: number }>)[0]!.n;
    };
    const invoices = await count();
    const app = await startFakeBubble({ seed: SEED, records: RECORDS, token: 'unused' });
    applyDemoRounds(app, 1);
    expect(invoices).toBe(app.count('invoice'));
    await app.close();

    const server = spawn(process.execPath, [BIN, 'serve-db', '--port', '0'], { cwd: project, env });
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /psql "([^"]+)"/.exec(out);
          if (found) resolve(found[1]!);
        });
        server.once('exit', () => reject(new Error(`serve-db exited: ${out}`)));
      });
      const { stdout } = await run('psql', [url, '-At', '-c', 'SELECT count(*) FROM "invoice" WHERE NOT "_is_deleted"']);
      expect(Number(stdout.trim())).toBe(invoices);
      // While it serves, the folder is held: another command is refused rather than opening a second PGlite.
      await expect(count()).rejects.toMatchObject({ stderr: expect.stringContaining('is in use by process') });
    } finally {
      server.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(await count()).toBe(invoices);
  });

  test('--json prints one document that matches the database', async () => {
    const jsonDir = await mkdtemp(join(tmpdir(), 'ux-demo-json-'));
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [BIN, 'demo', '--records', '300', '--latency', '0', '--json', '--dir', jsonDir],
        {
          env: { ...process.env, SYNC_RATE_LIMIT_RPM: '0', NO_COLOR: '1' },
        },
      );
      expect(stdout.trim().split('\n')).toHaveLength(1);
      const doc = JSON.parse(stdout) as SyncResult & { demo: { run: number; report: string; database: string } };
      expect(doc).toMatchObject({ mode: 'full', status: 'COMPLETED', demo: { run: 1 } });
      expect(stderr).toBe('');
      const db: Db = await openDb({ pgliteDir: join(jsonDir, '.bubble', 'demo', '.bubble', 'pglite') });
      try {
        for (const t of doc.tables) {
          const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.table}" WHERE NOT "_is_deleted"`);
          expect([t.table, row?.n]).toEqual([t.table, t.records]);
        }
        const [job] = await db.query<{ status: string }>('SELECT status::text AS status FROM sync_jobs WHERE id = $1', [doc.jobId]);
        expect(job?.status).toBe('COMPLETED');
      } finally {
        await db.close();
      }
      expect((await stat(join(jsonDir, '.bubble', 'reports', doc.jobId, 'report.svg'))).size).toBeGreaterThan(0);
    } finally {
      await rm(jsonDir, { recursive: true, force: true });
    }
  });

  test('status shows a job while another process runs it (PostgreSQL)', async () => {
    // The demo's sample project, then the same schema migrated into a PostgreSQL database.
    const projectDir = await mkdtemp(join(tmpdir(), 'ux-demo-pg-'));
    const pg = await createTestDatabase('ux_status');
    const app = await startFakeBubble({ seed: SEED, records: RECORDS, token: TOKEN });
    let db: Db | null = null;
    try {
      const demo = await runDemo({ dir: projectDir, records: 50, latencyMs: 0, rateLimitRpm: 0, seed: SEED, token: TOKEN });
      db = await openDb({ databaseUrl: pg.url });
      const location = await resolveSchema({ schema: demo.layout.schemaDir, cwd: demo.layout.project });
      await migrate({ db, schemaDir: location.schemaDir, files: location.files, migrationsDir: location.migrationsDir });

      // A page source that holds the third page until status has looked: no timing involved.
      const client = createBubbleClient({ appUrl: app.url, token: app.token, rateLimitRpm: 0, maxInFlight: 1, gate: createGate(0, 1) });
      const inner = pageSourceFromClient(client);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let reachedHold!: () => void;
      const atHold = new Promise<void>((resolve) => (reachedHold = resolve));
      let calls = 0;
      const source: PageSource = {
        ...inner,
        async fetchPage(type, request, signal) {
          calls += 1;
          if (calls === 3) {
            reachedHold();
            await held;
          }
          return inner.fetchPage(type, request, signal);
        },
      };
      const running = runSyncOnDb(db, demo.manifest, { concurrency: 1, reportDir: false }, { source });
      await atHold;
      const env = { ...process.env, DATABASE_URL: pg.url };
      const during = JSON.parse(
        (await run(process.execPath, [BIN, 'status', '--json'], { cwd: demo.layout.project, env })).stdout,
      ) as SyncResult;
      expect(during.status).toBe('RUNNING');
      expect(during.tables.some((t) => t.status === 'IN_PROGRESS')).toBe(true);
      expect(during.tables.some((t) => t.status === 'PENDING')).toBe(true);
      release();
      const { result, error } = await running;
      expect(error).toBeNull();
      const after = JSON.parse(
        (await run(process.execPath, [BIN, 'status', '--json', result.jobId], { cwd: demo.layout.project, env })).stdout,
      ) as SyncResult;
      expect(after).toMatchObject({ jobId: result.jobId, status: 'COMPLETED' });
      expect(after.tables.map((t) => [t.type, t.records])).toEqual(result.tables.map((t) => [t.type, t.records]));
      expect(during.jobId).toBe(result.jobId);
    } finally {
      await db?.close();
      await app.close();
      await pg.drop();
      await rm(projectDir, { recursive: true, force: true });
    }
  });
});
