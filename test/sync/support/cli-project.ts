/**
 * A project folder as a user has it for `bubble-runtime sync`: a `generator bubble` block, the manifest
 * the generator wrote for the sample app, the sample app served by the fake Data API, and a PostgreSQL
 * database with the generated tables. `cli()` runs the compiled bin there and collects what it printed.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FakeBubble, FakeBubbleOptions } from '../../../runtime/fake-bubble/index.js';
import type { Manifest } from '../../../core/manifest/schema.js';
import { openDb } from '../../../runtime/db/open.js';
import type { Db } from '../../../runtime/db/types.js';
import type { BubbleRecord } from '../../../runtime/sync/ports.js';
import { createTestDatabase } from '../../support/database.js';
import { mismatches } from './compare.js';
import { startSampleApp } from './sample-project.js';
import { createSchema } from './schema.js';

export const bin = resolve('dist/runtime/cli/bin.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running command's output so far, and its exit code once its streams closed. */
export interface Collected {
  out: { stdout: string; stderr: string };
  closed: Promise<number | null>;
}

export function collect(child: ChildProcessWithoutNullStreams): Collected {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { out, closed: new Promise((done) => child.on('close', (code) => done(code))) };
}

export interface CliProject {
  dir: string;
  fake: FakeBubble;
  manifest: Manifest;
  databaseUrl: string;
  /** DATABASE_URL, the fake app's URL and token, SYNC_CONCURRENCY=3, no rate cap. */
  env: NodeJS.ProcessEnv;
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** The command as a child process still running (for signals). */
  start(args: string[], env?: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams;
  /** Differences between the database and the app, every type (empty when equal). */
  differences(): Promise<string[]>;
  close(): Promise<void>;
}

export async function cliProject(options: FakeBubbleOptions & { serverUrl?: string }): Promise<CliProject> {
  const { serverUrl, ...appOptions } = options;
  const { fake, manifest } = await startSampleApp(appOptions);
  const dir = mkdtempSync(join(tmpdir(), 'sync-cli-'));
  mkdirSync(join(dir, 'prisma'));
  mkdirSync(join(dir, 'generated'));
  writeFileSync(
    join(dir, 'prisma', 'schema.prisma'),
    'datasource db {\n  provider = "postgresql"\n}\n\ngenerator bubble {\n  provider = "prisma-generator-bubble"\n  output   = "../generated"\n}\n',
  );
  writeFileSync(join(dir, 'generated', 'bubble-manifest.json'), JSON.stringify(manifest));
  const database = await createTestDatabase('synccli', serverUrl);
  await withDb(database.url, (db) => createSchema(db, manifest));
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    BUBBLE_APP_URL: fake.url,
    BUBBLE_API_TOKEN: fake.token,
    SYNC_CONCURRENCY: '3',
    SYNC_RATE_LIMIT_RPM: '0',
  };
  const args = (list: string[]) => [bin, ...list, '--schema', 'prisma'];
  return {
    dir,
    fake,
    manifest,
    databaseUrl: database.url,
    env,
    async cli(list, extra = {}) {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, args(list), { cwd: dir, env: { ...env, ...extra } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    start: (list, extra = {}) => spawn(process.execPath, args(list), { cwd: dir, env: { ...env, ...extra } }),
    differences: () =>
      withDb(database.url, async (db) => {
        const each = manifest.types.map((t) => mismatches(db, manifest, t.name, [...fake.allRecords(t.name)] as BubbleRecord[]));
        return (await Promise.all(each)).flat();
      }),
    async close() {
      await fake.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb({ databaseUrl: url });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Waits for something another process does (the fake app sees its requests), polling briefly. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 5));
}
