/** `Db` over a pg.Pool (DATABASE_URL is a PostgreSQL URL). */
import pg from 'pg';
import type { Db } from './types.js';
import { DatabaseUnreachableError, isConnectionError, asDbError } from './errors.js';
import { redactUrl } from '../../core/redact.js';
import { parseDatabaseUrl, type ParsedDatabaseUrl } from '../../core/settings/database-url.js';

/** pg's query runner, shared by the pool and by a checked-out client. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

class PgQueryDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    protected readonly runner: Queryable,
    private readonly depth: number,
    private readonly begin: () => Promise<pg.PoolClient>,
    /** Server pids of transactions whose connection broke, see `endOrphans`. */
    private readonly orphans: Set<number>,
  ) {}

  async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      return (await this.runner.query(sql, params)).rows as T[];
    } catch (err) {
      throw asDbError(err);
    }
  }

  async execute(sql: string, params?: unknown[]): Promise<number> {
    try {
      return (await this.runner.query(sql, params)).rowCount ?? 0;
    } catch (err) {
      throw asDbError(err);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.depth > 0) return savepoint(this, this.depth, fn, (d) => new PgQueryDb(this.runner, d, this.begin, this.orphans));
    let client: pg.PoolClient;
    try {
      client = await this.begin();
    } catch (err) {
      throw asDbError(err);
    }
    let broken: unknown;
    // pg-pool takes its error listener off a client while it is checked out, and pg emits 'error' when
    // the connection drops (even mid-query): without a listener of ours that event would crash the
    // process. The statement in progress, or the next one, fails on its own and is reported below.
    const onError = (err: Error): void => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await endOrphans(client, this.orphans);
      await client.query('BEGIN');
      const result = await fn(new PgQueryDb(client, 1, this.begin, this.orphans));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionError(err)) broken = err;
      else await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr));
      const pid = (client as unknown as { processID?: unknown }).processID;
      if (broken !== undefined && typeof pid === 'number') this.orphans.add(pid);
      throw asDbError(err);
    } finally {
      client.off('error', onError);
      // A client whose connection broke must not go back into the pool.
      client.release(broken instanceof Error ? broken : broken ? new Error(String(broken)) : undefined);
    }
  }

  async close(): Promise<void> {
    // Only the top-level Db owns the pool; see PostgresDb.
  }
}

/**
 * A transaction whose connection broke may live on at the server (the network dropped, the server has
 * not noticed): its uncommitted rows stay locked, and the same page written again would wait for them
 * until the server gives up on the socket, which can take hours. So the next transaction first ends
 * such sessions — only those still in this database under this pool's application_name, so a reused pid
 * never ends anyone else's session. Where ending them is not allowed, the write waits as before.
 */
async function endOrphans(client: pg.PoolClient, orphans: Set<number>): Promise<void> {
  if (orphans.size === 0) return;
  const pids = [...orphans];
  orphans.clear();
  await client
    .query(
      `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
        WHERE pid = ANY($1::int[]) AND datname = current_database() AND application_name = current_setting('application_name')`,
      [pids],
    )
    .catch((err: unknown) => {
      if (!isConnectionError(err)) return;
      for (const pid of pids) orphans.add(pid);
      throw err;
    });
}

/** Nested `transaction` inside a transaction: a savepoint, so an inner failure can be caught. */
export async function savepoint<T>(db: Db, depth: number, fn: (tx: Db) => Promise<T>, nest: (depth: number) => Db): Promise<T> {
  const name = `bubble_sp_${depth}`;
  await db.execute(`SAVEPOINT ${name}`);
  try {
    const result = await fn(nest(depth + 1));
    await db.execute(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (err) {
    if (!isConnectionError(err)) await db.execute(`ROLLBACK TO SAVEPOINT ${name}`);
    throw err;
  }
}

export class PostgresDb extends PgQueryDb {
  readonly pool: pg.Pool;
  readonly target: ParsedDatabaseUrl;
  /** The last error an idle pooled connection reported (a server restart, a network cut). */
  lastIdleError: Error | undefined;

  constructor(pool: pg.Pool, target: ParsedDatabaseUrl) {
    super(pool, 0, () => pool.connect(), new Set());
    this.pool = pool;
    this.target = target;
    // Without a listener, an idle client's error (server gone) would crash the process; the next
    // query reports the loss as a typed error instead.
    pool.on('error', (err) => {
      this.lastIdleError = err;
    });
  }

  /** A connection of its own, outside the pool's rotation (the sync lock holds one for a run). */
  async dedicatedClient(applicationName: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.target.url, application_name: applicationName });
    client.on('error', () => {
      // Reported by the next query on it; the lock treats a dead connection as released.
    });
    try {
      await client.connect();
    } catch (err) {
      throw unreachable(this.target, err);
    }
    return client;
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface PostgresOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Reported as application_name in pg_stat_activity. */
  applicationName?: string;
}

/** Opens a pool and checks that the server answers, so a bad URL fails here with a clear message. */
export async function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Promise<PostgresDb> {
  const target = parseDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: 15_000,
    application_name: options.applicationName ?? 'bubble-runtime',
  });
  const db = new PostgresDb(pool, target);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unreachable(target, err);
  }
  return db;
}

/** Turns a failure to connect into one line that names the server (never the password). */
export function unreachable(target: ParsedDatabaseUrl, err: unknown): DatabaseUnreachableError {
  const code = (err as { code?: string }).code;
  const where = `${target.host}:${target.port}`;
  const detail = redactUrl(err instanceof Error ? err.message : String(err));
  switch (code) {
    case 'ECONNREFUSED':
      return new DatabaseUnreachableError(
        `Cannot reach PostgreSQL at ${where}: connection refused.`,
        `Is the server running and listening there? DATABASE_URL is ${target.redacted}.`,
        err,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseUnreachableError(
        `Cannot reach PostgreSQL: host "${target.host}" was not found.`,
        `Check the host in DATABASE_URL (${target.redacted}).`,
        err,
      );
    case '28P01':
    case '28000':
      return new DatabaseUnreachableError(
        `PostgreSQL at ${where} refused user "${target.user}": ${detail}.`,
        'Check the user name and password in DATABASE_URL.',
        err,
      );
    case '3D000':
      return new DatabaseUnreachableError(
        `PostgreSQL at ${where} has no database "${target.database}".`,
        `Create it first (createdb ${target.database}) or fix the database name in DATABASE_URL.`,
        err,
      );
    default:
      if (!isConnectionError(err) && !/timeout/i.test(detail)) {
        return new DatabaseUnreachableError(
          `Cannot open PostgreSQL at ${where}: ${detail}`,
          `Check DATABASE_URL (${target.redacted}).`,
          err,
        );
      }
      return new DatabaseUnreachableError(
        `Cannot reach PostgreSQL at ${where}: ${detail}`,
        `Is the server running and reachable from here? DATABASE_URL is ${target.redacted}.`,
        err,
      );
  }
}
