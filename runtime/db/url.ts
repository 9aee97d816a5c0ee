/** Parsing and redacting `DATABASE_URL`: the password never reaches a message or a log. */
import { DatabaseUrlError } from './errors.js';

export interface ParsedDatabaseUrl {
  url: string;
  /** The URL with the password replaced by `***`, safe to print. */
  redacted: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Validates a PostgreSQL URL. Throws DatabaseUrlError (without the password) when it is not one. */
export function parseDatabaseUrl(raw: string): ParsedDatabaseUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL is not a valid URL (${describeShape(raw)}).`);
  }
  const redacted = redactUrl(raw);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`DATABASE_URL must be a postgresql:// URL, got ${u.protocol}// (${redacted}).`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const host = u.hostname || u.searchParams.get('host') || 'localhost';
  return { url: raw, redacted, host, port: u.port ? Number(u.port) : 5432, database, user: decodeURIComponent(u.username) };
}

/** Replaces any password in a URL (or URL-looking text) with `***`. */
export function redactUrl(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi, '$1***@')
    .replace(/([?&]password=)[^&\s]*/gi, '$1***');
}

/** For a string that is not even a URL: say what it looks like without echoing it (it may be a secret). */
function describeShape(raw: string): string {
  if (raw.trim() === '') return 'it is empty';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  return scheme ? `scheme "${scheme}"` : 'no scheme such as postgresql://';
}
