/**
 * The listener's settings, parsed by core/settings like every variable. The webhook secret comes
 * only from `BUBBLE_WEBHOOK_SECRET` (never a flag, never printed); the rest tunes how events are applied.
 */
import {
  DEFAULT_LISTEN_CONCURRENCY,
  DEFAULT_LISTEN_RATE_LIMIT_RPM,
  MIN_SECRET_LENGTH,
  parseVariable,
} from '../../core/settings/variables.js';
import { UsageError } from '../../core/errors.js';

export { DEFAULT_LISTEN_CONCURRENCY, DEFAULT_LISTEN_RATE_LIMIT_RPM, MIN_SECRET_LENGTH };

export interface ListenSettings {
  /** The shared secret Bubble sends as `Authorization: Bearer <secret>`. */
  secret: string;
  /** Events applied at once (each one request to the app). */
  concurrency: number;
  /** Requests per minute this process sends the app, retries included; 0 = no cap. */
  rateLimitRpm: number;
}

type Env = Record<string, string | undefined>;

/** BUBBLE_WEBHOOK_SECRET: required, at least 16 characters, surrounding whitespace ignored. */
export function webhookSecretFromEnv(env: Env = process.env): string {
  const secret = parseVariable('BUBBLE_WEBHOOK_SECRET', env.BUBBLE_WEBHOOK_SECRET);
  if (secret === undefined) {
    throw new UsageError(
      'BUBBLE_WEBHOOK_SECRET is not set.',
      'Set it to a long random string (e.g. `openssl rand -hex 32`) and send the same value from Bubble as "Authorization: Bearer <secret>".',
    );
  }
  return secret;
}

export function listenSettingsFromEnv(env: Env = process.env): ListenSettings {
  return {
    secret: webhookSecretFromEnv(env),
    concurrency: parseVariable('LISTEN_CONCURRENCY', env.LISTEN_CONCURRENCY) ?? DEFAULT_LISTEN_CONCURRENCY,
    rateLimitRpm: parseVariable('LISTEN_RATE_LIMIT_RPM', env.LISTEN_RATE_LIMIT_RPM) ?? DEFAULT_LISTEN_RATE_LIMIT_RPM,
  };
}
