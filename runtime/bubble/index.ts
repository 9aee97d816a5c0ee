/**
 * The Bubble Data API client the sync and introspect use. Build one with `createBubbleClient` (explicit
 * settings) or `clientFromEnv` (BUBBLE_APP_URL / BUBBLE_API_TOKEN / SYNC_RATE_LIMIT_RPM).
 */
import { requireBubbleApp, resolveSyncSettings, type Env } from '../../core/settings/index.js';
import { createBubbleClient, type BubbleClient, type BubbleClientOptions } from './client.js';

export { createBubbleClient, systemClock } from './client.js';
export type { BubbleClient, BubbleClientOptions, BubbleClientEvent, BubbleClientMetrics, ClientClock } from './client.js';
export {
  BubbleAuthError,
  BubbleTypeNotFoundError,
  BubbleAppNotFoundError,
  BubbleOffsetRefusedError,
  BubbleBadRequestError,
  BubbleUnavailableError,
} from './errors.js';
export { createGate, sharedGate } from './limiter.js';
export type { Gate } from './limiter.js';
export { DEFAULT_RETRY } from './retry.js';
export type { RetryPolicy } from './retry.js';
export type {
  BubbleRecord,
  BubbleMeta,
  BubbleMetaField,
  BubbleMetaType,
  Constraint,
  ConstraintType,
  Page,
  PageOptions,
  SortField,
} from './types.js';

export interface EnvConfig {
  appUrl: string;
  token: string;
  rateLimitRpm: number;
}

/** The client settings from the environment (core/settings); `appUrl` (the --app-url flag) wins over BUBBLE_APP_URL. */
export function configFromEnv(options: { appUrl?: string | undefined; env?: Env } = {}): EnvConfig {
  const env = options.env ?? process.env;
  return { ...requireBubbleApp(env, options.appUrl), rateLimitRpm: resolveSyncSettings({ env }).rateLimitRpm };
}

/**
 * A client configured from the environment. `appUrl` (the --app-url flag) overrides BUBBLE_APP_URL;
 * the token only ever comes from BUBBLE_API_TOKEN. Other options (maxInFlight, onEvent, …) pass through.
 */
export function clientFromEnv(
  options: { appUrl?: string | undefined; env?: Env } & Omit<Partial<BubbleClientOptions>, 'appUrl' | 'token'> = {},
): BubbleClient {
  const { appUrl, env, ...rest } = options;
  const config = configFromEnv({ appUrl, ...(env ? { env } : {}) });
  return createBubbleClient({ rateLimitRpm: config.rateLimitRpm, ...rest, appUrl: config.appUrl, token: config.token });
}
