/**
 * `npm run bench`: every area's benchmark, one after another, printed as Markdown.
 * `--records N` scales the record-heavy ones down for a quick run; `--only a,b` picks areas.
 * Never part of `npm test`.
 */
import { parseArgs } from 'node:util';

interface Bench {
  name: string;
  load: () => Promise<{ run: (opts: { records?: number }) => Promise<string> }>;
}

const benches: Bench[] = [
  { name: 'naming', load: () => import('./naming.js') },
  { name: 'bubble', load: () => import('./bubble.js') },
  { name: 'sync', load: () => import('./sync.js') },
  { name: 'scale', load: () => import('./scale.js') },
  { name: 'generate', load: () => import('./generate.js') },
  { name: 'upsert', load: () => import('./upsert.js') },
  { name: 'stop', load: () => import('./stop.js') },
  { name: 'backfill', load: () => import('./backfill.js') },
  { name: 'startup', load: () => import('./startup.js') },
  { name: 'listen', load: () => import('./listen.js') },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { records: { type: 'string' }, only: { type: 'string' } },
  });
  const records = values.records === undefined ? undefined : Number(values.records);
  if (records !== undefined && (!Number.isInteger(records) || records < 1)) {
    process.stderr.write('bench: --records takes a whole number ≥ 1\n');
    process.exit(2);
  }
  const only = values.only?.split(',').map((s) => s.trim());
  process.stdout.write(`# prisma-generator-bubble benchmarks\n\nnode ${process.version}, ${new Date().toISOString()}\n\n`);
  for (const bench of benches) {
    if (only && !only.includes(bench.name)) continue;
    const { run } = await bench.load();
    process.stdout.write(`${await run(records === undefined ? {} : { records })}\n\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
