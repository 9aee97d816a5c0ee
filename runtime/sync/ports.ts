/**
 * What the sync engine needs from its neighbours, kept narrow so the engine is tested against real
 * parts and each neighbour can change inside its own folder: the Bubble client (pages) and the writer
 * (convert + one set-based upsert per page).
 */
import type { ManifestType } from '../../generator/manifest/types.js';
import type { Db } from '../db/types.js';
import type { BubbleConstraint } from './keyset.js';

export type BubbleRecord = Record<string, unknown> & { _id: string };

export interface PageRequest {
  offset: number;
  limit: number;
  constraints: BubbleConstraint[];
  /** Ascending sort on this key, `_id` as the tie-breaker. */
  sortField: string;
  /** Ask Bubble not to count `remaining` (the response's `remaining` is then null). */
  excludeRemaining?: boolean;
}

export interface PageResponse {
  results: BubbleRecord[];
  /** Records after this page, as Bubble reports it; null when it did not (excluded or absent). */
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
}

export interface WriteContext {
  jobId: string;
  /** Offset of the page inside its window, stored on each row as `_sync_cursor_position`. */
  position: number;
}

export interface PageWriter {
  /**
   * Writes one page's records (already deduplicated by `_id`) with one set-based upsert inside `tx`.
   * Rows are stamped with the job id and marked not deleted. Returns rows written and how many records
   * kept a value only in the unmapped/raw copy.
   */
  write(tx: Db, type: ManifestType, records: BubbleRecord[], context: WriteContext): Promise<{ written: number; rawOnly: number }>;
}
