/**
 * `npm run bench -- --only listen`: the listener fed by the fake app's database triggers (one POST per
 * edit, as Bubble sends them) on PostgreSQL. Prints events applied per second and the latency from
 * the POST being recorded to the row being written (each event's `applied_at − received_at`, the
 * database's clock), min / median / p95, at several app latencies, concurrencies and rate caps.
 */
import pg from 'pg';
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';
import { openDb } from '../../runtime/db/open.js';
import { startListener } from '../../runtime/listen/index.js';
import { formatNumber } from '../../runtime/report/format.js';
import { createSchema } from '../sync/support/schema.js';
import { startSampleApp } from '../sync/support/sample-project.js';

interface Run {
  latencyMs: number;
  concurrency: number;
  rateLimitRpm: number;
  events: number;
  /** Time between two edits in the app (0: a burst, as fast as the triggers post). */
  paceMs: number;
}

const RUNS: Run[] = [
  // Edits now and then, as an app in use makes them: the latency a row sees.
  { latencyMs: 300, concurrency: 4, rateLimitRpm: 300, events: 40, paceMs: 500 },
  // Bursts (a workflow changing many things at once): throughput, and the queueing it costs.
  { latencyMs: 0, concurrency: 4, rateLimitRpm: 0, events: 1_000, paceMs: 0 },
  { latencyMs: 300, concurrency: 4, rateLimitRpm: 0, events: 400, paceMs: 0 },
  { latencyMs: 300, concurrency: 8, rateLimitRpm: 0, events: 400, paceMs: 0 },
  { latencyMs: 300, concurrency: 4, rateLimitRpm: 300, events: 150, paceMs: 0 },
];

const SECRET = 'bench-secret-bench-secret-bench';

export async function run(opts: { records?: number }): Promise<string> {
  const cluster = await startCluster();
  const lines = [
    '## listen: database-trigger events applied',
    '',
    'One POST per edit from the fake app (sequential, as its triggers fire), applied by the listener in the same process into PostgreSQL 15.',
    'Latency: from the POST recorded to the row written (`applied_at − received_at`).',
    '',
    '| app latency | concurrency | rate cap | events | paced | elapsed s | events/s | bound events/s | latency min / median / p95 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  try {
    for (const [i, r] of RUNS.entries()) {
      const events = Math.min(r.events, opts.records ?? r.events);
      const m = await measure(cluster.url, `bench_listen_${process.pid}_${i}`, { ...r, events });
      // What the app's latency and the cap allow at most: concurrency / latency, and rate / 60.
      const bounds = [
        r.latencyMs > 0 ? (r.concurrency * 1000) / r.latencyMs : Infinity,
        r.rateLimitRpm > 0 ? r.rateLimitRpm / 60 : Infinity,
      ];
      const bound = r.paceMs > 0 ? Math.min(...bounds, 1000 / r.paceMs) : Math.min(...bounds);
      lines.push(
        `| ${r.latencyMs} ms | ${r.concurrency} | ${r.rateLimitRpm || 'none'} | ${events} | ${r.paceMs ? `${r.paceMs} ms apart` : 'burst'} | ${formatNumber(m.seconds, 1)} | ${formatNumber(events / m.seconds, 1)} | ` +
          `${Number.isFinite(bound) ? formatNumber(bound, 1) : '–'} | ${m.latency.map((x) => formatNumber(x, 0)).join(' / ')} |`,
      );
    }
  } finally {
    stopCluster(cluster.dataDir);
  }
  return lines.join('\n');
}

async function measure(serverUrl: string, name: string, r: Run): Promise<{ seconds: number; latency: number[] }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const { fake, manifest } = await startSampleApp({ records: Math.max(2_000, r.events * 4), latencyMs: r.latencyMs });
  const db = await openDb({ databaseUrl: url.toString(), poolSize: r.concurrency + 6 });
  await createSchema(db, manifest);
  const client = createBubbleClient({
    appUrl: fake.url,
    token: fake.token,
    rateLimitRpm: r.rateLimitRpm,
    maxInFlight: r.concurrency,
    gate: createGate(r.rateLimitRpm, r.concurrency),
  });
  const listener = await startListener({ db, manifest, client, secret: SECRET, port: 0, concurrency: r.concurrency });
  try {
    fake.setWebhook({ url: `${listener.url}/bubble/events`, secret: SECRET });
    const started = Date.now();
    for (let i = 0; i < r.events; i++) {
      fake.mutate.modify('invoice', fake.data.idOf('invoice', i), { 'Legacy Code': `bench ${i}` });
      if (r.paceMs > 0) await new Promise((done) => setTimeout(done, r.paceMs));
    }
    await fake.webhook.idle();
    for (;;) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_events WHERE status = 'APPLIED'`);
      if (row!.n >= r.events) break;
      await new Promise((done) => setTimeout(done, 20));
    }
    const seconds = (Date.now() - started) / 1000;
    const rows = await db.query<{ ms: number }>(
      `SELECT (extract(epoch FROM applied_at - received_at) * 1000)::float8 AS ms FROM sync_events ORDER BY ms`,
    );
    const ms = rows.map((x) => x.ms);
    const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
    return { seconds, latency: [ms[0]!, at(0.5), at(0.95)] };
  } finally {
    fake.setWebhook(null);
    await listener.close();
    await db.close();
    await fake.close();
  }
}
