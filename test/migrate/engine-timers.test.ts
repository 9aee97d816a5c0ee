/**
 * The schema engine sets timers it never clears; after migrate() nothing of it may keep the process
 * alive (a program that migrates from code must be able to exit). Checked in a child process, so the
 * test runner's own timers do not count.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('after migrate() on PGlite no timer is left to keep the process alive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-timers-'));
  const dist = (path: string): string => JSON.stringify(resolve('dist', path));
  const script = [
    `const { openDb } = await import(${dist('runtime/db/open.js')});`,
    `const { migrate } = await import(${dist('runtime/migrate/migrate.js')});`,
    "const db = await openDb({ pgliteDir: ':memory:' });",
    `const dir = ${JSON.stringify(dir)};`,
    'const schema = \'datasource db {\\n  provider = "postgresql"\\n}\\n\\nmodel Item {\\n  id String @id\\n}\\n\';',
    'await migrate({ db, schemaDir: dir, files: [[`${dir}/schema.prisma`, schema]], migrationsDir: `${dir}/migrations` });',
    'await db.close();',
    "console.log(JSON.stringify(process.getActiveResourcesInfo().filter((r) => r === 'Timeout')));",
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  expect(JSON.parse(stdout)).toEqual([]);
});
