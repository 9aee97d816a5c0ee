/**
 * Keyset windows: how a table is paged so that deletions during the sync and Bubble's refusal of deep
 * offsets cannot make it skip a record.
 *
 * A window starts at a key K (ISO time of `Created Date` in a full pass, of `Modified Date` in an
 * incremental one) and reads records with key ≥ K in ascending (key, `_id`) order by offset. Pages are
 * `PAGE_LIMIT` records long but step by `PAGE_STEP` = limit − 1, so consecutive pages share one record:
 * page i+1 must begin with the `_id` page i ended with. A deletion before a page's offset, between the
 * two requests, shifts every later offset and breaks that overlap; the window then closes at the last
 * verified key and a new window starts there (Bubble's `greater than` is strict, so the constraint is
 * K − 1 ms: records tied at K are read again and written idempotently). Offsets never pass
 * `BUBBLE_MAX_OFFSET`; a refused offset closes the window the same way.
 */
import type { SyncMode } from '../api.js';

export const PAGE_LIMIT = 100;
export const PAGE_STEP = PAGE_LIMIT - 1;

export const CREATED_KEY = 'Created Date';
export const MODIFIED_KEY = 'Modified Date';

export interface BubbleConstraint {
  key: string;
  constraint_type: string;
  value?: unknown;
}

/** The record key the windows of a mode are ordered by. */
export function keyField(mode: SyncMode): string {
  return mode === 'full' ? CREATED_KEY : MODIFIED_KEY;
}

/** Offset of page `index` inside its window. */
export function pageOffset(index: number): number {
  return index * PAGE_STEP;
}

/** The highest page index whose offset stays within `maxOffset`. */
export function lastPageIndex(maxOffset: number): number {
  return Math.floor(maxOffset / PAGE_STEP);
}

/** One millisecond before `iso`: turns Bubble's strict `greater than` into "at or after". */
export function justBefore(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`Not a date key: ${JSON.stringify(iso)}`);
  return new Date(ms - 1).toISOString();
}

/** Constraints selecting a window's records: key ≥ start (no constraint when the window starts at the beginning). */
export function windowConstraints(mode: SyncMode, start: string | null): BubbleConstraint[] {
  if (start === null) return [];
  return [{ key: keyField(mode), constraint_type: 'greater than', value: justBefore(start) }];
}

/** A committed page, as far as the watermark needs it. */
export interface PageMark {
  count: number;
  firstId: string | null;
  lastId: string | null;
  lastKey: string | null;
}

/** The end of the contiguous, verified prefix of a window's pages. */
export interface Prefix {
  /** Index of the first page not yet part of the prefix. */
  next: number;
  /** The prefix's last record (null when the prefix is empty). */
  lastId: string | null;
  lastKey: string | null;
}

export type PrefixOutcome =
  /** The prefix reached a short page: the window holds no more records. */
  | { kind: 'end' }
  /** Page `at` does not begin where the prefix ends: records moved; close the window at the prefix's last key. */
  | { kind: 'shifted'; at: number }
  | null;

/**
 * Extends the prefix over finished pages while each one begins with the record its predecessor ended
 * with. Pure: the caller commits the result in the same transaction as the page that made it move.
 */
export function advancePrefix(done: ReadonlyMap<number, PageMark>, from: Prefix): { prefix: Prefix; outcome: PrefixOutcome } {
  let prefix = from;
  for (;;) {
    const page = done.get(prefix.next);
    if (!page) return { prefix, outcome: null };
    if (prefix.next > 0 && (page.count === 0 || page.firstId !== prefix.lastId)) {
      return { prefix, outcome: { kind: 'shifted', at: prefix.next } };
    }
    if (page.count > 0) prefix = { next: prefix.next + 1, lastId: page.lastId, lastKey: page.lastKey };
    else prefix = { ...prefix, next: prefix.next + 1 };
    if (page.count < PAGE_LIMIT) return { prefix, outcome: { kind: 'end' } };
  }
}

/** The key of a record for a mode, as the ISO string Bubble sent. */
export function recordKey(record: Record<string, unknown>, mode: SyncMode): string | null {
  const value = record[keyField(mode)];
  return typeof value === 'string' ? value : null;
}
