/**
 * Bulk-upsert benchmark (PostgreSQL 15, a throwaway cluster): 100,000 rows of a Bubble-like type
 * (text, number, boolean, date, json, three list columns, raw JSON) written in pages of 100 — the
 * sync's page size — through `prepareUpsert` (one INSERT … SELECT FROM unnest … ON CONFLICT statement
 * per page), against a plain COPY of the same rows into the same table in the same run (the ceiling),
 * and the same upsert through a real Prisma Client (`$executeRawUnsafe`, adapter-pg). Then the sync's
 * page writer (convert each record, upsert in a savepoint) against the bare upsert, both one transaction
 * per page as the sync commits them: the cost of conversion and of the savepoint that lets one refused
 * record leave its page.
 * COPY runs through pg's submittable-query interface (no pg-copy-streams needed). `BENCH_PAGE=n` changes
 * the page size (default 100, the sync's).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import type { ManifestColumn, ManifestType, StandardColumns } from '../../core/manifest/schema.js';
import type { PrismaLike } from '../../runtime/api.js';
import { openDb } from '../../runtime/db/open.js';
import { dbFromPrisma } from '../../runtime/db/prisma.js';
import { prepareUpsert, type UpsertRow } from '../../runtime/db/upsert.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { startCluster, stopCluster } from '../support/postgres-cluster.js';
import { makeTempProject, PRISMA_CONFIG, runPrisma } from '../support/prisma-cli.js';

const PAGE = Number(process.env.BENCH_PAGE ?? 100);

const standard: StandardColumns = {
  id: 'id',
  bubbleId: '_id',
  bubbleCreatedAt: 'Created Date',
  bubbleModifiedAt: 'Modified Date',
  bubbleCreatedBy: 'Created By',
  bubbleSlug: 'Slug',
  raw: '_raw',
  unmapped: '_unmapped',
  syncCursorPosition: '_sync_cursor_position',
  syncJobId: '_sync_job_id',
  syncedAt: '_synced_at',
  createdAt: '_created_at',
  updatedAt: '_updated_at',
  isDeleted: '_is_deleted',
  deletedAt: '_deleted_at',
};
const col = (key: string, kind: ManifestColumn['kind'], list: boolean, pgType: string): ManifestColumn => ({
  key,
  field: key,
  column: key,
  bubbleType: kind,
  kind,
  list,
  pgType,
});
const type: ManifestType = {
  name: 'listing',
  display: 'Listing',
  model: 'Listing',
  delegate: 'listing',
  table: 'listing',
  standard,
  columns: [
    col('Title', 'text', false, 'text'),
    col('Price', 'number', false, 'double precision'),
    col('Active', 'boolean', false, 'boolean'),
    col('Listed', 'date', false, 'timestamptz(3)'),
    col('Address', 'json', false, 'jsonb'),
    col('Photos', 'text', true, 'text[]'),
    col('Scores', 'number', true, 'double precision[]'),
    col('Visits', 'date', true, 'timestamptz(3)[]'),
  ],
};
const model = `model Listing {
  id                 String     @id @default(dbgenerated("(gen_random_uuid())::text"))
  bubbleId           String     @unique @map("_id")
  bubbleCreatedAt    DateTime?  @map("Created Date") @db.Timestamptz(3)
  bubbleModifiedAt   DateTime?  @map("Modified Date") @db.Timestamptz(3)
  bubbleCreatedBy    String?    @map("Created By")
  bubbleSlug         String?    @map("Slug")
  title              String?    @map("Title")
  price              Float?     @map("Price")
  active             Boolean?   @map("Active")
  listed             DateTime?  @map("Listed") @db.Timestamptz(3)
  address            Json?      @map("Address")
  photos             String[]   @map("Photos")
  scores             Float[]    @map("Scores")
  visits             DateTime[] @map("Visits") @db.Timestamptz(3)
  raw                Json       @map("_raw")
  unmapped           Json?      @map("_unmapped")
  syncCursorPosition Int?       @map("_sync_cursor_position")
  syncJobId          String?    @map("_sync_job_id")
  syncedAt           DateTime?  @map("_synced_at") @db.Timestamptz(3)
  createdAt          DateTime   @default(now()) @map("_created_at") @db.Timestamptz(3)
  updatedAt          DateTime   @default(now()) @updatedAt @map("_updated_at") @db.Timestamptz(3)
  isDeleted          Boolean    @default(false) @map("_is_deleted")
  deletedAt          DateTime?  @map("_deleted_at") @db.Timestamptz(3)

  @@map("listing")
}
`;
const datasource = 'datasource db {\n  provider = "postgresql"\n}\n';
const clientBlock =
  'generator client {\n  provider            = "prisma-client"\n  output              = "../../generated/client"\n  moduleFormat        = "esm"\n  importFileExtension = "js"\n}\n';

function makeRows(n: number): UpsertRow[] {
  const rows: UpsertRow[] = [];
  const base = Date.UTC(2023, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = `${1700000000000 + i}x${(i * 7919) % 1000003}`;
    const created = new Date(base + i * 60_000);
    const values = [
      `Listing ${i} — "cosy" flat`,
      i * 1.25,
      i % 2 === 0,
      new Date(base + i * 3_600_000),
      { address: `${i} Main St`, lat: 48 + (i % 100) / 100, lng: 2 + (i % 50) / 100 },
      [`//cdn.bubble.io/f${i}a.jpg`, `//cdn.bubble.io/f${i}b.jpg`],
      [i % 5, (i % 7) / 2],
      [created],
    ];
    rows.push({
      bubbleId: id,
      createdAt: created,
      modifiedAt: created,
      createdBy: `${1600000000000 + (i % 50)}x1`,
      slug: null,
      raw: { _id: id, Title: values[0], Price: values[1], 'Created Date': created.toISOString() },
      unmapped: null,
      cursorPosition: i,
      values,
    });
  }
  return rows;
}

/** The record the Data API would send for a bench row. */
function recordOf(row: UpsertRow): BubbleRecord {
  const [title, price, active, listed, address, photos, scores, visits] = row.values as [
    string,
    number,
    boolean,
    Date,
    object,
    string[],
    number[],
    Date[],
  ];
  return {
    _id: row.bubbleId,
    'Created Date': (row.createdAt as Date).toISOString(),
    'Modified Date': (row.modifiedAt as Date).toISOString(),
    'Created By': row.createdBy,
    Title: title,
    Price: price,
    Active: active,
    Listed: listed.toISOString(),
    Address: address,
    Photos: photos,
    Scores: scores,
    Visits: visits.map((d) => d.toISOString()),
  } as BubbleRecord;
}

/** COPY … FROM STDIN through pg's submittable interface: the client hands us its connection. */
function copyFrom(client: pg.Client, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: Error | undefined;
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        for (let off = 0; off < data.length; off += 1 << 20) connection.sendCopyFromChunk(data.subarray(off, off + (1 << 20)));
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

function copyText(rows: readonly UpsertRow[], jobId: string): Buffer {
  const esc = (v: string | null): string =>
    v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
  const arr = (a: readonly unknown[]): string =>
    `{${a.map((x) => `"${(x instanceof Date ? x.toISOString() : String(x)).replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
  const now = new Date().toISOString();
  const lines: string[] = [];
  for (const r of rows) {
    const v = r.values as [string, number, boolean, Date, object, string[], number[], Date[]];
    lines.push(
      [
        r.bubbleId,
        (r.createdAt as Date).toISOString(),
        (r.modifiedAt as Date).toISOString(),
        r.createdBy ?? null,
        null,
        JSON.stringify(r.raw),
        null,
        String(r.cursorPosition),
        v[0],
        String(v[1]),
        String(v[2]),
        v[3].toISOString(),
        JSON.stringify(v[4]),
        arr(v[5]),
        arr(v[6]),
        arr(v[7]),
        jobId,
        now,
        now,
        'f',
      ]
        .map((x) => esc(x as string | null))
        .join('\t'),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** The prisma-client generator writes TypeScript; transpile it in place (ESM, .js imports). */
function transpileDir(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const out = ts.transpileModule(readFileSync(path, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.replace(/\.ts$/, '.js'), out.outputText);
  }
}

export async function run(opts: { records?: number } = {}): Promise<string> {
  const n = opts.records ?? 100_000;
  const rows = makeRows(n);
  const pages: UpsertRow[][] = [];
  for (let i = 0; i < n; i += PAGE) pages.push(rows.slice(i, i + PAGE));
  const cluster = await startCluster({ durable: true });
  const project = makeTempProject({
    'prisma.config.ts': PRISMA_CONFIG,
    'prisma/schema/schema.prisma': datasource + clientBlock,
    'prisma/schema/listing.prisma': model,
  });
  const out: string[] = [];
  try {
    const db = await openDb({ databaseUrl: cluster.url });
    await migrate({
      db,
      schemaDir: join(project.dir, 'prisma/schema'),
      migrationsDir: join(project.dir, 'prisma/schema/migrations'),
      files: [
        [join(project.dir, 'prisma/schema/schema.prisma'), datasource],
        [join(project.dir, 'prisma/schema/listing.prisma'), model],
      ],
    });
    const up = await prepareUpsert(db, type);
    const writeAll =
      (target = db, job = 'job-1') =>
      async () => {
        for (const page of pages) await up.run(target, page, job);
      };
    await up.run(db, pages[0]!, 'warm-up');
    await db.execute('TRUNCATE listing');

    const encode = await timed(async () => {
      for (const page of pages) up.params(page, 'job-1');
    });
    const plainSql = up.sql.slice(0, up.sql.indexOf('\nON CONFLICT'));
    const plain = await timed(async () => {
      for (const page of pages) await db.execute(plainSql, up.params(page, 'job-1'));
    });
    await db.execute('TRUNCATE listing');
    const insert = await timed(writeAll());
    const sameJob = await timed(writeAll());
    const newJob = await timed(writeAll(db, 'job-2'));

    // The same rows as the records the API would send (every field, dates as text), `_raw` the whole record.
    const recordPages = pages.map((page) => page.map(recordOf));
    const fullRows = pages.map((page, p) => page.map((row, i) => ({ ...row, raw: recordPages[p]![i] })));
    await db.execute('TRUNCATE listing');
    const perPageTx = await timed(async () => {
      for (const page of fullRows) await db.transaction((tx) => up.run(tx, page, 'job-1'));
    });
    await db.execute('TRUNCATE listing');
    const writer = createPageWriter();
    const viaWriter = await timed(async () => {
      for (const [i, page] of recordPages.entries())
        await db.transaction((tx) => writer.write(tx, type, page, { jobId: 'job-1', position: i * PAGE }));
    });

    await db.execute('TRUNCATE listing');
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    const cols = up.columns
      .concat([standard.syncJobId, standard.syncedAt, standard.updatedAt, standard.isDeleted])
      .map((c) => `"${c}"`)
      .join(', ');
    const text = copyText(rows, 'job-1');
    const copy = await timed(() => copyFrom(client, `COPY listing (${cols}) FROM STDIN`, text));
    const copied = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM listing')).rows[0]!.n);
    await client.end();
    if (copied !== n) throw new Error(`COPY wrote ${copied} rows, expected ${n}`);

    await db.execute('TRUNCATE listing');
    const gen = await runPrisma(['generate'], project.dir);
    if (gen.code !== 0) throw new Error(`prisma generate failed: ${gen.stderr}`);
    transpileDir(join(project.dir, 'generated/client'));
    const { PrismaClient } = (await import(pathToFileURL(join(project.dir, 'generated/client/client.js')).href)) as {
      PrismaClient: new (o: object) => PrismaLike & { $disconnect(): Promise<void> };
    };
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: cluster.url }) });
    const viaPrisma = await timed(writeAll(dbFromPrisma(prisma)));
    await prisma.$disconnect();
    await db.close();

    const rate = (s: number) => Math.round(n / s);
    const fmt = (x: number) => x.toLocaleString('en-US');
    out.push(
      `## Bulk upsert (PostgreSQL 15, ${fmt(n)} rows, pages of ${PAGE}, one statement per page)`,
      '',
      '| path | seconds | rows/s | vs COPY |',
      '|---|---:|---:|---:|',
      `| COPY … FROM STDIN (one stream, the ceiling) | ${copy.toFixed(2)} | ${fmt(rate(copy))} | 1.00 |`,
      `| encoding the pages only (JS, no database) | ${encode.toFixed(2)} | ${fmt(rate(encode))} | ${(copy / encode).toFixed(2)} |`,
      `| INSERT … SELECT unnest without ON CONFLICT (pg) | ${plain.toFixed(2)} | ${fmt(rate(plain))} | ${(copy / plain).toFixed(2)} |`,
      `| bulk upsert, insert (pg) | ${insert.toFixed(2)} | ${fmt(rate(insert))} | ${(copy / insert).toFixed(2)} |`,
      `| bulk upsert, same rows same job: no-op (pg) | ${sameJob.toFixed(2)} | ${fmt(rate(sameJob))} | ${(copy / sameJob).toFixed(2)} |`,
      `| bulk upsert, same rows new job: bookkeeping only (pg) | ${newJob.toFixed(2)} | ${fmt(rate(newJob))} | ${(copy / newJob).toFixed(2)} |`,
      `| bulk upsert, insert through Prisma $executeRawUnsafe (adapter-pg) | ${viaPrisma.toFixed(2)} | ${fmt(rate(viaPrisma))} | ${(copy / viaPrisma).toFixed(2)} |`,
      `| bulk upsert of whole records, insert, one transaction per page (pg) | ${perPageTx.toFixed(2)} | ${fmt(rate(perPageTx))} | ${(copy / perPageTx).toFixed(2)} |`,
      `| page writer (convert + savepoint + upsert), insert, one transaction per page (pg) | ${viaWriter.toFixed(2)} | ${fmt(rate(viaWriter))} | ${(copy / viaWriter).toFixed(2)} |`,
      '',
      `The figure: the per-page upsert reaches ${((copy / insert) * 100).toFixed(0)}% of COPY's throughput on insert (${((copy / viaPrisma) * 100).toFixed(0)}% through Prisma). COPY cannot upsert or be split per page; it is the ceiling, not an alternative.`,
    );
  } finally {
    project.cleanup();
    stopCluster(cluster.dataDir);
  }
  return out.join('\n');
}
