/**
 * The listener's settings from the environment. The webhook secret comes only from
 * `BUBBLE_WEBHOOK_SECRET` (never a flag, never printed); the rest tunes how events are applied.
 */
import { UsageError } from '../errors.js';

export interface ListenSettings {
  /** The shared secret Bubble sends as `Authorization: Bearer <secret>`. */
  secret: string;
  /** Events applied at once (each one request to the app). */
  concurrency: number;
  /** Requests per minute this process sends the app, retries included; 0 = no cap. */
  rateLimitRpm: number;
}

export const DEFAULT_LISTEN_CONCURRENCY = 4;
/** Half of what a sync may use by default, so a sync and the listener together stay under Bubble's 1,000/min. */
export const DEFAULT_LISTEN_RATE_LIMIT_RPM = 300;
/** Shorter secrets are refused: the endpoint faces the internet. */
export const MIN_SECRET_LENGTH = 16;

type Env = Record<string, string | undefined>;

/** BUBBLE_WEBHOOK_SECRET: required, at least 16 characters, surrounding whitespace ignored. */
export function webhookSecretFromEnv(env: Env = process.env): string {
  const secret = env.BUBBLE_WEBHOOK_SECRET?.trim() ?? '';
  if (secret === '') {
    throw new UsageError(
      'BUBBLE_WEBHOOK_SECRET is not set.',
      'Set it to a long random string (e.g. `openssl rand -hex 32`) and send the same value from Bubble as "Authorization: Bearer <secret>".',
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new UsageError(`BUBBLE_WEBHOOK_SECRET is too short (${secret.length} characters; at least ${MIN_SECRET_LENGTH}).`, 'Use e.g. `openssl rand -hex 32`.');
  }
  return secret;
}

function wholeFrom(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}.`);
  return value;
}

export function listenSettingsFromEnv(env: Env = process.env): ListenSettings {
  return {
    secret: webhookSecretFromEnv(env),
    concurrency: wholeFrom('LISTEN_CONCURRENCY', env.LISTEN_CONCURRENCY, DEFAULT_LISTEN_CONCURRENCY, 1),
    rateLimitRpm: wholeFrom('LISTEN_RATE_LIMIT_RPM', env.LISTEN_RATE_LIMIT_RPM, DEFAULT_LISTEN_RATE_LIMIT_RPM, 0),
  };
}
