/**
 * The settings module: one parser and one message per variable, flags over code options over the
 * environment over defaults, `.env` files under the process environment. Pure: no database.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyEnvFile,
  readEnvFile,
  readSettings,
  requireBubbleApp,
  resolveSyncSettings,
  SettingsError,
  VARIABLE_NAMES,
} from '../../core/settings/index.js';
import { BubbleError } from '../../core/errors.js';
import { resolveSettings } from '../../runtime/sync/settings.js';

/** The BubbleError `fn` throws (a SettingsError for a variable, flag or option). */
function refusal(fn: () => unknown): BubbleError & Partial<Pick<SettingsError, 'variable'>> {
  try {
    fn();
  } catch (err) {
    if (err instanceof BubbleError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('defaults', () => {
  test('an empty environment gives the documented defaults; SYNC_CONCURRENCY unset is null (the engine chooses)', () => {
    expect(readSettings({})).toEqual({
      appUrl: null,
      apiToken: null,
      databaseUrl: null,
      sync: {
        concurrency: null,
        rateLimitRpm: 600,
        maxOffset: 10_000,
        incrementalOverlapMs: 300_000,
        maxDeleteFraction: 0.1,
        allowMassDelete: false,
      },
      schemaCheck: false,
      noColor: false,
    });
  });

  test('blank values count as unset', () => {
    expect(readSettings({ SYNC_CONCURRENCY: '', SYNC_RATE_LIMIT_RPM: '  ', DATABASE_URL: '' })).toMatchObject({
      databaseUrl: null,
      sync: { concurrency: null, rateLimitRpm: 600 },
    });
  });
});

describe('values', () => {
  test('each variable is parsed to its type', () => {
    const settings = readSettings({
      BUBBLE_APP_URL: 'myapp.bubbleapps.io/version-test/api/1.1/obj/',
      BUBBLE_API_TOKEN: ' tok ',
      DATABASE_URL: 'postgresql://u:p@db:5432/mirror',
      SYNC_CONCURRENCY: '4',
      SYNC_RATE_LIMIT_RPM: '0',
      BUBBLE_MAX_OFFSET: '20000',
      SYNC_INCREMENTAL_OVERLAP_MS: '1000',
      SYNC_MAX_DELETE_FRACTION: '0.25',
      SYNC_ALLOW_MASS_DELETE: 'true',
      BUBBLE_SCHEMA_CHECK: '1',
      NO_COLOR: '1',
    });
    expect(settings).toEqual({
      appUrl: 'https://myapp.bubbleapps.io/version-test',
      apiToken: 'tok',
      databaseUrl: 'postgresql://u:p@db:5432/mirror',
      sync: {
        concurrency: 4,
        rateLimitRpm: 0,
        maxOffset: 20_000,
        incrementalOverlapMs: 1000,
        maxDeleteFraction: 0.25,
        allowMassDelete: true,
      },
      schemaCheck: true,
      noColor: true,
    });
  });

  test.each([
    ['SYNC_RATE_LIMIT_RPM', '1.5', 'SYNC_RATE_LIMIT_RPM must be a whole number ≥ 0 (requests per minute; 0 = no cap), got "1.5".'],
    ['SYNC_RATE_LIMIT_RPM', 'abc', 'SYNC_RATE_LIMIT_RPM must be a whole number ≥ 0 (requests per minute; 0 = no cap), got "abc".'],
    ['SYNC_CONCURRENCY', '0', 'SYNC_CONCURRENCY must be a whole number ≥ 1 (pages in flight per table), got "0".'],
    ['BUBBLE_MAX_OFFSET', '50', 'BUBBLE_MAX_OFFSET must be a whole number ≥ 100 (deepest offset used inside one keyset window), got "50".'],
    [
      'SYNC_MAX_DELETE_FRACTION',
      '1.5',
      'SYNC_MAX_DELETE_FRACTION must be a number from 0 to 1 (the share of a table a full pass may mark deleted), got "1.5".',
    ],
    ['SYNC_ALLOW_MASS_DELETE', 'maybe', 'SYNC_ALLOW_MASS_DELETE must be 1 or 0 (also true/false, yes/no, on/off), got "maybe".'],
  ])('%s=%s is refused with one message, exit code 2', (name, value, message) => {
    const err = refusal(() => readSettings({ [name]: value }));
    expect(err).toBeInstanceOf(SettingsError);
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(2);
    expect(err.variable).toBe(name);
  });

  test('a DATABASE_URL that is not PostgreSQL is a usage error that never shows the password', () => {
    const err = refusal(() => readSettings({ DATABASE_URL: 'mysql://admin:s3cret@db/app' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('postgresql://');
    expect(`${err.message} ${err.hint}`).not.toContain('s3cret');
  });

  test('a bad BUBBLE_APP_URL keeps its specific message', () => {
    expect(refusal(() => readSettings({ BUBBLE_APP_URL: 'https://me:pw@app.io' })).message).toBe(
      'The app URL must not contain credentials.',
    );
  });
});

describe('precedence', () => {
  const env = { SYNC_CONCURRENCY: '2', SYNC_RATE_LIMIT_RPM: '100', BUBBLE_MAX_OFFSET: '500', SYNC_ALLOW_MASS_DELETE: '0' };

  test('flags win over code options, which win over the environment', () => {
    expect(resolveSyncSettings({ env, options: { concurrency: 5, rateLimitRpm: 50 }, flags: { concurrency: '7' } })).toMatchObject({
      concurrency: 7,
      rateLimitRpm: 50,
      maxOffset: 500,
      allowMassDelete: false,
    });
    expect(resolveSyncSettings({ env, flags: { allowMassDelete: true } }).allowMassDelete).toBe(true);
    expect(resolveSyncSettings({ env: { SYNC_ALLOW_MASS_DELETE: '1' }, options: { allowMassDelete: false } }).allowMassDelete).toBe(false);
  });

  test('a bad flag or option is refused by the same parser, naming where it came from', () => {
    expect(refusal(() => resolveSyncSettings({ env, flags: { rateLimit: '1.5' } })).message).toBe(
      '--rate-limit must be a whole number ≥ 0 (requests per minute; 0 = no cap), got "1.5".',
    );
    expect(refusal(() => resolveSettings({ concurrency: 0 }, {})).message).toMatch(/^concurrency must be a whole number ≥ 1/);
  });

  test('--app-url wins over BUBBLE_APP_URL; the token only ever comes from the environment', () => {
    const app = requireBubbleApp({ BUBBLE_APP_URL: 'https://a.io', BUBBLE_API_TOKEN: 't' }, 'b.io');
    expect(app).toEqual({ appUrl: 'https://b.io', token: 't' });
    expect(refusal(() => requireBubbleApp({ BUBBLE_APP_URL: 'https://a.io' })).message).toBe(
      'No Bubble API token: BUBBLE_API_TOKEN is not set.',
    );
    expect(refusal(() => requireBubbleApp({ BUBBLE_API_TOKEN: 't' })).exitCode).toBe(2);
  });
});

describe('.env files', () => {
  test('plain KEY=value lines, comments and quotes; the process environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-env-'));
    writeFileSync(
      join(dir, '.env'),
      '# the mirror\nBUBBLE_APP_URL=https://file.io\nBUBBLE_API_TOKEN="from file"\nexport SYNC_CONCURRENCY=3\n',
    );
    const file = readEnvFile({ cwd: dir })!;
    expect(file.values).toEqual({ BUBBLE_APP_URL: 'https://file.io', BUBBLE_API_TOKEN: 'from file', SYNC_CONCURRENCY: '3' });
    const env: NodeJS.ProcessEnv = { BUBBLE_APP_URL: 'https://process.io' };
    expect(applyEnvFile(file, env)).toEqual(['BUBBLE_API_TOKEN', 'SYNC_CONCURRENCY']);
    expect(readSettings(env)).toMatchObject({ appUrl: 'https://process.io', apiToken: 'from file', sync: { concurrency: 3 } });
  });

  test('no ./.env is fine; a missing --env-file is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-env-'));
    expect(readEnvFile({ cwd: dir })).toBeNull();
    const err = refusal(() => readEnvFile({ cwd: dir, path: 'prod.env' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('prod.env');
  });
});

test("README's environment table lists exactly the variables the settings module reads", () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Environment'), readme.indexOf('### Generator options'));
  const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual([...VARIABLE_NAMES].sort());
});
