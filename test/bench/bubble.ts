/**
 * Bubble client benchmark: pages per second against the fake Data API with 300 ms latency at 1, 3 and
 * 8 requests in flight, and the ratio to ideal linear speed-up (rate_k / (k × rate_1)). A page is 100
 * records. Also the fake server's own ceiling (no latency, 8 in flight), so slow serving cannot hide
 * behind the latency figures. `opts.records` sizes the fake app (default 10,000).
 */
import { startFakeBubble } from '../../runtime/fake-bubble/index.js';
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';

const LATENCY_MS = 300;
const PAGES = 24;

async function pagesPerSecond(
  url: string,
  token: string,
  inFlight: number,
  pages: number,
  total: number,
): Promise<{ rate: number; ms: number; peak: number }> {
  const client = createBubbleClient({ appUrl: url, token, rateLimitRpm: 0, gate: createGate(0, inFlight) });
  const maxCursor = Math.max(0, total - 100);
  const started = performance.now();
  await Promise.all(Array.from({ length: pages }, (_, i) => client.page('invoice', { cursor: (i * 100) % (maxCursor + 1), limit: 100 })));
  const ms = performance.now() - started;
  return { rate: (pages / ms) * 1000, ms, peak: client.inFlight().peak };
}

export async function run(opts: { records?: number } = {}): Promise<string> {
  const records = opts.records ?? 10_000;
  const lines = [
    '## Bubble client against the fake Data API',
    '',
    `${PAGES} pages of 100 invoices each per row, ${LATENCY_MS} ms server latency, no rate cap; fake app of ${records} records.`,
    '',
    '| in flight | pages/s | ideal pages/s | speed-up vs 1 | ratio to linear | peak in flight |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  const fake = await startFakeBubble({ records, latencyMs: LATENCY_MS });
  try {
    const total = fake.count('invoice');
    // Warm-up: builds the server's index for the type so the first row is not charged for it.
    await pagesPerSecond(fake.url, fake.token, 1, 1, total);
    let base = 0;
    for (const k of [1, 3, 8]) {
      const { rate, peak } = await pagesPerSecond(fake.url, fake.token, k, PAGES, total);
      if (k === 1) base = rate;
      const speedUp = rate / base;
      lines.push(
        `| ${k} | ${rate.toFixed(2)} | ${((1000 / LATENCY_MS) * k).toFixed(2)} | ${speedUp.toFixed(2)}× | ${(speedUp / k).toFixed(2)} | ${peak} |`,
      );
    }
  } finally {
    await fake.close();
  }
  const raw = await startFakeBubble({ records });
  try {
    const total = raw.count('invoice');
    await pagesPerSecond(raw.url, raw.token, 8, 8, total);
    const { rate } = await pagesPerSecond(raw.url, raw.token, 8, 200, total);
    lines.push(
      '',
      `Fake server ceiling (no latency, 8 in flight, 200 pages): ${rate.toFixed(0)} pages/s (${(rate * 100).toFixed(0)} records/s).`,
    );
  } finally {
    await raw.close();
  }
  return lines.join('\n');
}
