/** Parsing `DATABASE_URL`: the password never reaches a message or a log. */
import { BubbleError } from '../errors.js';
import { redactUrl } from '../redact.js';

/** `DATABASE_URL` is not a usable PostgreSQL URL. */
export class DatabaseUrlError extends BubbleError {
  constructor(message: string) {
    super('DB_URL', message, {
      exitCode: 2,
      hint: 'Set DATABASE_URL to postgresql://user:password@host:5432/database, or unset it to use the embedded PGlite database in ./.bubble/pglite.',
    });
  }
}

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

/** For a string that is not even a URL: say what it looks like without echoing it (it may be a secret). */
function describeShape(raw: string): string {
  if (raw.trim() === '') return 'it is empty';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  return scheme ? `scheme "${scheme}"` : 'no scheme such as postgresql://';
}
