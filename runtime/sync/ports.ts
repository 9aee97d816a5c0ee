/**
 * What the sync engine needs from its neighbours, kept narrow so the engine is tested against real
 * parts and each neighbour can change inside its own folder: the Bubble client (pages) and the writer
 * (convert + one set-based upsert per page).
 */
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import type { BubbleConstraint } from './keyset.js';

export type BubbleRecord = Record<string, unknown> & { _id: string };

export interface PageRequest {
  offset: number;
  limit: number;
  constraints: BubbleConstraint[];
  /** Ascending sort on this key, `_id` as the tie-breaker. */
  sortField: string;
  /** Ask Bubble not to count the records after the page (`remaining` is then null): probes need no count. */
  excludeRemaining?: boolean;
  /** Attempts before a failure is final (default: the client's policy). Counting an unbounded window asks for few. */
  maxAttempts?: number;
}

export interface PageResponse {
  results: BubbleRecord[];
  /** Records after this page, as Bubble reports it; null when it did not count them. */
  remaining: number | null;
}

export interface PageSource {
  /**
   * Which app the pages come from (the client's normalised URL: origin + path such as `/version-test`,
   * never a token or query). A job records it, so one app's watermark or unfinished job is never used
   * for another; a source without one matches any job.
   */
  readonly appUrl?: string;
  fetchPage(type: string, request: PageRequest, signal?: AbortSignal): Promise<PageResponse>;
  /** True when `err` is Bubble refusing an offset that is too deep (closes the keyset window instead of failing). */
  isOffsetRefusal(err: unknown): boolean;
  /**
   * True when `err` says the app could not answer in time (gateway timeouts, 5xx after retries): a query
   * matching very many records times out while Bubble counts them, so the window is made smaller.
   */
  isQueryTimeout?(err: unknown): boolean;
  /** Recent latency of one request to the app, ms (null before any answer): sizes the pages kept in flight. */
  observedLatencyMs?(): number | null;
  /**
   * The records among `ids` (at most 100) that the app still has. Rows a full pass did not see are
   * confirmed missing this way before they are marked deleted.
   */
  findExisting(type: string, ids: readonly string[], signal?: AbortSignal): Promise<BubbleRecord[]>;
}

export interface WriteContext {
  jobId: string;
  /** Offset of the first record inside its window, stored on each row as `_sync_cursor_position`. */
  position: number;
  /** Per-record positions when the records come from several pages (overrides `position` + index). */
  positions?: readonly number[];
}

export interface WriteResult {
  /** Rows inserted or changed (unchanged rows are not counted). */
  written: number;
  /** Records written with at least one value kept only in the unmapped/raw copy. */
  rawOnly: number;
  /** Records kept in the rejects table instead of the type's table (no usable `_id`, or refused by the database). */
  rejected: number;
  /** Strings (values and keys) in which characters PostgreSQL cannot store were replaced by U+FFFD. */
  replaced: number;
}

export interface PageWriter {
  /**
   * Writes one page's records as fetched (records without a usable `_id` and repeated ids included)
   * with one set-based upsert inside `tx`; records that cannot be written go to the rejects table in
   * the same transaction. Rows are stamped with the job id and marked not deleted.
   */
  write(tx: Db, type: ManifestType, records: BubbleRecord[], context: WriteContext): Promise<WriteResult>;
}
