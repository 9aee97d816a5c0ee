/**
 * `Db` over PGlite, the embedded PostgreSQL (WASM) used when DATABASE_URL is unset. PGlite is
 * single-process: two processes opening the same folder corrupt it, so the folder is guarded by a
 * lock file beside it (`<dir>.lock`, holding the owner's pid) and, inside one process, by a registry.
 */
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Db } from './types.js';
import { BubbleError } from '../../core/errors.js';
import { DatabaseConnectionLostError, DatabaseUnreachableError, PgliteLockedError, asDbError } from './errors.js';
import { readPgliteTemplate, unpackPgliteTemplate } from './pglite-template.js';
import { savepoint } from './postgres.js';

/** Folders this process has open (a second open in the same process would be a second instance). */
const openHere = new Set<string>();

/** Query runner shared by the PGlite instance and a transaction handle. */
type Runner = Pick<Transaction, 'query'>;

/**
 * PostgreSQL's date/time text as a Date. PGlite's own parser is `new Date(text)`, whose legacy format
 * reads `0001-01-01 00:00:00+00` as the year 2001 (any year below 100 is taken as two digits); written
 * as ISO 8601 (`T`, `+00:00`), the year is exact. A time without a zone stays local, as before.
 */
function parseDateTime(text: string): Date | number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const iso = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(iso.getTime()) ? new Date(text) : iso;
}

const dateTimeArrays: Array<[number, number]> = [
  [1185, types.TIMESTAMPTZ],
  [1115, types.TIMESTAMP],
  [1182, types.DATE],
];

/** int8 as a JS number, as the pg pool and the Prisma wrapper return it (counts, cursors); exact years. */
const parsers = {
  [types.INT8]: (value: string) => Number(value),
  [types.TIMESTAMPTZ]: parseDateTime,
  [types.TIMESTAMP]: parseDateTime,
  [types.DATE]: parseDateTime,
  ...Object.fromEntries(
    dateTimeArrays.map(([arrayOid]) => [arrayOid, (value: string) => types.arrayParser(value, parseDateTime, arrayOid)]),
  ),
};

/**
 * PostgreSQL's 128 MB buffer cache is touched at start and costs as much memory; a mirror written in
 * pages and read by one user does well with a quarter of it (file reads still hit the OS cache).
 */
const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

class PgliteQueryDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    protected readonly runner: Runner,
    private readonly depth: number,
    private readonly root: PGlite,
  ) {}

  async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      return (await this.runner.query<T>(sql, params)).rows;
    } catch (err) {
      throw this.failure(err);
    }
  }

  async execute(sql: string, params?: unknown[]): Promise<number> {
    try {
      return (await this.runner.query(sql, params)).affectedRows ?? 0;
    } catch (err) {
      throw this.failure(err);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.depth > 0) return savepoint(this, this.depth, fn, (d) => new PgliteQueryDb(this.runner, d, this.root));
    // PGlite queues other queries and transactions until this one ends: calling the outer Db from
    // inside `fn` would wait forever, so `fn` must use `tx`.
    try {
      return await this.root.transaction((tx) => fn(new PgliteQueryDb(tx, 1, this.root)));
    } catch (err) {
      throw this.failure(err);
    }
  }

  /**
   * PGlite runs in this process, so its only "lost connection" is the instance closing under a run
   * (closed elsewhere, or its WASM aborted); it then fails with internal TypeErrors. That is said
   * plainly, and as final: it does not come back by waiting.
   */
  private failure(err: unknown): unknown {
    const closing = this.root.closed || (err instanceof Error && /PGlite is clos(ed|ing)/.test(err.message));
    if (closing && !(err instanceof BubbleError))
      return new DatabaseConnectionLostError('the embedded database (PGlite) was closed while the run used it', err, true);
    return asDbError(err);
  }

  async close(): Promise<void> {
    // Only the top-level Db owns the instance; see PgliteDb.
  }
}

export class PgliteDb extends PgliteQueryDb {
  constructor(
    readonly pglite: PGlite,
    readonly dir: string | undefined,
    private readonly unlock: () => void,
  ) {
    super(pglite, 0, pglite);
  }

  override async close(): Promise<void> {
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      this.unlock();
    }
  }
}

/**
 * Opens (creating when missing) the PGlite database in `dir`, or an in-memory one when `dir` is
 * undefined. Throws PgliteLockedError when another process or another open here holds the folder.
 * A new database starts from the packed template (runtime/db/pglite-template.ts) rather than initdb.
 */
export async function openPglite(dir: string | undefined, holder?: string): Promise<PgliteDb> {
  if (dir === undefined)
    return new PgliteDb(await PGlite.create({ parsers, startParams, ...inMemoryTemplate() }), undefined, () => undefined);
  const abs = resolve(dir);
  mkdirSync(dirname(abs), { recursive: true });
  const unlock = lockFolder(abs, holder);
  try {
    // A new database is unpacked from the packed template (runtime/db/pglite-template.ts) rather than made by initdb.
    if (!existsSync(abs) || readdirSync(abs).length === 0) {
      rmSync(abs, { recursive: true, force: true });
      if (!(await unpackPgliteTemplate(abs))) mkdirSync(abs, { recursive: true });
    }
    const pglite = await PGlite.create({ dataDir: abs, parsers, startParams });
    return new PgliteDb(pglite, abs, unlock);
  } catch (err) {
    unlock();
    if (err instanceof PgliteLockedError) throw err;
    throw new DatabaseUnreachableError(
      `Cannot open the embedded database in ${abs}: ${err instanceof Error ? err.message : String(err)}`,
      'Is the folder a PGlite database from a compatible version? Move it away to start a fresh one, or set DATABASE_URL.',
      err,
    );
  }
}

/** In memory the template is loaded by PGlite itself (there is no folder to unpack into). */
function inMemoryTemplate(): { loadDataDir?: Blob } {
  const template = readPgliteTemplate();
  return template ? { loadDataDir: template } : {};
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
  /** What holds it, e.g. `bubble-runtime listen` (named in the refusal other processes get). */
  holder?: string;
}

/** Takes `<dir>.lock` (exclusive create); a lock left by a dead process on this host is taken over. */
function lockFolder(abs: string, holder: string | undefined): () => void {
  if (openHere.has(abs)) throw new PgliteLockedError(abs, `this process (pid ${process.pid})`);
  const path = `${abs}.lock`;
  const me: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(holder ? { holder } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      openHere.add(abs);
      return () => {
        openHere.delete(abs);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readLock(path);
    if (owner && owner.host === me.host && !alive(owner.pid)) {
      unlinkSync(path); // stale: its process died without closing
      continue;
    }
    if (owner && owner.host === me.host && owner.pid === process.pid) {
      unlinkSync(path); // ours from an earlier open that was not closed in this process's registry
      continue;
    }
    const who = owner
      ? `${owner.holder ? `${owner.holder}, ` : ''}process ${owner.pid} on ${owner.host} (since ${owner.since})`
      : `another process (lock file ${path})`;
    throw new PgliteLockedError(abs, who);
  }
  throw new PgliteLockedError(abs, `another process (lock file ${path})`);
}

function readLock(path: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return {
        pid: parsed.pid,
        host: parsed.host,
        since: String(parsed.since ?? '?'),
        ...(typeof parsed.holder === 'string' ? { holder: parsed.holder } : {}),
      };
    }
  } catch {
    // unreadable or half-written: treated as held by an unknown process
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
