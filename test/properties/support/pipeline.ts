/**
 * The whole product on one app, as a user runs it: the fake Bubble server serves the app over HTTP →
 * introspect → generate → `prisma validate` → tsc on the adapters → migrate → sync on PostgreSQL and on
 * PGlite → every row compared with what the app served. Returns what went wrong, as readable lines
 * (empty when everything matched), so a property can assert on it and print it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeBubble, type FakeBubble } from '../../../runtime/fake-bubble/index.js';
import type { SyncResult } from '../../../runtime/api.js';
import type { Db } from '../../../runtime/db/types.js';
import { generate } from '../../../generator/generate.js';
import type { Manifest } from '../../../core/manifest/schema.js';
import { introspect } from '../../../runtime/introspect/index.js';
import { migrate } from '../../../runtime/migrate/migrate.js';
import { pageSourceFromClient } from '../../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../../runtime/sync/runner.js';
import type { BubbleRecord } from '../../../runtime/sync/ports.js';
import { emptyDb, type Backend } from '../../db/support.js';
import { CONSUMER_TSCONFIG, tsc } from '../../generator/support.js';
import { makeTempProject, PRISMA_CONFIG, runPrisma } from '../../support/prisma-cli.js';
import { mismatches } from '../../sync/support/compare.js';
import { client } from '../../sync/support/sample-project.js';
import { appOf, type HostileApp } from './hostile.js';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

export interface PipelineOptions {
  backends: readonly Backend[];
  /** Run `prisma validate` and tsc (a few seconds each): the names' part of the check. */
  checkSchema: boolean;
  /** Called before each sync (e.g. to arm a fault on the fake). */
  beforeSync?: (fake: FakeBubble) => void;
  /** Extra checks on the synced database; returns problems. */
  inspect?: (db: Db, result: SyncResult, manifest: Manifest) => Promise<string[]>;
}

export async function runPipeline(h: HostileApp, options: PipelineOptions): Promise<string[]> {
  const problems: string[] = [];
  const fake = await startFakeBubble({ app: appOf(h), records: h.records * h.types.length, versionTest: 'same' });
  const project = makeTempProject({
    'prisma.config.ts': PRISMA_CONFIG,
    'prisma/schema/schema.prisma': DATASOURCE,
    'tsconfig.json': CONSUMER_TSCONFIG,
  });
  try {
    const { dictionary } = await introspect({ client: client(fake, 0, 4), sample: h.records });
    const schemaDir = join(project.dir, 'prisma', 'schema');
    const { manifest } = await generate({
      dictionary,
      schemaDir,
      outputDir: join(project.dir, 'generated', 'bubble'),
      tablePrefix: h.tablePrefix,
      modelPrefix: h.modelPrefix,
    });
    if (options.checkSchema) {
      const validated = await runPrisma(['validate'], project.dir);
      if (validated.code !== 0) problems.push(`prisma validate failed: ${validated.stderr.trim().slice(0, 2000)}`);
      const checked = await tsc(project.dir);
      if (checked.code !== 0) problems.push(`tsc rejected the adapters: ${(checked.stdout + checked.stderr).trim().slice(0, 2000)}`);
    }
    const files = readdirSync(schemaDir)
      .filter((f) => f.endsWith('.prisma'))
      .map((f): [string, string] => [join(schemaDir, f), readFileSync(join(schemaDir, f), 'utf8')]);
    for (const backend of options.backends) {
      problems.push(...(await syncInto(backend, manifest, schemaDir, files, fake, options)).map((p) => `${backend}: ${p}`));
    }
  } catch (err) {
    problems.push(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`.slice(0, 3000));
  } finally {
    await fake.close();
    project.cleanup();
  }
  return problems;
}

async function syncInto(
  backend: Backend,
  manifest: Manifest,
  schemaDir: string,
  files: Array<[string, string]>,
  fake: FakeBubble,
  options: PipelineOptions,
): Promise<string[]> {
  const t = await emptyDb(backend);
  try {
    await migrate({ db: t.db, schemaDir, files, migrationsDir: join(schemaDir, 'migrations') });
    options.beforeSync?.(fake);
    const { result, error } = await runSyncOnDb(
      t.db,
      manifest,
      { concurrency: 2, reportDir: false },
      { source: pageSourceFromClient(client(fake, 0, 2)) },
    );
    if (error !== null) return [`sync failed: ${error instanceof Error ? error.message : String(error)}`];
    const problems: string[] = [];
    for (const table of result.tables) {
      if (
        table.status !== 'COMPLETED' ||
        table.records !== fake.count(table.type) ||
        (options.inspect === undefined && table.rejected !== 0)
      ) {
        problems.push(`${table.type}: ${table.status}, ${table.records} of ${fake.count(table.type)} records, ${table.rejected} rejected`);
      }
    }
    if (options.inspect) problems.push(...(await options.inspect(t.db, result, manifest)));
    for (const type of manifest.types) {
      problems.push(...(await mismatches(t.db, manifest, type.name, [...fake.allRecords(type.name)] as BubbleRecord[])));
    }
    return problems;
  } finally {
    await t.cleanup();
  }
}
