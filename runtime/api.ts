/**
 * The runtime's public sync interface: what the generated `syncAll`/`sync<Type>` call (through
 * `prisma-generator-bubble/runtime`) and what `bubble-runtime sync --json` prints.
 */
import type { Manifest } from '../core/manifest/schema.js';

export type SyncMode = 'full' | 'incremental';
export type JobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'ERROR' | 'CANCELLED';
export type TableStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'ERROR' | 'CANCELLED';

/** One table of a run: an entry of `tables[]` in the `sync --json` document (README, Reference). */
export interface TableResult {
  /** Bubble type name. */
  type: string;
  /** Database table. */
  table: string;
  /** Records written (upserted) in this run. */
  records: number;
  pages: number;
  durationMs: number;
  status: TableStatus;
  /** Records with at least one value kept only in the raw/unmapped copy (did not fit or unknown key). */
  rawOnly: number;
  /** Records kept in the rejects table instead of this table: no usable `_id`, or refused by the database. */
  rejected: number;
  /** Rows marked deleted by this run's completed full pass. */
  softDeleted: number;
  /**
   * Rows the completed full pass found missing from Bubble but did not mark deleted: more than the
   * mass-deletion guard allows at once, or fewer records seen than Bubble reported. Applied by a full
   * pass with `allowMassDelete` (`sync --mode full --allow-mass-delete`).
   */
  heldBack: number;
  /** Strings stored with U+FFFD in place of characters PostgreSQL cannot hold (lone surrogates, NUL). */
  replaced?: number;
  /** Why `heldBack` rows were held back: `guard` (too many at once) or `incomplete` (fewer seen than reported). */
  heldBackReason?: 'guard' | 'incomplete';
}

/** Why a run failed: the typed error's code, its one-line message and what to do next. */
export interface SyncErrorInfo {
  code: string;
  message: string;
  hint?: string;
}

/** The `--json` document of `sync` and `status` (README, Reference). */
export interface SyncResult {
  jobId: string;
  mode: SyncMode;
  status: JobStatus;
  durationMs: number;
  tables: TableResult[];
  /** Set when the run failed (status ERROR): the cause, as the CLI prints it. */
  error?: SyncErrorInfo;
}

/** Options of a sync; anything unset falls back to its environment variable (README, Environment). */
export interface SyncOptions {
  /** Default: `incremental` when a completed full sync exists, else `full`. */
  mode?: SyncMode;
  /** Bubble type names to sync (default: all in load order). */
  types?: string[];
  /** Overrides BUBBLE_APP_URL. The token always comes from BUBBLE_API_TOKEN. */
  appUrl?: string;
  /** Pages in flight (SYNC_CONCURRENCY; unset: adapts to the app's latency so the rate limit is used). */
  concurrency?: number;
  /** Requests per minute, retries included (SYNC_RATE_LIMIT_RPM, default 600, 0 = no cap). */
  rateLimitRpm?: number;
  /** Deepest offset used inside one keyset window (BUBBLE_MAX_OFFSET, default 10,000). */
  maxOffset?: number;
  /** Largest share of a table's live rows one full pass may mark deleted (SYNC_MAX_DELETE_FRACTION, default 0.1). */
  maxDeleteFraction?: number;
  /** Apply deletions above that share (SYNC_ALLOW_MASS_DELETE=1 or `sync --allow-mass-delete`). */
  allowMassDelete?: boolean;
  /** Stops after in-flight pages commit; the job stays resumable. */
  signal?: AbortSignal;
  /** Where run reports go (default `./.bubble/reports`); `false` writes none. */
  reportDir?: string | false;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: 'job-start'; jobId: string; mode: SyncMode; types: string[]; resumed: boolean }
  | { kind: 'table-start'; type: string; table: string; total: number | null }
  /**
   * A page committed. `startedAt` (epoch ms, `Date.now()` clock) is when its first request was sent: the
   * run report's timeline draws the page from there to the moment this event arrives. `inFlight` counts
   * pages of this table in flight when the page was started or finished, whichever is larger.
   */
  | { kind: 'page-done'; type: string; records: number; done: number; total: number | null; inFlight: number; startedAt?: number }
  /**
   * A failed attempt that will be retried after `waitMs`; `status` is the HTTP status when there was one
   * (429 = rate limited), `retryAfterMs` the wait the app asked for in Retry-After.
   */
  | { kind: 'retry'; type: string; reason: string; waitMs: number; status?: number; retryAfterMs?: number }
  /** A request whose last attempt failed too (same fields): the sync narrows its window or the table stops. */
  | { kind: 'request-failed'; type: string; reason: string; attempts: number; status?: number; retryAfterMs?: number }
  /** Time a request waited for the shared rate limiter; `type` when the wait belongs to one table's page. */
  | { kind: 'rate-wait'; waitMs: number; type?: string }
  | { kind: 'table-done'; result: TableResult }
  | { kind: 'job-done'; result: SyncResult };

/**
 * The slice of a Prisma Client the runtime needs, typed structurally so the generated functions work
 * with the user's generated client wherever it lives.
 */
export interface PrismaLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $transaction<R>(fn: (tx: PrismaTransactionLike) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

export interface PrismaTransactionLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** What the generated code hands the runtime: the manifest it was generated with. */
export type SyncPlan = Pick<Manifest, 'types' | 'state' | 'app' | 'dictionaryHash'>;
