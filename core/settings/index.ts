/**
 * The tool's settings, validated in one place (core/settings/variables.ts holds each variable's
 * parser). Precedence: a command-line flag, then an option passed from code, then the environment
 * (which the CLI fills from `./.env` or `--env-file` without overriding what the process already has),
 * then the default. Every CLI command validates all variables before it starts: a bad value is a
 * usage error (exit 2) whichever command meets it.
 */
import {
  DEFAULT_INCREMENTAL_OVERLAP_MS,
  DEFAULT_MAX_DELETE_FRACTION,
  DEFAULT_MAX_OFFSET,
  DEFAULT_RATE_LIMIT_RPM,
  parseVariable,
  SettingsError,
  VARIABLES,
  type VariableName,
} from './variables.js';

export {
  DEFAULT_INCREMENTAL_OVERLAP_MS,
  DEFAULT_MAX_DELETE_FRACTION,
  DEFAULT_MAX_OFFSET,
  DEFAULT_RATE_LIMIT_RPM,
  parseVariable,
  SettingsError,
  VARIABLES,
} from './variables.js';
export type { VariableName, VariableValue } from './variables.js';
export { applyEnvFile, DEFAULT_ENV_FILE, readEnvFile, type EnvFile } from './env-file.js';

export type Env = Record<string, string | undefined>;

export interface SyncSettings {
  /** Pages in flight per table; null when SYNC_CONCURRENCY is unset and no flag or option set it (the engine chooses). */
  concurrency: number | null;
  /** Requests per minute to the app, retries included; 0 = no cap. */
  rateLimitRpm: number;
  /** Deepest offset used inside one keyset window. */
  maxOffset: number;
  /** How far before the last completed run's high-water mark an incremental run starts (clock skew, in-flight writes). */
  incrementalOverlapMs: number;
  /** Share of a table's rows (0–1) a full pass may mark deleted before the mass-deletion guard holds them back. */
  maxDeleteFraction: number;
  /** Lets a full pass mark any share deleted (`--allow-mass-delete`, SYNC_ALLOW_MASS_DELETE=1). */
  allowMassDelete: boolean;
}

export interface Settings {
  /** BUBBLE_APP_URL normalised to the Data API base (`https://app.io` or `…/version-test`); null when unset. */
  appUrl: string | null;
  /** BUBBLE_API_TOKEN, trimmed; null when unset. Never print it. */
  apiToken: string | null;
  /** DATABASE_URL; null means the embedded PGlite database. */
  databaseUrl: string | null;
  sync: SyncSettings;
  /** BUBBLE_SCHEMA_CHECK: fail on a stale models file instead of rewriting it. */
  schemaCheck: boolean;
  /** NO_COLOR is set (non-empty). */
  noColor: boolean;
}

/** Sync settings given from code (`syncAll` options); numbers and booleans as typed. */
export interface SyncOverrides {
  concurrency?: number | undefined;
  rateLimitRpm?: number | undefined;
  maxOffset?: number | undefined;
  incrementalOverlapMs?: number | undefined;
  maxDeleteFraction?: number | undefined;
  allowMassDelete?: boolean | undefined;
}

/** Sync settings from `bubble-runtime sync` flags, as typed on the command line. */
export interface SyncFlags {
  concurrency?: string | undefined;
  rateLimit?: string | undefined;
  maxOffset?: string | undefined;
  allowMassDelete?: boolean | undefined;
}

/** A flag or option that may set a variable: its name (for messages) and its raw value. */
type Candidate = [source: string, raw: string | number | boolean | undefined];

/** The first source that has a value wins, then the variable; each is parsed by the variable's own parser. */
function pick<N extends VariableName>(name: N, env: Env, ...candidates: Candidate[]) {
  for (const [source, raw] of candidates) {
    const value = parseVariable(name, raw, source);
    if (value !== undefined) return value;
  }
  return parseVariable(name, env[name]);
}

export function resolveSyncSettings(input: { flags?: SyncFlags; options?: SyncOverrides; env?: Env } = {}): SyncSettings {
  const flags = input.flags ?? {};
  const options = input.options ?? {};
  const env = input.env ?? process.env;
  return {
    concurrency: pick('SYNC_CONCURRENCY', env, ['--concurrency', flags.concurrency], ['concurrency', options.concurrency]) ?? null,
    rateLimitRpm:
      pick('SYNC_RATE_LIMIT_RPM', env, ['--rate-limit', flags.rateLimit], ['rateLimitRpm', options.rateLimitRpm]) ?? DEFAULT_RATE_LIMIT_RPM,
    maxOffset: pick('BUBBLE_MAX_OFFSET', env, ['--max-offset', flags.maxOffset], ['maxOffset', options.maxOffset]) ?? DEFAULT_MAX_OFFSET,
    incrementalOverlapMs:
      pick('SYNC_INCREMENTAL_OVERLAP_MS', env, ['incrementalOverlapMs', options.incrementalOverlapMs]) ?? DEFAULT_INCREMENTAL_OVERLAP_MS,
    maxDeleteFraction:
      pick('SYNC_MAX_DELETE_FRACTION', env, ['maxDeleteFraction', options.maxDeleteFraction]) ?? DEFAULT_MAX_DELETE_FRACTION,
    // A flag can only switch the guard off (it is absent or true); `allowMassDelete: false` from code does override the variable.
    allowMassDelete:
      (flags.allowMassDelete === true ? true : undefined) ??
      pick('SYNC_ALLOW_MASS_DELETE', env, ['allowMassDelete', options.allowMassDelete]) ??
      false,
  };
}

/** Reads and validates every variable the tool knows. Throws SettingsError (exit 2) on the first bad one. */
export function readSettings(env: Env = process.env): Settings {
  return {
    appUrl: parseVariable('BUBBLE_APP_URL', env.BUBBLE_APP_URL) ?? null,
    apiToken: parseVariable('BUBBLE_API_TOKEN', env.BUBBLE_API_TOKEN) ?? null,
    databaseUrl: parseVariable('DATABASE_URL', env.DATABASE_URL) ?? null,
    sync: resolveSyncSettings({ env }),
    schemaCheck: parseVariable('BUBBLE_SCHEMA_CHECK', env.BUBBLE_SCHEMA_CHECK) ?? false,
    noColor: parseVariable('NO_COLOR', env.NO_COLOR) ?? false,
  };
}

/** The app and token a command that talks to Bubble needs; `appUrl` (the --app-url flag) wins over BUBBLE_APP_URL. */
export function requireBubbleApp(env: Env = process.env, appUrlFlag?: string): { appUrl: string; token: string } {
  const appUrl = parseVariable('BUBBLE_APP_URL', appUrlFlag, '--app-url') ?? parseVariable('BUBBLE_APP_URL', env.BUBBLE_APP_URL);
  if (appUrl === undefined) {
    throw new SettingsError(
      'BUBBLE_APP_URL',
      'No Bubble app URL: BUBBLE_APP_URL is not set.',
      'Set BUBBLE_APP_URL=https://myapp.bubbleapps.io (in the environment or ./.env) or pass --app-url.',
    );
  }
  const token = parseVariable('BUBBLE_API_TOKEN', env.BUBBLE_API_TOKEN);
  if (token === undefined) {
    throw new SettingsError(
      'BUBBLE_API_TOKEN',
      'No Bubble API token: BUBBLE_API_TOKEN is not set.',
      'Create a token in the app editor, Settings → API, and set BUBBLE_API_TOKEN in the environment or ./.env (it is never accepted as a flag).',
    );
  }
  return { appUrl, token };
}

/** Names of the variables the settings module reads, for documentation checks. */
export const VARIABLE_NAMES = Object.keys(VARIABLES) as VariableName[];
