/**
 * `migrate` never traps the user: what PostgreSQL would refuse is refused before anything is written,
 * and a migration that fails while applying leaves neither a failed record nor half of its DDL, so
 * the next `migrate` after a fix simply works (no `prisma migrate resolve`).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../generator/generate.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import type { Manifest } from '../../core/manifest/schema.js';
import { BubbleError } from '../../core/errors.js';
import { readColumnTypes } from '../../runtime/db/upsert.js';
import { MigrationLimitError } from '../../runtime/migrate/limits.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { BACKENDS, emptyDb, type TestDb } from '../db/support.js';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

function wideDictionary(fields: number): Dictionary {
  return {
    version: 1,
    app: { name: 'wide' },
    types: [
      { name: 'small', display: 'Small', fields: [{ key: 'Name', display: 'Name', type: 'text' }] },
      {
        name: 'wide',
        display: 'Wide',
        fields: Array.from({ length: fields }, (_, i) => ({ key: `Field ${i}`, display: `Field ${i}`, type: 'text' })),
      },
    ],
  };
}

describe.each(BACKENDS)('on %s', (backend) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await emptyDb(backend);
    dir = mkdtempSync(join(tmpdir(), 'bubble-limits-'));
    writeFileSync(join(dir, 'schema.prisma'), DATASOURCE);
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const migrationsDir = (): string => join(dir, 'migrations');
  const folders = (): string[] => (existsSync(migrationsDir()) ? readdirSync(migrationsDir()).sort() : []);
  const tables = async (): Promise<string[]> =>
    (
      await t.db.query<{ name: string }>(
        `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
      )
    ).map((r) => r.name);
  const migrationRows = async (): Promise<Array<{ name: string; finished: boolean }>> =>
    (await tables()).includes('_prisma_migrations')
      ? t.db.query(`SELECT migration_name AS name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`)
      : [];

  async function generated(dictionary: Dictionary): Promise<Manifest> {
    const result = await generate({ dictionary, schemaDir: dir, outputDir: join(dir, 'generated') });
    return result.manifest;
  }
  function files(): Array<[string, string]> {
    return ['schema.prisma', 'bubble.prisma'].map((name) => [join(dir, name), readFileSync(join(dir, name), 'utf8')] as [string, string]);
  }
  const run = async (manifest: Manifest | undefined, now: string) =>
    migrate({
      db: t.db,
      schemaDir: dir,
      files: files(),
      migrationsDir: migrationsDir(),
      now: new Date(now),
      ...(manifest ? { manifest } : {}),
    });

  test('a type with 2,000 fields is refused before anything is written; after the dictionary is fixed, migrate works with no manual step', async () => {
    const tooWide = await generated(wideDictionary(2000));
    const err = await run(tooWide, '2025-01-01T00:00:00Z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationLimitError);
    expect((err as BubbleError).message).toBe(
      'Bubble type "wide" (table "wide") would have 2,015 columns; PostgreSQL allows at most 1,600 in a table. Nothing was written.',
    );
    expect((err as BubbleError).hint).toMatch(/^Remove at least 415 of its fields from the data dictionary/);
    expect(folders()).toEqual([]);
    expect(await tables()).toEqual([]);

    const fixed = await generated(wideDictionary(1500));
    const first = await run(fixed, '2025-01-02T00:00:00Z');
    expect(first.applied).toEqual(['20250102000000_bubble']);
    expect((await readColumnTypes(t.db, 'wide')).size).toBe(1515);

    // Growing an existing table: the limit counts the columns it already has (dropped ones too).
    const grown = await generated(wideDictionary(1590));
    const refused = await run(grown, '2025-01-03T00:00:00Z').catch((e: unknown) => e);
    expect((refused as BubbleError).message).toBe(
      'Bubble type "wide" (table "wide") would need column number 1,605 (PostgreSQL counts dropped columns too); PostgreSQL allows at most 1,600 in a table. Nothing was written.',
    );
    expect(folders()).toEqual(['20250102000000_bubble', 'migration_lock.toml']);
    const fits = await generated(wideDictionary(1585));
    expect((await run(fits, '2025-01-04T00:00:00Z')).applied).toEqual(['20250104000000_bubble']);
    expect((await readColumnTypes(t.db, 'wide')).size).toBe(1600);
  });

  test('a name over 63 bytes in a hand-written model is refused before anything is written', async () => {
    writeFileSync(join(dir, 'bubble.prisma'), `model Long {\n  id String @id\n  note String? @map("${'n'.repeat(64)}")\n}\n`);
    const err = await run(undefined, '2025-01-01T00:00:00Z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationLimitError);
    expect((err as BubbleError).message).toContain(`names "${'n'.repeat(64)}" (64 bytes)`);
    expect(folders()).toEqual([]);
  });

  test('a new migration that fails mid-apply leaves no record, no DDL and no folder; after the fix, migrate simply works', async () => {
    writeFileSync(join(dir, 'bubble.prisma'), 'model T {\n  id String @id\n\n  @@map("t")\n}\n');
    await run(undefined, '2025-01-01T00:00:00Z');
    await t.db.execute('CREATE TABLE "u" (x integer)');
    writeFileSync(
      join(dir, 'bubble.prisma'),
      'model T {\n  id String @id\n  note String?\n\n  @@map("t")\n}\n\nmodel U {\n  id String @id\n\n  @@map("u")\n}\n',
    );
    const err = await run(undefined, '2025-01-02T00:00:00Z').catch((e: unknown) => e);
    expect((err as BubbleError).message).toBe(
      'Migration 20250102000000_bubble failed and was rolled back (42P07): relation "u" already exists',
    );
    expect((err as BubbleError).hint).toMatch(/^Nothing was changed and the migration was not kept/);
    // The ALTER TABLE before the failing CREATE TABLE did not stay.
    expect([...(await readColumnTypes(t.db, 't')).keys()]).toEqual(['id']);
    expect(await migrationRows()).toEqual([{ name: '20250101000000_bubble', finished: true }]);
    expect(folders()).toEqual(['20250101000000_bubble', 'migration_lock.toml']);

    await t.db.execute('DROP TABLE "u"');
    const fixed = await run(undefined, '2025-01-03T00:00:00Z');
    expect(fixed.applied).toEqual(['20250103000000_bubble']);
    expect(await migrationRows()).toEqual([
      { name: '20250101000000_bubble', finished: true },
      { name: '20250103000000_bubble', finished: true },
    ]);
  });

  test('a pending migration of the folder that fails is rolled back and forgotten; fixed in place, it applies', async () => {
    writeFileSync(join(dir, 'bubble.prisma'), 'model T {\n  id String @id\n\n  @@map("t")\n}\n');
    await run(undefined, '2025-01-01T00:00:00Z');
    const pending = join(migrationsDir(), '20250101120000_by_hand');
    mkdirSync(pending);
    const good =
      'CREATE TABLE "a" ("id" TEXT NOT NULL, CONSTRAINT "a_pkey" PRIMARY KEY ("id"));\nALTER TABLE "t" ADD COLUMN "n; x" TEXT;\n';
    writeFileSync(join(pending, 'migration.sql'), `${good}CREATE TABLE "a" (id text);\n`);
    writeFileSync(
      join(dir, 'bubble.prisma'),
      'model T {\n  id String @id\n  n String? @map("n; x")\n\n  @@map("t")\n}\n\nmodel A {\n  id String @id\n\n  @@map("a")\n}\n',
    );
    const err = await run(undefined, '2025-01-02T00:00:00Z').catch((e: unknown) => e);
    expect((err as BubbleError).message).toBe(
      'Migration 20250101120000_by_hand failed and was rolled back (42P07): relation "a" already exists',
    );
    expect((err as BubbleError).hint).toContain('Fix the cause (or the migration in');
    expect(await tables()).toEqual(['_prisma_migrations', 't']);
    expect([...(await readColumnTypes(t.db, 't')).keys()]).toEqual(['id']);
    expect(await migrationRows()).toEqual([{ name: '20250101000000_bubble', finished: true }]);
    expect(folders()).toContain('20250101120000_by_hand');

    writeFileSync(join(pending, 'migration.sql'), good);
    const fixed = await run(undefined, '2025-01-03T00:00:00Z');
    expect(fixed).toEqual({ created: null, applied: ['20250101120000_by_hand'], backfill: [] });
    expect([...(await readColumnTypes(t.db, 't')).keys()]).toEqual(['id', 'n; x']);
  });

  test('a failed record left by something else is named, with what to check and the command that clears it', async () => {
    writeFileSync(join(dir, 'bubble.prisma'), 'model T {\n  id String @id\n\n  @@map("t")\n}\n');
    await run(undefined, '2025-01-01T00:00:00Z');
    await t.db.execute(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('x', 'y', '20240101000000_old', now(), 0)`,
    );
    const err = await run(undefined, '2025-01-02T00:00:00Z').catch((e: unknown) => e);
    expect((err as BubbleError).code).toBe('MIGRATE_FAILED_BEFORE');
    expect((err as BubbleError).message).toContain('20240101000000_old');
    expect((err as BubbleError).hint).toContain('npx prisma migrate resolve --applied 20240101000000_old');
  });
});
