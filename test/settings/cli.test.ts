/**
 * Settings as the CLI applies them, through the compiled bin: every command refuses a bad variable
 * with exit code 2 and the same one line before doing anything; `.env` and `--env-file` are read,
 * the process environment wins; sync's tuning flags go through the same parsers. No database needed:
 * nothing here gets past the settings check.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('dist/runtime/cli/bin.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'settings-cli-'));

test('a bad variable is exit code 2 with one message on every command', async () => {
  const dir = emptyDir();
  const message = 'bubble-runtime: SYNC_RATE_LIMIT_RPM must be a whole number ≥ 0 (requests per minute; 0 = no cap), got "1.5".';
  const runs = await Promise.all(
    [['introspect'], ['generate'], ['migrate'], ['sync'], ['status'], ['query', 'SELECT 1'], ['serve-db']].map((args) =>
      cli(args, dir, { SYNC_RATE_LIMIT_RPM: '1.5' }),
    ),
  );
  for (const run of runs) {
    expect([run.code, run.stderr.split('\n')[0], run.stdout]).toEqual([2, message, '']);
  }
});

test('DATABASE_URL that is not PostgreSQL is a usage error, without the password', async () => {
  const run = await cli(['status'], emptyDir(), { DATABASE_URL: 'mysql://admin:s3cret@db/app' });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('DATABASE_URL must be a postgresql:// URL');
  expect(run.stderr).not.toContain('s3cret');
});

test('./.env is read, --env-file replaces it, and the process environment wins over both', async () => {
  const dir = emptyDir();
  writeFileSync(join(dir, '.env'), 'SYNC_CONCURRENCY=zero\n');
  writeFileSync(join(dir, 'ops.env'), '# production\nBUBBLE_MAX_OFFSET=5\n');
  const fromDotEnv = await cli(['status'], dir);
  expect([fromDotEnv.code, fromDotEnv.stderr]).toEqual([2, expect.stringContaining('SYNC_CONCURRENCY must be a whole number ≥ 1')]);
  const fromFile = await cli(['status', '--env-file', 'ops.env'], dir);
  expect([fromFile.code, fromFile.stderr]).toEqual([2, expect.stringContaining('BUBBLE_MAX_OFFSET must be a whole number ≥ 100')]);
  // The environment's valid value hides the file's bad one: status gets past the settings to the missing schema.
  const overridden = await cli(['status'], dir, { SYNC_CONCURRENCY: '2' });
  expect(overridden.stderr).not.toContain('SYNC_CONCURRENCY');
  expect(overridden.stderr).toContain('No Prisma schema found');
  // Node itself checks a `--env-file` argument even after the script and stops first when the file is
  // missing (nodejs/node#54232: exit 9, "node: nope.env: not found"); either way the run stops naming the file.
  const missing = await cli(['status', '--env-file', 'nope.env'], dir);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('nope.env');
});

test("sync's tuning flags go through the variables' parsers and win over them", async () => {
  const dir = emptyDir();
  const flag = await cli(['sync', '--rate-limit', 'fast'], dir, { SYNC_RATE_LIMIT_RPM: '100' });
  expect([flag.code, flag.stderr.split('\n')[0]]).toEqual([
    2,
    'bubble-runtime: --rate-limit must be a whole number ≥ 0 (requests per minute; 0 = no cap), got "fast".',
  ]);
  const concurrency = await cli(['sync', '--concurrency', '0'], dir);
  expect([concurrency.code, concurrency.stderr.split('\n')[0]]).toEqual([
    2,
    'bubble-runtime: --concurrency must be a whole number ≥ 1 (pages in flight per table), got "0".',
  ]);
  // Valid flags get the run past the settings, to the missing schema.
  const valid = await cli(['sync', '--max-offset', '2000', '--concurrency', '4', '--allow-mass-delete'], dir);
  expect(valid.stderr).toContain('No Prisma schema found');
});
