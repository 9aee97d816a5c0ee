/** Where the client's settings come from: BUBBLE_APP_URL (flag overrides), BUBBLE_API_TOKEN (env only). */
import { BubbleConfigError } from './errors.js';

export const DEFAULT_RATE_LIMIT_RPM = 600;

/**
 * Normalises an app URL to its Data API base: scheme added when missing, trailing slashes and a pasted
 * `/api/1.1…` suffix removed. `/version-test` (development database) is kept.
 */
export function normalizeAppUrl(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed) throw new BubbleConfigError('The Bubble app URL is empty.', 'Set BUBBLE_APP_URL, e.g. https://myapp.bubbleapps.io');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new BubbleConfigError(`"${trimmed}" is not a valid app URL.`, 'Use the form https://myapp.bubbleapps.io (or …/version-test).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BubbleConfigError(`"${trimmed}" is not an http(s) URL.`, 'Use the form https://myapp.bubbleapps.io (or …/version-test).');
  }
  if (url.username || url.password) {
    throw new BubbleConfigError('The app URL must not contain credentials.', 'Put the token in BUBBLE_API_TOKEN instead.');
  }
  const path = url.pathname.replace(/\/api\/1\.1(\/.*)?$/, '').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

/** Parses SYNC_RATE_LIMIT_RPM: a number ≥ 0 (0 = no cap); unset → 600. */
export function parseRateLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_RATE_LIMIT_RPM;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new BubbleConfigError(`SYNC_RATE_LIMIT_RPM must be a number ≥ 0, got "${raw}".`, 'Use e.g. 600 (the default) or 0 for no cap.');
  }
  return value;
}

export interface EnvConfig {
  appUrl: string;
  token: string;
  rateLimitRpm: number;
}

/** Reads the client settings from the environment; `appUrl` (the --app-url flag) wins over BUBBLE_APP_URL. */
export function configFromEnv(options: { appUrl?: string | undefined; env?: NodeJS.ProcessEnv } = {}): EnvConfig {
  const env = options.env ?? process.env;
  const rawUrl = options.appUrl ?? env['BUBBLE_APP_URL'];
  if (!rawUrl) {
    throw new BubbleConfigError('No Bubble app URL: BUBBLE_APP_URL is not set.', 'Set BUBBLE_APP_URL=https://myapp.bubbleapps.io or pass --app-url.');
  }
  const token = env['BUBBLE_API_TOKEN'];
  if (!token || !token.trim()) {
    throw new BubbleConfigError(
      'No Bubble API token: BUBBLE_API_TOKEN is not set.',
      'Create a token in the app editor, Settings → API, and export it as BUBBLE_API_TOKEN (it is never accepted as a flag).',
    );
  }
  return { appUrl: normalizeAppUrl(rawUrl), token: token.trim(), rateLimitRpm: parseRateLimit(env['SYNC_RATE_LIMIT_RPM']) };
}
