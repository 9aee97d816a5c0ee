/**
 * Syncs one table of a job: keyset windows one after another (keyset.ts), the pages of a window fetched
 * in parallel through the job's page pool (every request through the client's shared rate limiter),
 * committed by the job's committer together with their ledger rows and the watermark. A window that
 * may hold more records than one window should (the table's first window when the local copy says the
 * table is big, any open window whose first page counts too many, or whose count timed out) is bounded
 * first by a probe: one record at offset `target − 1`, not counted, whose key becomes the window's end.
 * The next window's probe runs while the current window is read.
 */
import { setMaxListeners } from 'node:events';
import type { ProgressEvent, SyncMode } from '../api.js';
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { readColumnTypes } from '../db/upsert.js';
import { BubbleError } from '../../core/errors.js';
import type { Committer } from './committer.js';
import type { SyncCursorRow } from './state-store.js';
import {
  EMPTY_PREFIX,
  isTieWindow,
  keyField,
  lastPageIndex,
  PAGE_LIMIT,
  PAGE_STEP,
  pageOffset,
  pagesFor,
  recordKey,
  reportedSize,
  tieWindow,
  windowConstraints,
  type PageMark,
  type Prefix,
  type Window,
} from './keyset.js';
import type { PagePool } from './page-pool.js';
import type { BubbleRecord, PageRequest, PageResponse, PageSource } from './ports.js';
import { ident } from './sql.js';

export interface TableSyncContext {
  db: Db;
  source: PageSource;
  /** Writes the table's cursor: windows opened, pages and the watermark committed. */
  committer: Committer;
  pool: PagePool;
  type: ManifestType;
  jobId: string;
  mode: SyncMode;
  /** The table's place in the job: a lower number gets page slots first. */
  priority: number;
  /** Pages of this table to keep requested at once (the pool bounds the whole job). */
  concurrency: () => number;
  /** Records one window may hold (BUBBLE_MAX_OFFSET): no request pages or counts deeper than that. */
  maxOffset: number;
  /** Where an incremental pass starts (high-water mark minus the overlap); null = everything. */
  since: string | null;
  signal: AbortSignal;
  emit: (event: ProgressEvent) => void;
}

/** How reading a table's pass ended: every window read, or stopped by the signal (what was fetched is committed). */
export type TableRead = { kind: 'read' } | { kind: 'stopped' };

type CloseReason = 'shifted' | 'short' | 'refused' | 'max-offset';

type WindowResult =
  | { kind: 'end' }
  | { kind: 'stopped' }
  /** An open window holds more than one window may (or could not be counted): bound it with a probe. */
  | { kind: 'too-big'; timedOut: boolean }
  | { kind: 'close'; reason: CloseReason; prefix: Prefix; refusedAt: number | null };

/** Reading the same stretch again is progress only while records keep moving; bound it. */
const MAX_RESTARTS_AT_SAME_KEY = 20;
/** Halvings of the window size after counting queries time out, before giving up. */
const MAX_SHRINKS = 8;
/** The smallest window a timeout may shrink to. */
const MIN_TARGET = 2 * PAGE_LIMIT;
/** Pages of a window fetched or waiting for the committer, in multiples of the pages in flight. */
const PENDING_ROUNDS = 2;
/** Attempts for a count that may be too big for the app to finish: a timeout then shrinks the window instead. */
const COUNT_ATTEMPTS = 2;

export class KeyTiesError extends BubbleError {
  constructor(type: string, key: string, field: string) {
    super(
      'SYNC_KEY_TIES',
      `More records of ${type} share ${field} ${key} than the app lets offset paging reach: it refused a deeper offset.`,
      {
        hint: "Records sharing one timestamp can only be paged by offset, and Bubble refuses offsets past about 50,000 (fewer on some plans). Everything before them is committed; check the app's Data API limits.",
      },
    );
  }
}

/** What a table's pass learns as it goes: the app's limits and the counters shown on progress events. */
interface PassState {
  /** Records per bounded window (the probe looks at offset target − 1). */
  target: number;
  /** Deepest page index outside tie windows (BUBBLE_MAX_OFFSET, or the app's own cap once it refused one). */
  maxIndex: number;
  /** False once the app refused even the smallest probe: windows are then paged by offset only. */
  boundable: boolean;
  restarts: number;
  shrinks: number;
  synced: number;
  total: number | null;
}

export async function syncTable(ctx: TableSyncContext, cursor: SyncCursorRow): Promise<TableRead> {
  const { committer, type, jobId } = ctx;
  const state: PassState = {
    target: Math.max(MIN_TARGET, ctx.maxOffset),
    maxIndex: lastPageIndex(ctx.maxOffset),
    boundable: true,
    restarts: 0,
    shrinks: 0,
    synced: cursor.syncedRecords,
    total: cursor.totalRecords,
  };
  let window: Window;
  let counted: boolean;
  let prefix: Prefix;
  let expected: number | null = null;
  if (cursor.status === 'PENDING') {
    window = { index: 0, start: ctx.since, end: null };
    counted = true;
    // The local copy says the stretch is big: bound the first window before asking Bubble to count it.
    if ((await localRowsFrom(ctx, ctx.since, state.target)) > state.target) {
      window = windowAt(0, ctx.since, await probe(ctx, state, ctx.since));
      expected = window.end !== null && !isTieWindow(window) ? state.target : null;
    }
    await committer.openWindow(type.table, jobId, window, counted);
    prefix = EMPTY_PREFIX;
  } else {
    window = { index: cursor.windowIndex, start: cursor.windowStart, end: cursor.windowEnd };
    counted = cursor.windowCounted;
    const next = Math.floor(cursor.currentCursor / PAGE_STEP);
    prefix = next === 0 ? EMPTY_PREFIX : { next, lastId: cursor.lastId, lastKey: cursor.lastKey };
  }
  // The probe for the window after this one (it starts where this one ends), run while this one is read.
  let ahead = null as { from: string; key: Promise<string | null> } | null;

  for (;;) {
    if (window.end !== null && !isTieWindow(window) && ahead?.from !== window.end) {
      const key = probe(ctx, state, window.end);
      key.catch(() => undefined); // awaited (and its error raised) only when that window is reached
      ahead = { from: window.end, key };
    }
    const result = await readWindow(ctx, state, { window, counted, from: prefix, expected });
    let next: Window;
    let nextCounted = false;
    expected = null;
    if (result.kind === 'stopped') return { kind: 'stopped' };
    if (result.kind === 'end') {
      if (window.end === null) return { kind: 'read' };
      // A window read to its end is progress: restarts count again from zero.
      state.restarts = 0;
      nextCounted = counted;
      if (isTieWindow(window)) {
        next = { index: window.index + 1, start: window.end, end: null };
      } else {
        const key = ahead?.from === window.end ? await ahead.key : await probe(ctx, state, window.end);
        next = windowAt(window.index + 1, window.end, key);
        if (next.end !== null && !isTieWindow(next)) expected = state.target;
      }
    } else if (result.kind === 'too-big') {
      // A bounded window that still could not be counted is halved; an open one is bounded.
      if (window.end !== null) shrinkAfterTimeout(state, type.name);
      nextCounted = counted;
      next = windowAt(window.index + 1, window.start, await probe(ctx, state, window.start));
      if (next.end === null && state.boundable) {
        // The probe found fewer than `target` records although the count said more (or could not
        // count): try a smaller window, a bounded number of times.
        shrinkAfterTimeout(state, type.name);
        next = windowAt(window.index + 1, window.start, await probe(ctx, state, window.start));
      }
      if (next.end !== null && !isTieWindow(next)) expected = state.target;
    } else {
      if (result.refusedAt !== null && result.refusedAt >= 2) {
        // The app's own offset cap: later windows stay clear of it.
        state.maxIndex = Math.min(state.maxIndex, result.refusedAt - 1);
        state.target = Math.min(state.target, Math.max(MIN_TARGET, pageOffset(result.refusedAt)));
      }
      next = continuation(ctx, state, window, result);
      if (state.restarts >= 2 && next.start === window.start && next.end === window.end) {
        // The same query again may get the same answer (an app that answers this exact query with an
        // empty page every time): from the second restart on, each restart bounds the window at another
        // record, which makes the query another one.
        const key = await probe(ctx, state, window.start, PAGE_LIMIT * (1 + (state.restarts % 3)) - 1);
        if (key !== null && (window.end === null || Date.parse(key) < Date.parse(window.end)))
          next = windowAt(next.index, window.start, key);
      }
    }
    if (next.end !== null && next.start !== null && Date.parse(next.start) >= Date.parse(next.end)) {
      // A stretch already read to its end (the previous window's last page went past it).
      next = { ...next, start: next.end };
    }
    window = next;
    counted = nextCounted;
    prefix = EMPTY_PREFIX;
    await committer.openWindow(type.table, jobId, window, counted);
  }
}

/** The window after a closed one: from its last verified key, or the same stretch again, or its ties. */
function continuation(ctx: TableSyncContext, state: PassState, window: Window, result: Extract<WindowResult, { kind: 'close' }>): Window {
  const at = result.prefix.lastKey;
  const index = window.index + 1;
  const progressed = at !== null && (window.start === null || Date.parse(at) > Date.parse(window.start));
  if (progressed) {
    state.restarts = 0;
    return { index, start: at, end: window.end };
  }
  if ((result.reason === 'refused' || result.reason === 'max-offset') && window.start !== null && at !== null) {
    // Every record read so far shares the window's start key: only offset paging can reach past them.
    if (isTieWindow(window)) throw new KeyTiesError(ctx.type.name, at, keyField(ctx.mode));
    return tieWindow(index, window.start);
  }
  if (++state.restarts > MAX_RESTARTS_AT_SAME_KEY) {
    throw new BubbleError(
      'SYNC_UNSTABLE',
      `Records of ${ctx.type.name} kept moving while paging ${window.start === null ? 'from the first record' : `at ${keyField(ctx.mode)} ${window.start}`}.`,
      {
        hint: 'The app is changing faster than it can be read, or keeps answering short pages; run sync again (it resumes from here).',
      },
    );
  }
  return { index, start: window.start, end: window.end };
}

/** Halves the window size after a count timed out; gives up (clearly) after a few halvings. */
function shrinkAfterTimeout(state: PassState, type: string): void {
  if (++state.shrinks > MAX_SHRINKS || state.target <= MIN_TARGET) {
    throw new BubbleError('SYNC_COUNT_TIMEOUT', `Bubble kept timing out counting records of ${type}, even in small windows.`, {
      hint: 'The app may be overloaded; everything before this point is committed. Run sync again later (it resumes from here).',
    });
  }
  state.target = Math.max(MIN_TARGET, Math.floor(state.target / 2));
}

/** The window starting at `start` whose end a probe found (`key`: the record at offset target − 1, if any). */
function windowAt(index: number, start: string | null, key: string | null): Window {
  if (key === null) return { index, start, end: null };
  if (start !== null && Date.parse(key) <= Date.parse(start)) return tieWindow(index, start);
  return { index, start, end: key };
}

/**
 * The key of the record at offset target − 1 (or `offset`) from `start` (uncounted, so it cannot time
 * out); null when there is none. An app whose offset cap is below the target refuses the probe: the target shrinks.
 */
async function probe(ctx: TableSyncContext, state: PassState, start: string | null, offset?: number): Promise<string | null> {
  for (;;) {
    try {
      const response = await fetchWithSlot(ctx, ctx.priority - 0.5, ctx.signal, {
        offset: offset ?? state.target - 1,
        limit: 1,
        constraints: windowConstraints(ctx.mode, { start, end: null }),
        sortField: keyField(ctx.mode),
        excludeRemaining: true,
      });
      const record = response.results[0];
      return record ? recordKey(record, ctx.mode) : null;
    } catch (err) {
      if (!ctx.source.isOffsetRefusal(err)) throw err;
      if (state.target <= MIN_TARGET) {
        // Not even a small window can be probed: read the rest by offset, closing windows at the cap.
        state.boundable = false;
        return null;
      }
      state.target = Math.max(MIN_TARGET, Math.floor(state.target / 2));
      state.maxIndex = Math.min(state.maxIndex, lastPageIndex(state.target));
    }
  }
}

async function fetchWithSlot(ctx: TableSyncContext, priority: number, signal: AbortSignal, request: PageRequest): Promise<PageResponse> {
  const release = await ctx.pool.acquire(priority, signal);
  try {
    return await ctx.source.fetchPage(ctx.type.name, request, signal);
  } finally {
    release();
  }
}

/** Rows of the local copy at or after `since` on the pass's key, counted up to `cap + 1` (cheap on any size). */
async function localRowsFrom(ctx: TableSyncContext, since: string | null, cap: number): Promise<number> {
  const s = ctx.type.standard;
  const name = ctx.mode === 'full' ? s.bubbleCreatedAt : s.bubbleModifiedAt;
  const utc = (await readColumnTypes(ctx.db, ctx.type.table)).get(name)?.includes('without time zone') ?? false;
  const where = since === null ? '' : ` WHERE ${ident(name)} >= ${utc ? `($2::timestamptz AT TIME ZONE 'UTC')` : '$2::timestamptz'}`;
  const params: unknown[] = [cap + 1];
  if (since !== null) params.push(since);
  const [row] = await ctx.db.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM ${ident(ctx.type.table)}${where} LIMIT $1) AS r`,
    params,
  );
  return Number(row?.n ?? 0);
}

function markOf(records: BubbleRecord[], remaining: number | null, mode: SyncMode): PageMark {
  const last = records[records.length - 1];
  const first = records[0];
  return {
    count: records.length,
    firstId: typeof first?._id === 'string' ? first._id : null,
    lastId: typeof last?._id === 'string' ? last._id : null,
    lastKey: last ? recordKey(last, mode) : null,
    remaining,
  };
}

/** One window to read, and where its reading starts. */
interface WindowRead {
  window: Window;
  /** Whether its first page adds to the pass's reported count (it starts a new stretch of keys). */
  counted: boolean;
  /** The verified prefix to continue from (empty for a new window). */
  from: Prefix;
  /** Records it holds when a probe bounded it (its pages can be fanned out at once); null = unknown. */
  expected: number | null;
}

/**
 * Reads one window: pages fanned out (when its size is known) or one page first (to learn it), each
 * committed with the watermark, until the prefix's verdict — its end, or a reason to close it.
 */
async function readWindow(ctx: TableSyncContext, state: PassState, read: WindowRead): Promise<WindowResult> {
  const { type, jobId, mode } = ctx;
  const { window, counted, expected } = read;
  if (window.start !== null && window.end !== null && Date.parse(window.start) >= Date.parse(window.end)) return { kind: 'end' };
  const ledger = await ctx.committer.ledger(type.table, jobId, window, read.from);

  const constraints = windowConstraints(mode, window);
  const sortField = keyField(mode);
  const open = window.end === null;
  const tie = isTieWindow(window);
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // Every request in flight listens to it (up to the pool's 16, plus waiters): not a leak.
  setMaxListeners(0, signal);

  let stopAt = expected !== null ? pagesFor(expected) : Number.POSITIVE_INFINITY;
  let sized = expected !== null;
  let failure: unknown = null;
  let refusedAt: number | null = null;
  let tooBig: { timedOut: boolean } | null = null;
  let next = ledger.prefix.next;
  // Tasks of this window (fetching or waiting for their commit), and how many are still fetching: a
  // fetched page waiting for the committer frees its fetch slot, so fetches go on while commits run.
  const inFlight = new Set<Promise<void>>();
  let fetching = 0;
  let wake: () => void = () => undefined;

  const launch = (index: number): void => {
    fetching += 1;
    const fetched = (): void => {
      fetching -= 1;
      wake();
    };
    const task = (async () => {
      let release: () => void;
      try {
        release = await ctx.pool.acquire(ctx.priority, signal);
      } catch {
        fetched();
        return; // stopped while waiting for a slot
      }
      const startedAt = Date.now();
      const firstOfOpen = open && index === 0 && !tie;
      let response: PageResponse;
      try {
        response = await ctx.source.fetchPage(
          type.name,
          { offset: pageOffset(index), limit: PAGE_LIMIT, constraints, sortField, ...(firstOfOpen ? { maxAttempts: COUNT_ATTEMPTS } : {}) },
          signal,
        );
      } catch (err) {
        if (signal.aborted) return; // stopped: the page is simply not done
        if (ctx.source.isOffsetRefusal(err)) {
          refusedAt = Math.min(refusedAt ?? index, index);
          stopAt = Math.min(stopAt, index);
        } else if (!tie && ctx.source.isQueryTimeout?.(err)) {
          // Counting this window took the app too long: it must be made smaller.
          tooBig = { timedOut: true };
        } else {
          failure ??= err;
        }
        return;
      } finally {
        release();
        fetched();
      }
      const mark = markOf(response.results, response.remaining, mode);
      const size = reportedSize(index, mark);
      if (size !== null) {
        // The latest answer knows the window's size best; a refused offset stays a hard stop.
        stopAt = Math.min(pagesFor(size), refusedAt ?? Number.POSITIVE_INFINITY);
        sized = true;
      }
      const overfull = firstOfOpen && state.boundable && size !== null && size > state.target;
      if (overfull) tooBig = { timedOut: false };
      const total = window.index === 0 && index === 0 && open ? size : null;
      const reported = counted && index === 0 && size !== null && !overfull ? size : 0;
      try {
        const { written } = await ctx.committer.commit({
          ledger,
          type,
          jobId,
          index,
          records: response.results,
          mark,
          startedAt,
          total,
          reported,
        });
        state.synced += written;
        if (total !== null) state.total = total;
        ctx.emit({
          kind: 'page-done',
          type: type.name,
          records: written,
          done: state.synced,
          total: state.total,
          inFlight: fetching + 1,
          startedAt,
        });
      } catch (err) {
        failure ??= err;
      }
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  // A window whose records so far all share its start key can only be paged by offset (a new window
  // would start at the same key): it may go past BUBBLE_MAX_OFFSET, up to where the app refuses.
  const depthLimit = (): number =>
    tie || (window.start !== null && ledger.prefix.lastKey === window.start) ? Number.POSITIVE_INFINITY : state.maxIndex;

  for (;;) {
    if (!ledger.outcome && failure === null && tooBig === null && !ctx.signal.aborted) {
      const limit = sized ? Math.max(1, ctx.concurrency()) : 1;
      // Fetched pages waiting for the committer are bounded too (memory), at a few rounds of fetches.
      while (fetching < limit && inFlight.size < limit * PENDING_ROUNDS && next < stopAt && next <= depthLimit()) {
        if (!ledger.has(next)) launch(next);
        next += 1;
      }
      // Never stop without a verdict: every page up to `next` is in and the last one said more remain.
      if (inFlight.size === 0 && refusedAt === null && ledger.prefix.next >= next && next <= depthLimit()) {
        stopAt = next + 1;
        continue;
      }
    }
    if (inFlight.size === 0) break;
    // Wake when a task ends or a fetch finishes (its slot can take the next page).
    await new Promise<void>((resolve) => {
      wake = resolve;
      void Promise.race(inFlight).then(resolve);
    });
    wake = () => undefined;
  }
  stop.abort();

  if (failure !== null) throw failure;
  const outcome = ledger.outcome;
  if (outcome?.kind === 'end') return { kind: 'end' };
  if (tooBig !== null) return { kind: 'too-big', timedOut: (tooBig as { timedOut: boolean }).timedOut };
  if (outcome)
    return { kind: 'close', reason: outcome.kind, prefix: ledger.prefix, refusedAt: outcome.kind === 'refused' ? outcome.at : refusedAt };
  if (ctx.signal.aborted) return { kind: 'stopped' };
  const reason: CloseReason = refusedAt !== null && ledger.prefix.next === refusedAt ? 'refused' : 'max-offset';
  return { kind: 'close', reason, prefix: ledger.prefix, refusedAt };
}
