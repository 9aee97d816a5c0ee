/**
 * Backfill benchmark: a table of N synced rows (default 100,000) whose dictionary lacked four fields
 * (a number, a date and two lists: their values sit in `_unmapped`), then `migrate` to the full
 * dictionary, which adds the columns and fills them from `_raw`. Timed: the whole `migrate` and the
 * fill alone, against writing the same rows again with the sync's bulk upsert (what a full re-sync
 * spends on the database side alone, before any request to Bubble). PostgreSQL 15 (a throwaway
 * cluster) and PGlite (N / 10 rows). `BENCH_BATCH=n` changes the fill's batch (default 1,000).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Dictionary, DictionaryField } from '../../core/dictionary/schema.js';
import { generate } from '../../generator/generate.js';
import type { ManifestType } from '../../core/manifest/schema.js';
import { compileConverter } from '../../runtime/convert/index.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { prepareUpsert, type UpsertRow } from '../../runtime/db/upsert.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { startCluster, stopCluster } from '../support/postgres-cluster.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const PAGE = 100;
const field = (key: string, type: string): DictionaryField => ({ key, display: key, type });
const EARLY = [field('Title', 'text'), field('Active', 'boolean'), field('Address', 'geographic_address'), field('Tags', 'list.text')];
const LATER = [field('Price', 'number'), field('Listed', 'date'), field('Scores', 'list.number'), field('Visits', 'list.date')];
const dictionary = (fields: DictionaryField[]): Dictionary => ({
  version: 1,
  app: { name: 'bench' },
  types: [
    {
      name: 'listing',
      display: 'Listing',
      fields: [field('_id', 'text'), field('Created Date', 'date'), field('Modified Date', 'date'), ...fields],
    },
  ],
});

function record(i: number): Record<string, unknown> {
  const day = (d: number) => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString();
  return {
    _id: `${1_600_000_000_000 + i}x${100000 + i}`,
    'Created Date': day(i % 1000),
    'Modified Date': day(i % 1000),
    Title: `Listing ${i}`,
    Active: i % 3 === 0,
    Address: { address: `${i} Main St`, lat: 51.5 + (i % 100) / 1000, lng: -0.1 },
    Tags: ['a', 'b', `t${i % 7}`],
    Price: 1000 + (i % 997) * 1.5,
    Listed: day(i % 365),
    Scores: [i % 5, (i * 7) % 11, 3.5],
    Visits: [day(i % 30), day((i % 30) + 1)],
  };
}

async function write(db: Db, type: ManifestType, n: number): Promise<number> {
  const converter = compileConverter(type);
  const upsert = await prepareUpsert(db, type);
  const started = performance.now();
  for (let start = 0; start < n; start += PAGE) {
    const rows: UpsertRow[] = [];
    for (let i = start; i < Math.min(n, start + PAGE); i++) {
      const r = record(i);
      const c = converter.convert(r);
      rows.push({
        bubbleId: c.bubbleId!,
        createdAt: c.createdAt,
        modifiedAt: c.modifiedAt,
        raw: r,
        unmapped: c.unmapped,
        cursorPosition: i,
        values: c.values,
      });
    }
    await db.transaction((tx) => upsert.run(tx, rows, `job-${type.columns.length}`));
  }
  return performance.now() - started;
}

async function measure(db: Db, n: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backfill-'));
  try {
    writeFileSync(join(dir, 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n');
    const files = (): Array<[string, string]> =>
      ['schema.prisma', 'bubble.prisma'].map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]);
    const early = await generate({ dictionary: dictionary(EARLY), schemaDir: dir, outputDir: join(dir, 'out') });
    await migrate({ db, schemaDir: dir, files: files(), migrationsDir: join(dir, 'migrations'), manifest: early.manifest });
    await write(db, early.manifest.types[0]!, n);

    const full = await generate({ dictionary: dictionary([...EARLY, ...LATER]), schemaDir: dir, outputDir: join(dir, 'out') });
    const started = performance.now();
    const result = await migrate({
      db,
      schemaDir: dir,
      files: files(),
      migrationsDir: join(dir, 'migrations'),
      manifest: full.manifest,
      backfillBatch: BATCH,
    });
    const total = performance.now() - started;
    const fill = result.backfill[0]!;
    if (fill.rows !== n || fill.updated !== n) throw new Error(`backfill filled ${fill.updated} of ${fill.rows} rows, expected ${n}`);
    const rewrite = await write(db, full.manifest.types[0]!, n);
    const rate = (ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');
    return [
      `| ${db.kind} | ${n.toLocaleString('en-US')} | ${(total / 1000).toFixed(2)} s | ${(fill.durationMs / 1000).toFixed(2)} s | ${rate(fill.durationMs)} | ${rate(rewrite)} | ${(fill.durationMs / rewrite).toFixed(2)} |`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(options: { records?: number }): Promise<string> {
  const n = options.records ?? 100_000;
  const lines = [
    `## Backfill (migrate adding 4 columns to a table of synced rows; fill batch ${BATCH})`,
    '',
    '| database | rows | migrate total | fill | fill rows/s | upsert rows/s (same rows, pages of 100) | fill ÷ upsert time |',
    '|---|---|---|---|---|---|---|',
  ];
  const cluster = await startCluster();
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_backfill');
    await admin.end();
    const db = await openDb({ databaseUrl: cluster.url.replace(/\/postgres$/, '/bench_backfill') });
    try {
      lines.push(...(await measure(db, n)));
    } finally {
      await db.close();
    }
  } finally {
    stopCluster(cluster.dataDir);
  }
  const lite = await openDb({ pgliteDir: ':memory:' });
  try {
    lines.push(...(await measure(lite, Math.max(1, Math.round(n / 10)))));
  } finally {
    await lite.close();
  }
  return lines.join('\n');
}
