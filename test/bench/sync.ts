/**
 * Sync benchmark: records/s for a full sync of the sample app into PostgreSQL through the fake Bubble
 * server (300 ms per request) at SYNC_CONCURRENCY 1, 3 and 8 with no rate cap, then at 8 pages in flight
 * under 1,000 requests/min against the lower bound that rate allows; resident memory sampled while the
 * record count grows. `--records N` (opts.records) for a quick run; default 100,000.
 */
import pg from 'pg';
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { openDb } from '../../runtime/db/open.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { PAGE_STEP } from '../../runtime/sync/keyset.js';
import { createSchema } from '../sync/support/schema.js';
import { client, startSampleApp } from '../sync/support/sample-project.js';

interface Measured {
  label: string;
  concurrency: number;
  rpm: number;
  records: number;
  requests: number;
  seconds: number;
  memory: Array<{ done: number; rssMb: number }>;
}

export async function run(opts: { records?: number }): Promise<string> {
  const records = opts.records ?? 100_000;
  const cluster = await startCluster();
  const { fake, manifest } = await startSampleApp({ records, latencyMs: 300 });
  const measured: Measured[] = [];
  let n = 0;
  try {
    const once = async (label: string, concurrency: number, rpm: number): Promise<Measured> => {
      const name = `bench_sync_${++n}`;
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(cluster.url);
      url.pathname = `/${name}`;
      const db = await openDb({ databaseUrl: url.toString() });
      try {
        await createSchema(db, manifest);
        const before = fake.log.filter((r) => r.kind === 'list').length;
        const memory: Measured['memory'] = [];
        let nextSample = 0;
        const started = process.hrtime.bigint();
        const { result, error } = await runSyncOnDb(
          db,
          manifest,
          {
            mode: 'full', concurrency, rateLimitRpm: rpm, reportDir: false,
            onProgress: (e) => {
              if (e.kind !== 'page-done') return;
              const done = (memory.at(-1)?.done ?? 0) + e.records;
              if (done >= nextSample) {
                memory.push({ done, rssMb: process.memoryUsage().rss / 2 ** 20 });
                nextSample = done + Math.max(1, Math.floor(records / 8));
              } else {
                memory.push({ done, rssMb: memory.at(-1)!.rssMb });
                memory.splice(memory.length - 2, 1);
              }
            },
          },
          { source: pageSourceFromClient(client(fake, rpm, concurrency)) },
        );
        if (error) throw error;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const total = result.tables.reduce((s, t) => s + t.records, 0);
        const m = { label, concurrency, rpm, records: total, requests: fake.log.filter((r) => r.kind === 'list').length - before, seconds, memory };
        measured.push(m);
        return m;
      } finally {
        await db.close();
      }
    };
    for (const c of [1, 3, 8]) await once(`SYNC_CONCURRENCY=${c}, no rate cap`, c, 0);
    await once('SYNC_CONCURRENCY=8, 1,000 requests/min', 8, 1000);
  } finally {
    await fake.close();
    stopCluster(cluster.dataDir);
  }

  const base = measured[0]!;
  const lines = [
    `## Sync (${records.toLocaleString('en-US')} sample-app records, fake Bubble at 300 ms per request, PostgreSQL 15)`,
    '',
    'Command: `npm run bench -- --only sync [--records N]`. Full sync of all seven types; pages of 100 records stepping 99 (one-record overlap).',
    '',
    '| run | records | requests | elapsed s | records/s | speed-up vs 1 | lower bound s (rate) | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of measured) {
    const bound = m.rpm > 0 ? ((m.requests - 1) * 60) / m.rpm : null;
    lines.push(
      `| ${m.label} | ${m.records} | ${m.requests} | ${m.seconds.toFixed(1)} | ${(m.records / m.seconds).toFixed(0)} | ${(base.seconds / m.seconds).toFixed(2)}× | ${bound === null ? '–' : `${bound.toFixed(1)} (elapsed ${(m.seconds / bound).toFixed(2)}× bound)`} | ${Math.max(...m.memory.map((s) => s.rssMb)).toFixed(0)} |`,
    );
  }
  const c8 = measured[2]!;
  lines.push(
    '',
    `Ideal page-parallel speed-up at 300 ms latency is linear: measured ${(base.seconds / measured[1]!.seconds).toFixed(2)}× at 3 and ${(base.seconds / c8.seconds).toFixed(2)}× at 8 in flight (ratio to ideal ${((base.seconds / c8.seconds) / 8).toFixed(2)}).`,
    `Minimum request count for this data: ${manifest.types.map((t) => Math.ceil(Math.max(1, fake.count(t.name) - 1) / PAGE_STEP)).reduce((a, b) => a + b, 0)} (+1 per table when a count is a multiple of the step).`,
    '',
    `Resident memory during the SYNC_CONCURRENCY=8 run, by records written: ${c8.memory.map((s) => `${s.done}: ${s.rssMb.toFixed(0)} MB`).join(', ')}.`,
  );
  return lines.join('\n');
}
