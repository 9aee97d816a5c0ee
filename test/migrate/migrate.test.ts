import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, DropRefusedError } from '../../runtime/migrate/migrate.js';
import { describeDrop, findDrops, isEmptyScript } from '../../runtime/migrate/drops.js';
import { splitStatements, summariseScript } from '../../runtime/migrate/sql-script.js';
import { LOCK_CONTENT } from '../../runtime/migrate/history.js';
import { BACKENDS, emptyDb, type TestDb } from '../db/support.js';
import { datasource, unitModel } from '../db/fixtures/sample.js';
import { repoRoot } from '../support/prisma-cli.js';
import { syncStateNames } from '../../generator/emit/sync-state.js';
import type { Manifest } from '../../core/manifest/schema.js';
import { SyncStateStore } from '../../runtime/sync/state-store.js';

const jobModel = `model Job {
  id     String @id
  status String @default("PENDING")

  @@map("jobs")
}
`;

describe.each(BACKENDS)('migrate on %s', (backend) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await emptyDb(backend);
    dir = mkdtempSync(join(tmpdir(), 'bubble-migrate-'));
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (files: Record<string, string>, allowDrop = false, now = new Date('2025-01-02T03:04:05Z')) =>
    migrate({
      db: t.db,
      schemaDir: dir,
      files: Object.entries(files).map(([name, text]) => [join(dir, name), text] as [string, string]),
      migrationsDir: join(dir, 'migrations'),
      allowDrop,
      now,
    });
  const tables = async () =>
    (
      await t.db.query<{ name: string }>(
        `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      )
    ).map((r) => r.name);

  test('an empty database gets the tables and a _prisma_migrations row Prisma agrees with; twice is a no-op', async () => {
    const first = await run({ 'schema.prisma': datasource, 'bubble.prisma': unitModel + jobModel });
    expect(first.created?.name).toBe('20250102030405_bubble');
    expect(first.applied).toEqual(['20250102030405_bubble']);
    expect(await tables()).toEqual(['_prisma_migrations', 'jobs', 'rentalunit']);
    const sql = readFileSync(join(dir, 'migrations', '20250102030405_bubble', 'migration.sql'), 'utf8');
    expect(readFileSync(join(dir, 'migrations', 'migration_lock.toml'), 'utf8')).toBe(LOCK_CONTENT);
    const [row] = await t.db.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations');
    // `prisma migrate deploy` compares this checksum with sha256(migration.sql) and finds nothing to do.
    expect(row!.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(row!.finished_at).toBeInstanceOf(Date);
    expect(row!.rolled_back_at).toBeNull();

    const second = await run(
      { 'schema.prisma': datasource, 'bubble.prisma': unitModel + jobModel },
      false,
      new Date('2025-01-02T04:00:00Z'),
    );
    expect(second).toEqual({ created: null, applied: [], backfill: [] });
    expect(readdirSync(join(dir, 'migrations')).sort()).toEqual(['20250102030405_bubble', 'migration_lock.toml']);
  });

  test('a schema change adds one migration with only the change', async () => {
    await run({ 'schema.prisma': datasource, 'bubble.prisma': unitModel });
    const changed = unitModel.replace('  bubbleSlug ', '  note String? @map("Note")\n  bubbleSlug ');
    const next = await run({ 'schema.prisma': datasource, 'bubble.prisma': changed + jobModel }, false, new Date('2025-01-02T03:04:05Z'));
    // Same clock: the name still sorts after the first migration.
    expect(next.created?.name).toBe('20250102030406_bubble');
    expect(next.created?.sql).toContain('ADD COLUMN     "Note" TEXT');
    expect(next.created?.sql).toContain('CREATE TABLE "jobs"');
    expect(next.created?.sql).not.toContain('CREATE TABLE "rentalunit"');
    expect(next.applied).toEqual(['20250102030406_bubble']);
    const cols = await t.db.query<{ name: string }>(
      `SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = 'rentalunit' AND column_name = 'Note'`,
    );
    expect(cols).toHaveLength(1);
  });

  test('a dropped column or table is refused without --allow-drop, and nothing is written', async () => {
    await run({ 'schema.prisma': datasource, 'bubble.prisma': unitModel + jobModel });
    const withoutSlug = unitModel.replace(/\n\s+bubbleSlug .*\n/, '\n');
    const err = await run({ 'schema.prisma': datasource, 'bubble.prisma': withoutSlug }, false, new Date('2025-02-01T00:00:00Z')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DropRefusedError);
    expect((err as DropRefusedError).message).toContain('column "rentalunit"."Slug"');
    expect((err as DropRefusedError).message).toContain('table "jobs"');
    expect(readdirSync(join(dir, 'migrations')).sort()).toEqual(['20250102030405_bubble', 'migration_lock.toml']);

    const allowed = await run({ 'schema.prisma': datasource, 'bubble.prisma': withoutSlug }, true, new Date('2025-02-01T00:00:00Z'));
    expect(allowed.created?.drops.map((d) => d.name).sort()).toEqual(['Slug', 'jobs']);
    expect(await tables()).toEqual(['_prisma_migrations', 'rentalunit']);
  });

  test('pending migrations from the folder are applied first (a fresh database deploys the history)', async () => {
    await run({ 'schema.prisma': datasource, 'bubble.prisma': unitModel });
    const other = await emptyDb(backend);
    try {
      const result = await migrate({
        db: other.db,
        schemaDir: dir,
        files: [
          [join(dir, 'schema.prisma'), datasource],
          [join(dir, 'bubble.prisma'), unitModel],
        ],
        migrationsDir: join(dir, 'migrations'),
      });
      expect(result).toEqual({ created: null, applied: ['20250102030405_bubble'], backfill: [] });
    } finally {
      await other.cleanup();
    }
  });

  test('a database migrated before constraint names were written out needs no change after the upgrade', async () => {
    const schema = readFileSync(join(repoRoot, 'prisma', 'schema', 'schema.prisma'), 'utf8');
    const models = readFileSync(join(repoRoot, 'prisma', 'schema', 'bubble.prisma'), 'utf8');
    // The models file as earlier releases wrote it: Prisma derived every name.
    const derived = models.replace(/\(map: "[^"]*"\)/g, '').replace(/, map: "[^"]*"/g, '');
    expect(derived).not.toContain('map:');
    await run({ 'schema.prisma': schema, 'bubble.prisma': derived });
    const upgraded = await run({ 'schema.prisma': schema, 'bubble.prisma': models }, false, new Date('2025-02-01T00:00:00Z'));
    expect(upgraded).toEqual({ created: null, applied: [], backfill: [] });
    rmSync(join(dir, 'migrations', '20250102030405_bubble', 'bubble-datamodel.json'));
    const fromDatabase = await run({ 'schema.prisma': schema, 'bubble.prisma': models }, false, new Date('2025-02-01T00:00:00Z'));
    expect(fromDatabase.created).toBeNull();
  });

  test('sync-state columns earlier releases generated are dropped without --allow-drop, and the jobs stay', async () => {
    const schema = readFileSync(join(repoRoot, 'prisma', 'schema', 'schema.prisma'), 'utf8');
    const models = readFileSync(join(repoRoot, 'prisma', 'schema', 'bubble.prisma'), 'utf8');
    // SyncJob as earlier releases generated it: four columns that were written and never read.
    const appUrl = /\n {2}appUrl .*\n/.exec(models)![0];
    const earlier = models.replace(
      appUrl,
      `${appUrl}  running Boolean @default(false)\n  progress Int @default(0)\n  currentTable String? @map("current_table")\n  lastSync DateTime? @map("last_sync")\n`,
    );
    const state = syncStateNames('', '');
    const manifest = { types: [], state } as unknown as Manifest;
    const files = (bubble: string): Array<[string, string]> => [
      [join(dir, 'schema.prisma'), schema],
      [join(dir, 'bubble.prisma'), bubble],
    ];
    const migrateTo = (bubble: string, now: string) =>
      migrate({ db: t.db, schemaDir: dir, files: files(bubble), migrationsDir: join(dir, 'migrations'), manifest, now: new Date(now) });
    await migrateTo(earlier, '2025-01-02T03:04:05Z');
    const store = new SyncStateStore(t.db, state, []);
    const jobId = await store.initializeSyncJob([], { mode: 'full' });
    await store.finishJob(jobId, 'COMPLETED');

    const upgraded = await migrateTo(models, '2025-02-01T00:00:00Z');
    expect(upgraded.created?.drops.map(describeDrop).sort()).toEqual(
      ['current_table', 'last_sync', 'progress', 'running'].map((c) => `column "sync_jobs"."${c}"`),
    );
    const columns = (
      await t.db.query<{ name: string }>(`SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = 'sync_jobs'`)
    ).map((c) => c.name);
    for (const retired of ['running', 'progress', 'current_table', 'last_sync']) expect(columns).not.toContain(retired);
    expect(columns).toEqual(expect.arrayContaining(['status', 'app_url', 'error']));
    expect(await store.getJob(jobId)).toMatchObject({ id: jobId, status: 'COMPLETED', mode: 'full' });

    // Any other column of the state tables is still the user's to drop: refused without the flag.
    const withoutError = models.replace(/\n {2}error .*\n/, '\n');
    const err = await migrateTo(withoutError, '2025-03-01T00:00:00Z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DropRefusedError);
    expect((err as DropRefusedError).drops.map(describeDrop)).toEqual(['column "sync_jobs"."error"']);
  });

  test('without a snapshot in the newest migration, the database is the base of the diff', async () => {
    await run({ 'schema.prisma': datasource, 'bubble.prisma': unitModel });
    rmSync(join(dir, 'migrations', '20250102030405_bubble', 'bubble-datamodel.json'));
    const result = await run(
      { 'schema.prisma': datasource, 'bubble.prisma': unitModel + jobModel },
      false,
      new Date('2025-03-01T00:00:00Z'),
    );
    expect(result.created?.sql).toContain('CREATE TABLE "jobs"');
    // Only the change: with the default written the way PostgreSQL prints it back, `(gen_random_uuid())::text`,
    // the database's introspection matches the model (Prisma compares dbgenerated text verbatim).
    expect(result.created?.sql).not.toContain('"rentalunit"');
    expect(existsSync(join(dir, 'migrations', result.created!.name, 'bubble-datamodel.json'))).toBe(true);
  });
});

describe('findDrops', () => {
  test('reads tables, columns and types out of Prisma migration scripts', () => {
    const sql = `-- DropForeignKey\nALTER TABLE "a" DROP CONSTRAINT "a_b_fkey";\n\n-- AlterTable\nALTER TABLE "a" DROP COLUMN "x y",\nDROP COLUMN "z",\nADD COLUMN "w" TEXT;\n\n-- DropTable\nDROP TABLE "old";\n\n-- DropEnum\nDROP TYPE "Mood";\n`;
    expect(findDrops(sql)).toEqual([
      { kind: 'column', table: 'a', name: 'x y' },
      { kind: 'column', table: 'a', name: 'z' },
      { kind: 'table', name: 'old' },
      { kind: 'type', name: 'Mood' },
    ]);
    expect(findDrops('-- CreateTable\nCREATE TABLE "t" ("id" TEXT);\nALTER TABLE "t" ADD COLUMN "DROP COLUMN" TEXT;\n')).toEqual([]);
  });
});

describe('reading migration scripts', () => {
  test('a ";", "--", "/*" or a keyword inside a quoted name is part of the name, never SQL', () => {
    const sql = [
      '-- CreateTable',
      'CREATE TABLE "q""t;x" (',
      '    "id" TEXT NOT NULL,',
      '    "Notes; internal" TEXT,',
      '    "-- not a comment" BOOLEAN,',
      '    "x;\nDROP TABLE ""y"";" TEXT,',
      "    \"s\" TEXT DEFAULT 'it''s; -- fine',",
      '    CONSTRAINT "q""t;x_pkey" PRIMARY KEY ("id")',
      ');',
      '/* a block; comment */',
      'ALTER TABLE "q""t;x" ADD COLUMN "n" TEXT, ALTER COLUMN "s" SET DATA TYPE INTEGER, DROP CONSTRAINT "c;d";',
      '',
    ].join('\n');
    expect(splitStatements(sql)).toHaveLength(2);
    expect(findDrops(sql)).toEqual([]);
    const summary = summariseScript(sql);
    expect(summary.tables).toEqual([
      {
        table: 'q"t;x',
        created: true,
        added: ['id', 'Notes; internal', '-- not a comment', 'x;\nDROP TABLE "y";', 's', 'n'],
        dropped: [],
        retyped: ['s'],
      },
    ]);
    expect(summary.identifiers).toContain('x;\nDROP TABLE "y";');
    expect(isEmptyScript('-- only a comment\n/* and another; */\n')).toBe(true);
  });
});
