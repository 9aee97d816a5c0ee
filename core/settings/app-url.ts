/** Parsing `BUBBLE_APP_URL` (and `--app-url`) into the app's normal form. */
import { BubbleError } from '../errors.js';

/** The app URL or token is missing or malformed. Exit code 2 (nothing was attempted). */
export class BubbleConfigError extends BubbleError {
  constructor(message: string, hint?: string) {
    super('BUBBLE_CONFIG', message, { hint, exitCode: 2 });
  }
}

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
