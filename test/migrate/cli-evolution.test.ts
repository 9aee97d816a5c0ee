/**
 * The README's evolution path as a user runs it, with the compiled `bubble-runtime` on PostgreSQL:
 * the dictionary lacks fields the app's records already carry; after a sync, `introspect` →
 * `generate` → `migrate` → plain `sync` leaves every column complete, and `migrate` says what it filled
 * (text and --json) without a single request to the app.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { Dictionary } from '../../core/dictionary/schema.js';
import { MANIFEST_FILE, type Manifest } from '../../core/manifest/schema.js';
import { openDb } from '../../runtime/db/open.js';
import type { BackfillResult } from '../../runtime/migrate/backfill.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { createTestDatabase } from '../support/database.js';
import { makeTempProject, PRISMA_CONFIG } from '../support/prisma-cli.js';
import { schemaText } from '../generator/support.js';
import { mismatches } from '../sync/support/compare.js';

const run = promisify(execFile);
const bin = resolve('dist/runtime/cli/bin.js');

let fake: FakeBubble;
let project: { dir: string; cleanup: () => void };
let database: { url: string; drop: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeBubble({ records: 400 });
  project = makeTempProject({ 'prisma.config.ts': PRISMA_CONFIG, 'prisma/schema/schema.prisma': schemaText() });
  database = await createTestDatabase('evolve');
  env = {
    ...process.env,
    DATABASE_URL: database.url,
    BUBBLE_APP_URL: fake.url,
    BUBBLE_API_TOKEN: fake.token,
    SYNC_RATE_LIMIT_RPM: '0',
    NO_COLOR: '1',
  };
});

afterAll(async () => {
  await fake.close();
  await database.drop();
  project.cleanup();
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [bin, ...args], { cwd: project.dir, env });
  return stdout;
}

const dictionaryPath = (): string => join(project.dir, 'bubble/dictionary.json');
function withoutFields(type: string, keys: string[]): void {
  const dictionary = JSON.parse(readFileSync(dictionaryPath(), 'utf8')) as Dictionary;
  const t = dictionary.types.find((x) => x.name === type)!;
  t.fields = t.fields.filter((f) => !keys.includes(f.key));
  writeFileSync(dictionaryPath(), JSON.stringify(dictionary, null, 2));
}

test('introspect → generate → migrate → sync fills the columns of fields the app already had, with no request from migrate', async () => {
  await cli('introspect', '--out', 'bubble/dictionary.json');
  withoutFields('invoice', ['Amount', 'Tax Amount']);
  await cli('generate');
  await cli('migrate');
  expect(JSON.parse(await cli('sync', '--json'))).toMatchObject({ mode: 'full', status: 'COMPLETED' });

  // The app "gains" the fields: introspect appends them to the dictionary again.
  await cli('introspect', '--out', 'bubble/dictionary.json');
  await cli('generate');
  const requests = fake.stats.total;
  const migrated = JSON.parse(await cli('migrate', '--json')) as { created: string; backfill: BackfillResult[] };
  expect(fake.stats.total).toBe(requests);
  const values = (key: string): number =>
    [...fake.allRecords('invoice')].filter((r) => (r as Record<string, unknown>)[key] !== undefined).length;
  expect(migrated.backfill).toEqual([
    expect.objectContaining({
      type: 'invoice',
      table: 'invoice',
      columns: ['Amount', 'Tax Amount'],
      rows: Math.max(values('Amount'), values('Tax Amount')),
    }),
  ]);
  expect(migrated.backfill[0]!.updated).toBe(migrated.backfill[0]!.rows);

  expect(JSON.parse(await cli('sync', '--json'))).toMatchObject({ mode: 'incremental', status: 'COMPLETED' });
  const manifest = JSON.parse(readFileSync(join(project.dir, 'generated/bubble', MANIFEST_FILE), 'utf8')) as Manifest;
  const db = await openDb({ databaseUrl: database.url });
  try {
    for (const type of manifest.types) {
      expect(await mismatches(db, manifest, type.name, [...fake.allRecords(type.name)] as BubbleRecord[])).toEqual([]);
    }
  } finally {
    await db.close();
  }
});

test('the text output names what was filled and says no request was made', async () => {
  withoutFields('payment', ['Refund Amount']);
  await cli('generate');
  // Dropping a column needs --allow-drop; the value goes back to _unmapped only through a sync.
  await cli('migrate', '--allow-drop');
  await cli('introspect', '--out', 'bubble/dictionary.json');
  await cli('generate');
  const out = await cli('migrate');
  expect(out).toMatch(
    /^Created migration prisma\/schema\/migrations\/\d{14}_bubble\/migration\.sql\nApplied 1 migration\(s\): \d{14}_bubble\n/,
  );
  expect(out).toMatch(
    /\nFilled "Refund Amount" of payment from stored records: [\d,]+ of [\d,]+ rows changed \([\d.]+ s(, [\d,]+ rows\/s)?; no Bubble requests\)\n$/,
  );
});
