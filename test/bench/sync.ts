/**
 * Sync speed against its bounds. Every ratio is measured in the same run, runs interleaved and repeated
 * (BENCH_REPEAT, default 3), minimum and median printed:
 *
 * 1. Defaults at the rate bound: 10,000 sample-app records, ~300 ms per call, no SYNC_CONCURRENCY, the
 *    default 600 requests/min — elapsed ÷ the bound, counted in pages the data needs (⌈records/100⌉ per
 *    type) at 10 requests/s. Into PGlite (the default database) and PostgreSQL.
 * 2. Speed-up: 6,000 records at 150 ms per call, no rate cap, SYNC_CONCURRENCY 1 vs 8; and 8 under
 *    600 requests/min against that bound.
 * 3. Writes: 50,000 records, no latency, no rate cap, SYNC_CONCURRENCY=8 — the sync against a hand-tuned
 *    script written here (offset pages fetched 8 at a time, one bulk upsert per page, no state) and
 *    against fetching the same pages and COPYing the rows (the ceiling), into PostgreSQL with its normal
 *    durability settings and into PGlite.
 *
 * The fake app runs in this process for every contender alike. `--records N` scales scenario 3.
 */
import pg from 'pg';
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { PgliteDb } from '../../runtime/db/pglite.js';
import { compileConverter } from '../../runtime/convert/index.js';
import type { BubbleClient } from '../../runtime/bubble/index.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb, type RunSyncOptions } from '../../runtime/sync/runner.js';
import type { FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { Manifest, ManifestType } from '../../core/manifest/schema.js';
import { createSchema } from '../sync/support/schema.js';
import { client, startSampleApp } from '../sync/support/sample-project.js';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

type Target = 'postgres' | 'pglite';

interface Env {
  cluster: { url: string; dataDir: string };
  n: number;
}

async function freshDb(env: Env, target: Target, manifest: Manifest): Promise<Db> {
  let db: Db;
  if (target === 'pglite') {
    db = await openDb({ pgliteDir: ':memory:' });
  } else {
    const name = `bench_${process.pid}_${++env.n}`;
    const admin = new pg.Client({ connectionString: env.cluster.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(env.cluster.url);
    url.pathname = `/${name}`;
    db = await openDb({ databaseUrl: url.toString() });
  }
  await createSchema(db, manifest);
  return db;
}

/** Pages the data needs: ⌈records/100⌉ per type, the fewest requests any reader of this app can make. */
function pagesNeeded(fake: FakeBubble, manifest: Manifest): number {
  return manifest.types.reduce((s, t) => s + Math.ceil(fake.count(t.name) / 100), 0);
}

async function syncOnce(
  env: Env,
  target: Target,
  fake: FakeBubble,
  manifest: Manifest,
  options: RunSyncOptions,
  inFlight: number,
): Promise<{ seconds: number; requests: number }> {
  const db = await freshDb(env, target, manifest);
  try {
    const before = fake.log.length;
    const rpm = options.rateLimitRpm ?? 600;
    const { result, error } = await runSyncOnDb(
      db,
      manifest,
      { mode: 'full', reportDir: false, ...options },
      { source: pageSourceFromClient(client(fake, rpm, inFlight)) },
    );
    if (error) throw error;
    return { seconds: result.durationMs / 1000, requests: fake.log.length - before };
  } finally {
    await db.close();
  }
}

/** The hand-tuned script: offset pages 8 at a time, per page one bulk upsert of the converted rows; no state. */
async function handTuned(db: Db, api: BubbleClient, manifest: Manifest, copy: boolean): Promise<void> {
  for (const type of manifest.types) {
    const convert = compileConverter(type);
    const write = copy ? copyWriter(db, type) : upsertWriter(type);
    for (let offset = 0, done = false; !done; offset += 800) {
      const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => api.page(type.name, { cursor: offset + i * 100, limit: 100 })));
      for (const page of pages) {
        if (page.results.length === 0) continue;
        const rows = page.results.map((r) => ({ record: r, converted: convert.convert(r) }));
        await write(db, rows);
      }
      done = pages.some((p) => p.results.length < 100 || (p.remaining ?? 0) === 0);
    }
  }
}

type Row = { record: Record<string, unknown>; converted: ReturnType<ReturnType<typeof compileConverter>['convert']> };

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  return v ?? null;
}

/** One statement per page: the rows as one JSON parameter, unpacked and cast by PostgreSQL. */
function upsertWriter(type: ManifestType): (db: Db, rows: Row[]) => Promise<void> {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const s = type.standard;
  const expr = type.columns.map((c, i) => {
    const v = `r->'c${i}'`;
    if (c.list)
      return `CASE WHEN jsonb_typeof(${v}) = 'array' THEN ARRAY(SELECT x::${c.pgType.replace(/\[\]$/, '')} FROM jsonb_array_elements_text(${v}) x) END`;
    if (c.kind === 'json') return v;
    return `(r->>'c${i}')::${c.pgType}`;
  });
  const cols = [s.bubbleId, s.bubbleCreatedAt, s.bubbleModifiedAt, s.raw, ...type.columns.map((c) => c.column)].map(q);
  const sql = `INSERT INTO ${q(type.table)} (${cols.join(', ')})
    SELECT r->>'id', (r->>'created')::timestamptz, (r->>'modified')::timestamptz, r->'raw', ${expr.join(', ')}
      FROM jsonb_array_elements($1::jsonb) r
    ON CONFLICT (${q(s.bubbleId)}) DO UPDATE SET ${cols
      .slice(1)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ')}`;
  return async (db, rows) => {
    const payload = rows.map(({ record, converted }) => {
      const o: Record<string, unknown> = {
        id: converted.bubbleId,
        created: jsonValue(converted.createdAt),
        modified: jsonValue(converted.modifiedAt),
        raw: record,
      };
      converted.values.forEach((v, i) => (o[`c${i}`] = jsonValue(v)));
      return o;
    });
    await db.execute(sql, [JSON.stringify(payload)]);
  };
}

/** COPY of the same rows (no upsert possible): the ceiling. PGlite has no COPY FROM STDIN here: skipped. */
function copyWriter(db: Db, type: ManifestType): (db: Db, rows: Row[]) => Promise<void> {
  if (db instanceof PgliteDb) throw new Error('COPY baseline is PostgreSQL only');
  const s = type.standard;
  const q = (x: string) => `"${x.replace(/"/g, '""')}"`;
  const cols = [s.bubbleId, s.bubbleCreatedAt, s.bubbleModifiedAt, s.raw, ...type.columns.map((c) => c.column)].map(q).join(', ');
  const esc = (v: string | null): string =>
    v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
  const text = (v: unknown, list: boolean, json: boolean): string | null => {
    if (v === null || v === undefined) return null;
    if (json) return JSON.stringify(v);
    if (list) return `{${(v as unknown[]).map((x) => `"${String(jsonValue(x)).replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
    return String(jsonValue(v));
  };
  return async (target, rows) => {
    const lines = rows.map(({ record, converted }) =>
      [
        converted.bubbleId,
        text(converted.createdAt, false, false),
        text(converted.modifiedAt, false, false),
        JSON.stringify(record),
        ...type.columns.map((c, i) => text(converted.values[i], c.list, c.kind === 'json')),
      ]
        .map((x) => esc(x))
        .join('\t'),
    );
    const pool = (target as unknown as { pool: pg.Pool }).pool;
    const conn = await pool.connect();
    try {
      await copyFrom(conn, `COPY ${q(type.table)} (${cols}) FROM STDIN`, Buffer.from(`${lines.join('\n')}\n`));
    } finally {
      conn.release();
    }
  };
}

function copyFrom(client: pg.PoolClient, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: Error | null = null;
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        connection.sendCopyFromChunk(data);
        connection.endCopyFrom();
      },
      handleCommandComplete() {},
      handleError(err: Error) {
        failed = err;
      },
      handleReadyForQuery() {
        if (failed) reject(failed);
        else resolve();
      },
    };
    (client as unknown as { query(s: unknown): void }).query(submittable);
  });
}

async function baselineOnce(env: Env, target: Target, fake: FakeBubble, manifest: Manifest, copy: boolean): Promise<number> {
  const db = await freshDb(env, target, manifest);
  try {
    const started = process.hrtime.bigint();
    await handTuned(db, client(fake, 0, 8), manifest, copy);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await db.close();
  }
}

function stats(xs: number[]): { min: number; median: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
}
const f = (x: number, d = 2): string => x.toFixed(d);

export async function run(opts: { records?: number }): Promise<string> {
  const cluster = await startCluster({ durable: true });
  const env: Env = { cluster, n: 0 };
  const out: string[] = [
    `## Sync speed against its bounds (min / median of ${REPEAT} interleaved runs; fake app in this process)`,
    '',
    'Command: `npm run bench -- --only sync [--records N]` (`BENCH_REPEAT=n` for more runs).',
    '',
  ];
  try {
    // 1. Defaults at the rate bound.
    {
      const { fake, manifest } = await startSampleApp({ records: 10_000, latencyMs: 270, jitterMs: 60 });
      try {
        const bound = pagesNeeded(fake, manifest) / 10;
        const runs: Record<Target, number[]> = { pglite: [], postgres: [] };
        const requests: number[] = [];
        for (let r = 0; r < REPEAT; r++) {
          for (const target of ['pglite', 'postgres'] as const) {
            const m = await syncOnce(env, target, fake, manifest, {}, 16);
            runs[target].push(m.seconds);
            requests.push(m.requests);
          }
        }
        out.push(
          '### 1. Default settings at the rate bound',
          '',
          `10,000 records, ~300 ms per call (270 + 0–60 jitter), no SYNC_CONCURRENCY, 600 requests/min. Pages the data needs: ${pagesNeeded(fake, manifest)}; bound ${f(bound, 1)} s. Requests made per run: ${stats(requests).min}–${Math.max(...requests)}.`,
          '',
          '| database | elapsed s (min / median) | ÷ bound (min / median) |',
          '|---|---:|---:|',
        );
        for (const target of ['pglite', 'postgres'] as const) {
          const s = stats(runs[target]);
          out.push(
            `| ${target === 'pglite' ? 'PGlite (default)' : 'PostgreSQL'} | ${f(s.min, 1)} / ${f(s.median, 1)} | ${f(s.min / bound)} / ${f(s.median / bound)} |`,
          );
        }
        out.push('');
      } finally {
        await fake.close();
      }
    }
    // 2. Speed-up.
    {
      const { fake, manifest } = await startSampleApp({ records: 6_000, latencyMs: 150 });
      try {
        const bound = pagesNeeded(fake, manifest) / 10;
        const one: number[] = [];
        const eight: number[] = [];
        const capped: number[] = [];
        for (let r = 0; r < REPEAT; r++) {
          one.push((await syncOnce(env, 'postgres', fake, manifest, { concurrency: 1, rateLimitRpm: 0 }, 1)).seconds);
          eight.push((await syncOnce(env, 'postgres', fake, manifest, { concurrency: 8, rateLimitRpm: 0 }, 8)).seconds);
          capped.push((await syncOnce(env, 'postgres', fake, manifest, { concurrency: 8, rateLimitRpm: 600 }, 8)).seconds);
        }
        const s1 = stats(one);
        const s8 = stats(eight);
        const sc = stats(capped);
        out.push(
          '### 2. Speed-up',
          '',
          `6,000 records at 150 ms per call into PostgreSQL. Pages the data needs: ${pagesNeeded(fake, manifest)}.`,
          '',
          '| run | elapsed s (min / median) | ratio |',
          '|---|---:|---:|',
          `| SYNC_CONCURRENCY=1, no cap | ${f(s1.min)} / ${f(s1.median)} | 1 |`,
          `| SYNC_CONCURRENCY=8, no cap | ${f(s8.min)} / ${f(s8.median)} | speed-up ${f(s1.min / s8.min)}× / ${f(s1.median / s8.median)}× |`,
          `| SYNC_CONCURRENCY=8, 600 requests/min | ${f(sc.min)} / ${f(sc.median)} | ${f(sc.min / bound)} / ${f(sc.median / bound)} × the ${f(bound, 1)} s bound |`,
          '',
        );
      } finally {
        await fake.close();
      }
    }
    // 3. Writes.
    {
      const records = opts.records ?? 50_000;
      const { fake, manifest } = await startSampleApp({ records, latencyMs: 0 });
      try {
        const rows: Array<[string, Record<string, number[]>]> = [];
        for (const target of ['postgres', 'pglite'] as const) {
          const runs: Record<string, number[]> = { sync: [], script: [], copy: [] };
          for (let r = 0; r < REPEAT; r++) {
            runs.sync!.push((await syncOnce(env, target, fake, manifest, { concurrency: 8, rateLimitRpm: 0 }, 8)).seconds);
            runs.script!.push(await baselineOnce(env, target, fake, manifest, false));
            if (target === 'postgres') runs.copy!.push(await baselineOnce(env, target, fake, manifest, true));
          }
          rows.push([target, runs]);
        }
        out.push(
          '### 3. Writes',
          '',
          `${records.toLocaleString('en-US')} records, no latency, no rate cap, SYNC_CONCURRENCY=8 (the script fetches 8 pages at a time too).`,
          '',
          '| database | sync s (min / median) | hand-tuned script s | fetch + COPY s | sync ÷ script | sync ÷ COPY | sync records/s |',
          '|---|---:|---:|---:|---:|---:|---:|',
        );
        for (const [target, runs] of rows) {
          const s = stats(runs.sync!);
          const b = stats(runs.script!);
          const c = runs.copy!.length > 0 ? stats(runs.copy!) : null;
          out.push(
            `| ${target} | ${f(s.min)} / ${f(s.median)} | ${f(b.min)} / ${f(b.median)} | ${c ? `${f(c.min)} / ${f(c.median)}` : '–'} | ${f(s.min / b.min)} / ${f(s.median / b.median)} | ${c ? `${f(s.min / c.min)} / ${f(s.median / c.median)}` : '–'} | ${(records / s.min).toFixed(0)} |`,
          );
        }
      } finally {
        await fake.close();
      }
    }
  } finally {
    stopCluster(cluster.dataDir);
  }
  return out.join('\n');
}
