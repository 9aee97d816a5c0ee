/**
 * Stop benchmark: time from SIGTERM to the end of a real `bubble-runtime sync` process while the app
 * does not answer (every request hangs) and while it has asked for a 2-minute back-off, against
 * PostgreSQL. A stop cancels the requests in flight and their back-offs, lets fetched pages commit,
 * writes the report and exits; the figure to compare with is a service manager's stop timeout (the
 * systemd advice in docs/operations.md is 30 s). `opts.records` sizes the fake app (default 2,000).
 */
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { cliProject, until } from '../sync/support/cli-project.js';

const RUNS = 7;
const STOP_TIMEOUT_ADVICE_MS = 30_000;

export async function run(opts: { records?: number } = {}): Promise<string> {
  const cluster = await startCluster();
  const p = await cliProject({ records: opts.records ?? 2_000, latencyMs: 1, serverUrl: cluster.url });
  const cases: Array<[string, () => void]> = [
    ['every request hangs', () => p.fake.faults.hang({ skip: 4, times: Infinity })],
    ['2-minute Retry-After back-off', () => p.fake.faults.status(503, { retryAfter: 120, skip: 4, times: Infinity })],
  ];
  const lines = [
    '## Stopping a sync while the app does not answer',
    '',
    `SIGTERM → process exit of \`bubble-runtime sync --mode full --json\` (PostgreSQL, SYNC_CONCURRENCY 3), ${RUNS} runs each; the stop comes once a request past the first four is stalled.`,
    '',
    '| app | min | median | max | median / 30 s stop timeout |',
    '|---|---:|---:|---:|---:|',
  ];
  try {
    for (const [label, arm] of cases) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        p.fake.faults.clear();
        arm();
        const before = p.fake.log.length;
        const child = p.start(['sync', '--mode', 'full', '--json']);
        child.stdout.resume();
        child.stderr.resume();
        const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
        await until(() => p.fake.log.slice(before).some((e) => e.fault === 'hang' || e.status === 503));
        const sent = performance.now();
        child.kill('SIGTERM');
        const code = await closed;
        times.push(performance.now() - sent);
        if (code !== 1) throw new Error(`stop bench: sync exited ${code}, expected 1`);
        p.fake.faults.clear();
        // Finish the interrupted job so the next round starts a fresh one.
        if ((await p.cli(['sync'])).code !== 0) throw new Error('stop bench: the resumed sync failed');
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      lines.push(
        `| ${label} | ${Math.round(times[0]!)} ms | ${Math.round(median)} ms | ${Math.round(times[times.length - 1]!)} ms | ${(median / STOP_TIMEOUT_ADVICE_MS).toFixed(3)} |`,
      );
    }
  } finally {
    await p.close();
    stopCluster(cluster.dataDir);
  }
  return lines.join('\n');
}
