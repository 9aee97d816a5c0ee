/**
 * Every environment variable the tool reads, each with its one parser (zod) and its one message. A
 * flag or a code option that sets the same thing goes through the same parser, so a value means the
 * same everywhere and a bad one is refused with the same words, naming where it came from.
 */
import { z } from 'zod';
import { BubbleError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { normalizeAppUrl } from './app-url.js';
import { parseDatabaseUrl } from './database-url.js';

/** 60% of Bubble's 1,000 requests per minute, so the app's own traffic keeps room. */
export const DEFAULT_RATE_LIMIT_RPM = 600;
export const DEFAULT_MAX_OFFSET = 10_000;
export const DEFAULT_INCREMENTAL_OVERLAP_MS = 5 * 60_000;
export const DEFAULT_MAX_DELETE_FRACTION = 0.1;
export const DEFAULT_DB_RETRY_MS = 60_000;
export const DEFAULT_LISTEN_CONCURRENCY = 4;
/** Half of what a sync may use by default, so a sync and the listener together stay under Bubble's 1,000/min. */
export const DEFAULT_LISTEN_RATE_LIMIT_RPM = 300;
/** Shorter webhook secrets are refused: the endpoint faces the internet. */
export const MIN_SECRET_LENGTH = 16;

interface Variable<T> {
  /** Parses the raw text; throws a ZodError, or a BubbleError whose message and hint are used as they are. */
  schema: z.ZodType<T, string>;
  /** What a valid value looks like, completing "<source> must …". */
  expects: string;
  hint?: string;
  /** The variable may hold a secret: a refused value is described, never echoed. */
  secret?: boolean;
}

const wholeNumber = (min: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(Number.MAX_SAFE_INTEGER));

const switchValue = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off']))
  .transform((s) => ['1', 'true', 'yes', 'on'].includes(s));

/** Reuses a parser that throws BubbleError (its message and hint are better than a generic one). */
function fromParser<T>(parse: (raw: string) => T): z.ZodType<T, string> {
  return z.string().transform((raw) => parse(raw));
}

export const VARIABLES = {
  BUBBLE_APP_URL: {
    schema: fromParser(normalizeAppUrl),
    expects: 'be the app address, e.g. https://myapp.bubbleapps.io (or …/version-test)',
    secret: true,
  } satisfies Variable<string>,
  BUBBLE_API_TOKEN: {
    schema: z.string().transform((s) => s.trim()),
    expects: 'be the Data API token from the app editor, Settings → API',
    secret: true,
  } satisfies Variable<string>,
  DATABASE_URL: {
    schema: fromParser((raw) => parseDatabaseUrl(raw.trim()).url),
    expects: 'be a postgresql:// URL',
    secret: true,
  } satisfies Variable<string>,
  SYNC_CONCURRENCY: {
    schema: wholeNumber(1),
    expects: 'be a whole number ≥ 1 (pages in flight per table)',
    hint: 'Use e.g. 3, or leave it unset to let the sync choose.',
  } satisfies Variable<number>,
  SYNC_RATE_LIMIT_RPM: {
    schema: wholeNumber(0),
    expects: 'be a whole number ≥ 0 (requests per minute; 0 = no cap)',
    hint: `Use e.g. ${DEFAULT_RATE_LIMIT_RPM} (the default) or 0 for no cap.`,
  } satisfies Variable<number>,
  // A keyset window must hold at least two pages of 100, or the overlap check between pages could never pass.
  BUBBLE_MAX_OFFSET: {
    schema: wholeNumber(100),
    expects: 'be a whole number ≥ 100 (deepest offset used inside one keyset window)',
    hint: `Use e.g. ${DEFAULT_MAX_OFFSET} (the default).`,
  } satisfies Variable<number>,
  SYNC_INCREMENTAL_OVERLAP_MS: {
    schema: wholeNumber(0),
    expects: 'be a whole number of milliseconds ≥ 0',
    hint: `Use e.g. ${DEFAULT_INCREMENTAL_OVERLAP_MS} (five minutes, the default).`,
  } satisfies Variable<number>,
  SYNC_MAX_DELETE_FRACTION: {
    schema: z
      .string()
      .regex(/^(\d+\.?\d*|\.\d+)$/)
      .transform(Number)
      .pipe(z.number().min(0).max(1)),
    expects: 'be a number from 0 to 1 (the share of a table a full pass may mark deleted)',
    hint: `Use e.g. ${DEFAULT_MAX_DELETE_FRACTION} (the default: 10%).`,
  } satisfies Variable<number>,
  SYNC_ALLOW_MASS_DELETE: {
    schema: switchValue,
    expects: 'be 1 or 0 (also true/false, yes/no, on/off)',
  } satisfies Variable<boolean>,
  SYNC_DB_RETRY_MS: {
    schema: wholeNumber(0),
    expects: 'be a whole number of milliseconds ≥ 0 (how long a lost database connection is waited out; 0 = not at all)',
    hint: `Use e.g. ${DEFAULT_DB_RETRY_MS} (one minute, the default).`,
  } satisfies Variable<number>,
  BUBBLE_WEBHOOK_SECRET: {
    schema: z.string().min(MIN_SECRET_LENGTH),
    expects: `be at least ${MIN_SECRET_LENGTH} characters (the secret Bubble sends as "Authorization: Bearer <secret>")`,
    hint: 'Use e.g. `openssl rand -hex 32`.',
    secret: true,
  } satisfies Variable<string>,
  LISTEN_CONCURRENCY: {
    schema: wholeNumber(1),
    expects: 'be a whole number ≥ 1 (records `listen` applies at once)',
    hint: `Use e.g. ${DEFAULT_LISTEN_CONCURRENCY} (the default).`,
  } satisfies Variable<number>,
  LISTEN_RATE_LIMIT_RPM: {
    schema: wholeNumber(0),
    expects: 'be a whole number ≥ 0 (requests per minute `listen` sends the app; 0 = no cap)',
    hint: `Use e.g. ${DEFAULT_LISTEN_RATE_LIMIT_RPM} (the default).`,
  } satisfies Variable<number>,
  BUBBLE_SCHEMA_CHECK: {
    schema: switchValue,
    expects: 'be 1 or 0 (also true/false, yes/no, on/off)',
  } satisfies Variable<boolean>,
  // no-color.org: any non-empty value turns colours off.
  NO_COLOR: {
    schema: z.string().transform(() => true),
    expects: 'be set to any value to turn colours off',
  } satisfies Variable<boolean>,
} as const;

export type VariableName = keyof typeof VARIABLES;
export type VariableValue<N extends VariableName> = z.output<(typeof VARIABLES)[N]['schema']>;

/** A setting the user gave that cannot be used: exit code 2, nothing was attempted. */
export class SettingsError extends BubbleError {
  constructor(
    readonly variable: VariableName,
    message: string,
    hint?: string,
  ) {
    super('SETTINGS', message, { ...(hint ? { hint } : {}), exitCode: 2 });
  }
}

/**
 * Parses one value of `name`. `source` names where it came from in the message (the variable, a flag
 * such as `--concurrency`, or a code option). Empty or blank text counts as unset (undefined).
 */
export function parseVariable<N extends VariableName>(
  name: N,
  raw: string | number | boolean | undefined,
  source: string = name,
): VariableValue<N> | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (text === '') return undefined;
  const variable: Variable<unknown> = VARIABLES[name];
  try {
    const result = variable.schema.safeParse(text);
    if (result.success) return result.data as VariableValue<N>;
  } catch (err) {
    if (err instanceof BubbleError) throw new SettingsError(name, source === name ? err.message : `${source}: ${err.message}`, err.hint);
    throw err;
  }
  throw new SettingsError(name, `${source} must ${variable.expects}, got ${shown(text, variable.secret === true)}.`, variable.hint);
}

/** Echoes a refused value, unless it may be a secret: then its shape only, with any password masked. */
function shown(text: string, secret: boolean): string {
  if (!secret) return JSON.stringify(text);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  return scheme ? `a ${scheme}:// address (${redactUrl(text)})` : 'a value without a scheme such as https://';
}
