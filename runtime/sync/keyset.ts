/**
 * Keyset windows: how a table is paged so that deletions during the sync, Bubble's deep-offset cap,
 * short pages and queries too big to count cannot make it skip a record.
 *
 * A table's pass covers the keys from its start (null in a full pass; the incremental start otherwise)
 * in windows `[start, end)` of the key (ISO time of `Created Date` in a full pass, of `Modified Date` in
 * an incremental one), read in ascending (key, `_id`) order by offset. A window is bounded (`end` set)
 * when a probe found where it must end to hold at most `target` records, so Bubble never has to match or
 * count more than that many records for one request; the last window is open. Pages are `PAGE_LIMIT`
 * long but step by `PAGE_STEP` = limit − 1, so consecutive pages share one record: page i+1 must begin
 * with the `_id` page i ended with. A window ends only when its contiguous, overlap-verified prefix of
 * pages reaches a page after which Bubble says nothing remains. Anything else — a shifted overlap
 * (records deleted or inserted before a later offset), a page shorter than the limit while records
 * remain, an empty page while records remain (Bubble's answer past its offset cap) — closes the window
 * at the last verified key and reads on from there in a new window with the same end (Bubble's
 * `greater than` is strict, so the constraint is start − 1 ms: records tied at the start are read again
 * and written idempotently).
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

/** One window of a table's pass. */
export interface Window {
  /** Sequence number of the window in the pass (the page ledger's key, never reused). */
  index: number;
  /** Inclusive lower key; null = from the very first record. */
  start: string | null;
  /** Exclusive upper key; null = open (the last window). */
  end: string | null;
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

/** How many pages a window of `size` records takes (at least one: an empty window answers one empty page). */
export function pagesFor(size: number): number {
  return Math.max(1, Math.ceil((size - PAGE_LIMIT) / PAGE_STEP) + 1);
}

/** `ms` milliseconds after (or before, when negative) an ISO key. */
export function shiftKey(iso: string, ms: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new Error(`Not a date key: ${JSON.stringify(iso)}`);
  return new Date(at + ms).toISOString();
}

/** Constraints selecting a window's records: start ≤ key < end. */
export function windowConstraints(mode: SyncMode, window: Pick<Window, 'start' | 'end'>): BubbleConstraint[] {
  const key = keyField(mode);
  const constraints: BubbleConstraint[] = [];
  if (window.start !== null) constraints.push({ key, constraint_type: 'greater than', value: shiftKey(window.start, -1) });
  if (window.end !== null) constraints.push({ key, constraint_type: 'less than', value: window.end });
  return constraints;
}

/** A window holding only the records that share `key` (more of them than one window may page past). */
export function tieWindow(index: number, key: string): Window {
  return { index, start: key, end: shiftKey(key, 1) };
}

/** Whether a window holds one key only: it may be paged past BUBBLE_MAX_OFFSET, up to the app's own cap. */
export function isTieWindow(window: Window): boolean {
  return window.start !== null && window.end !== null && Date.parse(window.end) - Date.parse(window.start) <= 1;
}

/** A fetched page, as far as the watermark needs it. */
export interface PageMark {
  count: number;
  firstId: string | null;
  lastId: string | null;
  lastKey: string | null;
  /** Records after this page as Bubble reported them; null when it did not say. */
  remaining: number | null;
}

/** The end of the contiguous, verified prefix of a window's pages. */
export interface Prefix {
  /** Index of the first page not yet part of the prefix. */
  next: number;
  /** The prefix's last record (null when the prefix is empty). */
  lastId: string | null;
  lastKey: string | null;
}

export const EMPTY_PREFIX: Prefix = { next: 0, lastId: null, lastKey: null };

export type PrefixOutcome =
  /** The prefix reached a page after which Bubble says nothing remains: the window is read. */
  | { kind: 'end' }
  /** Page `at` does not begin where the prefix ends (records moved): close the window at the prefix's last key. */
  | { kind: 'shifted'; at: number }
  /** The prefix's last page is shorter than the limit while records remain: close there and read on. */
  | { kind: 'short'; at: number }
  /** Page `at` came back empty while records remain: Bubble's answer past its offset cap. */
  | { kind: 'refused'; at: number };

/**
 * Extends the prefix over finished pages while each one begins with the record its predecessor ended
 * with, and says why it stops when it stops for good. Pure: the caller commits the result in the same
 * transaction as the pages that made it move.
 */
export function advancePrefix(done: ReadonlyMap<number, PageMark>, from: Prefix): { prefix: Prefix; outcome: PrefixOutcome | null } {
  let prefix = from;
  for (;;) {
    const page = done.get(prefix.next);
    if (!page) return { prefix, outcome: null };
    const at = prefix.next;
    if (page.count === 0) {
      // Nothing here and nothing after: the end when it is the first page; past it, records before
      // this offset vanished since the previous page was read.
      if (page.remaining === 0)
        return at === 0 ? { prefix: { ...prefix, next: 1 }, outcome: { kind: 'end' } } : { prefix, outcome: { kind: 'shifted', at } };
      // Nothing returned although records remain (or Bubble did not say): an anomaly at the first page,
      // the offset cap past it.
      if (at === 0) return { prefix, outcome: { kind: 'short', at } };
      return { prefix, outcome: page.remaining === null ? { kind: 'shifted', at } : { kind: 'refused', at } };
    }
    if (at > 0 && page.firstId !== prefix.lastId) return { prefix, outcome: { kind: 'shifted', at } };
    prefix = { next: at + 1, lastId: page.lastId, lastKey: page.lastKey };
    if (page.remaining === 0) return { prefix, outcome: { kind: 'end' } };
    if (page.count < PAGE_LIMIT) return { prefix, outcome: { kind: 'short', at } };
  }
}

/** The key of a record for a mode, as the ISO string Bubble sent. */
export function recordKey(record: Record<string, unknown>, mode: SyncMode): string | null {
  const value = record[keyField(mode)];
  return typeof value === 'string' ? value : null;
}

/** The window's size in records as one page's answer reports it (null when the page did not count). */
export function reportedSize(pageIndex: number, mark: Pick<PageMark, 'count' | 'remaining'>): number | null {
  return mark.remaining === null ? null : pageOffset(pageIndex) + mark.count + mark.remaining;
}
