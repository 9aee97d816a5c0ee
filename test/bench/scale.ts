/**
 * Scale benchmark: an app of 200,000 records (two types of 60,000) served as real Bubble serves a big
 * app — offsets capped at 50,000 (answered with an empty page) and counting queries that time out above
 * 50,000 matches — introspected, then synced in full at SYNC_CONCURRENCY=8 into PostgreSQL. Prints the
 * time, the requests and their anomalies, whether every id arrived, and resident memory as records grow
 * (it must stay flat). `--records N` scales the app down (the two big types stay 30% of it each).
 */
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { openDb } from '../../runtime/db/open.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { createSchema } from '../sync/support/schema.js';
import { client, startSampleApp } from '../sync/support/sample-project.js';

export async function run(opts: { records?: number }): Promise<string> {
  const records = opts.records ?? 200_000;
  const big = Math.round(records * 0.3);
  const cap = Math.max(1_000, Math.round(records / 4));
  const cluster = await startCluster();
  const introspectStarted = process.hrtime.bigint();
  const { fake, manifest } = await startSampleApp({
    records,
    typeRecords: { invoice: big, payment: big },
    offsetCap: { limit: cap, answer: 'empty' },
    countTimeout: { above: cap, delayMs: 2_000 },
    latencyMs: 20,
  });
  const introspectSeconds = Number(process.hrtime.bigint() - introspectStarted) / 1e9;
  const db = await openDb({ databaseUrl: cluster.url });
  const samples: Array<{ done: number; rssMb: number }> = [];
  try {
    await createSchema(db, manifest);
    fake.resetStats();
    let done = 0;
    let next = 0;
    const started = process.hrtime.bigint();
    const { result, error } = await runSyncOnDb(
      db,
      manifest,
      {
        mode: 'full',
        concurrency: 8,
        rateLimitRpm: 0,
        reportDir: false,
        onProgress: (e) => {
          if (e.kind !== 'page-done') return;
          done += e.records;
          if (done >= next) {
            samples.push({ done, rssMb: process.memoryUsage().rss / 2 ** 20 });
            next = done + Math.max(1, Math.floor(records / 8));
          }
        },
      },
      { source: pageSourceFromClient(client(fake, 0, 8)) },
    );
    if (error) throw error;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let missing = 0;
    for (const type of manifest.types) {
      const stored = new Set((await db.query<{ _id: string }>(`SELECT _id FROM "${type.table}"`)).map((r) => r._id));
      for (const r of fake.allRecords(type.name)) if (!stored.has(String(r._id))) missing += 1;
    }
    const lists = fake.log.filter((e) => e.kind === 'list');
    const anomalies = (kind: string) => lists.filter((e) => e.anomaly === kind).length;
    const pagesNeeded = manifest.types.reduce((s, t) => s + Math.ceil(fake.count(t.name) / 100), 0);
    const lines = [
      `## Scale (${records.toLocaleString('en-US')} records, two types of ${big.toLocaleString('en-US')}; offset cap ${cap.toLocaleString('en-US')} answered empty; counts time out above ${cap.toLocaleString('en-US')} after 2 s; 20 ms per call; PostgreSQL 15)`,
      '',
      'Command: `npm run bench -- --only scale [--records N]`.',
      '',
      `- introspect (inside the app start-up): ${introspectSeconds.toFixed(1)} s`,
      `- full sync at SYNC_CONCURRENCY=8: ${result.status}, ${seconds.toFixed(1)} s, ${result.tables.reduce((s, t) => s + t.records, 0).toLocaleString('en-US')} records written, ids missing: ${missing}`,
      `- list requests: ${lists.length} for ${pagesNeeded} pages of data (${(lists.length / pagesNeeded).toFixed(3)}×); uncounted probes ${lists.filter((e) => e.excludeRemaining).length}; count timeouts ${anomalies('count-timeout')}; answers past the cap ${anomalies('offset-cap')}`,
      `- most matches any counted request counted: ${Math.max(0, ...lists.filter((e) => e.anomaly !== 'count-timeout').map((e) => e.counted ?? 0)).toLocaleString('en-US')}`,
      `- resident memory by records written: ${samples.map((s) => `${s.done.toLocaleString('en-US')}: ${s.rssMb.toFixed(0)} MB`).join(', ')}`,
      `- memory flat: peak ${Math.max(...samples.map((s) => s.rssMb)).toFixed(0)} MB vs ${samples[Math.min(1, samples.length - 1)]!.rssMb.toFixed(0)} MB after the first eighth`,
    ];
    return lines.join('\n');
  } finally {
    await db.close();
    await fake.close();
    stopCluster(cluster.dataDir);
  }
}
