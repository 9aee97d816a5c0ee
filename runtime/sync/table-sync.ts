/**
 * Syncs one table of a job: keyset windows one after another, pages inside a window fetched in
 * parallel (up to `concurrency`, every request through the client's shared rate limiter), each page
 * committed together with its ledger row and — when it extends the contiguous, overlap-verified
 * prefix — the watermark. Commits are serialised (they are short); fetches overlap.
 */
import type { ProgressEvent, SyncMode } from '../api.js';
import type { ManifestType } from '../../generator/manifest/types.js';
import type { Db } from '../db/types.js';
import { BubbleError } from '../errors.js';
import type { SyncCursorService, SyncCursorRow } from './cursor-service.js';
import {
  advancePrefix, keyField, lastPageIndex, PAGE_LIMIT, PAGE_STEP, pageOffset, recordKey, windowConstraints,
  type PageMark, type Prefix,
} from './keyset.js';
import type { BubbleRecord, PageSource, PageWriter } from './ports.js';

export interface TableSyncContext {
  db: Db;
  cursors: SyncCursorService;
  source: PageSource;
  writer: PageWriter;
  type: ManifestType;
  jobId: string;
  mode: SyncMode;
  concurrency: number;
  maxOffset: number;
  /** Where window 0 of an incremental pass starts (high-water mark minus the overlap); null = everything. */
  since: string | null;
  signal?: AbortSignal;
  emit: (event: ProgressEvent) => void;
}

export type TableOutcome = { kind: 'complete' } | { kind: 'interrupted' };

type WindowResult =
  | { kind: 'end' }
  | { kind: 'interrupted' }
  | { kind: 'close'; reason: 'shifted' | 'refused' | 'max-offset' | 'grew'; prefix: Prefix; refusedAt: number | null; remainingAfter: number | null };

/** Restarting a window at the same key is progress only while records keep vanishing; bound it. */
const MAX_RESTARTS_AT_SAME_KEY = 20;

export class KeyTiesError extends BubbleError {
  constructor(type: string, key: string, field: string) {
    super('SYNC_KEY_TIES', `More records of ${type} share ${field} ${key} than the app lets offset paging reach: it refused a deeper offset.`, {
      hint: 'Records sharing one timestamp can only be paged by offset, and Bubble refuses offsets past about 50,000 (fewer on some plans). Everything before them is committed; check the app\'s Data API limits.',
    });
  }
}

export async function syncTable(ctx: TableSyncContext, cursor: SyncCursorRow): Promise<TableOutcome> {
  const { cursors, type, jobId } = ctx;
  let windowIndex = cursor.windowIndex;
  let windowStart = cursor.windowStart;
  if (cursor.status === 'PENDING') {
    windowIndex = 0;
    windowStart = ctx.since;
    await cursors.openWindow(type.table, jobId, 0, windowStart);
  }
  const startNext = Math.floor(cursor.currentCursor / PAGE_STEP);
  let prefix: Prefix = cursor.status === 'PENDING' || startNext === 0
    ? { next: 0, lastId: null, lastKey: null }
    : { next: startNext, lastId: cursor.lastId, lastKey: cursor.lastKey };
  let synced = cursor.syncedRecords;
  let restarts = 0;
  // The app's offset limit, once it refused one: later windows stop short of it instead of asking again.
  let maxIndex = lastPageIndex(ctx.maxOffset);
  // Whether the next window is known to hold records: then its first wave fans out at once; otherwise
  // page 0 goes alone and its `remaining` tells how many pages to request (no requests past the end).
  let knownNonEmpty = false;

  for (;;) {
    const result = await syncWindow(ctx, windowIndex, windowStart, prefix, maxIndex, knownNonEmpty, cursor.totalRecords, synced, (n) => (synced += n));
    if (result.kind === 'end') return { kind: 'complete' };
    if (result.kind === 'interrupted') return { kind: 'interrupted' };
    if (result.refusedAt !== null && result.refusedAt >= 2) maxIndex = Math.min(maxIndex, result.refusedAt - 1);
    const at = result.prefix.lastKey;
    if (at === null) {
      throw new BubbleError('SYNC_PAGING', `Bubble refused the first page of a window of ${type.name} (offset 0).`, {
        hint: 'Check the app is reachable and the type is exposed in the Data API settings, then run sync again to resume.',
      });
    }
    if (at === windowStart) {
      if (result.reason === 'refused' || result.reason === 'max-offset') throw new KeyTiesError(type.name, at, keyField(ctx.mode));
      if (++restarts > MAX_RESTARTS_AT_SAME_KEY) {
        throw new BubbleError('SYNC_UNSTABLE', `Records of ${type.name} kept moving while paging at ${keyField(ctx.mode)} ${at}.`, {
          hint: 'The app is changing faster than it can be read; run sync again (it resumes from here).',
        });
      }
    } else {
      restarts = 0;
    }
    knownNonEmpty = result.remainingAfter !== null && result.remainingAfter > 0;
    windowIndex += 1;
    windowStart = at;
    prefix = { next: 0, lastId: null, lastKey: null };
    await cursors.openWindow(type.table, jobId, windowIndex, windowStart);
  }
}

async function syncWindow(
  ctx: TableSyncContext,
  windowIndex: number,
  windowStart: string | null,
  from: Prefix,
  maxIndex: number,
  fanOut: boolean,
  knownTotal: number | null,
  syncedBefore: number,
  addSynced: (n: number) => number,
): Promise<WindowResult> {
  const { db, cursors, source, writer, type, jobId, mode } = ctx;
  const table = type.table;
  const constraints = windowConstraints(mode, windowStart);
  const sortField = keyField(mode);
  const watermarkAt = (p: Prefix) => ({ windowIndex, windowStart, lastId: p.lastId, lastKey: p.lastKey });

  // Pages of this window that committed after the watermark before an interruption count as done.
  const done = await cursors.windowPages(table, jobId, windowIndex, from.next);
  let prefix = from;
  let outcome: { kind: 'end' } | { kind: 'shifted' } | null = null;
  const preloaded = advancePrefix(done, prefix);
  if (preloaded.prefix.next !== prefix.next) {
    await cursors.updateCursor(table, jobId, pageOffset(preloaded.prefix.next), 0, watermarkAt(preloaded.prefix));
  }
  prefix = preloaded.prefix;
  outcome = preloaded.outcome;

  let total = knownTotal;
  let synced = syncedBefore;
  let stopAt = Number.POSITIVE_INFINITY;
  let failure: unknown = null;
  let refusedAt: number | null = null;
  // Until one answer says how big the window is, only one page is requested (unless known non-empty).
  let sized = fanOut || from.next > 0;
  const remainingOf = new Map<number, number>();
  let next = prefix.next;
  const running = new Map<number, Promise<void>>();
  let commitChain: Promise<unknown> = Promise.resolve();

  const commit = async (index: number, records: BubbleRecord[], startedAt: number, pageTotal: number | null): Promise<void> => {
    const last = records[records.length - 1];
    const mark: PageMark = {
      count: records.length,
      firstId: records[0]?._id ?? null,
      lastId: last?._id ?? null,
      lastKey: last ? recordKey(last, mode) : null,
    };
    const tentative = new Map(done).set(index, mark);
    const advanced = advancePrefix(tentative, prefix);
    const written = await db.transaction(async (tx) => {
      const result = await writer.write(tx, type, records, { jobId, position: pageOffset(index) });
      const c = cursors.in(tx);
      await c.recordPage(table, jobId, {
        ...mark, windowIndex, pageIndex: index, offset: pageOffset(index), rawOnly: result.rawOnly,
        startedAt: new Date(startedAt).toISOString(),
      });
      await c.updateCursor(table, jobId, pageOffset(advanced.prefix.next), result.written, watermarkAt(advanced.prefix));
      if (pageTotal !== null) await c.setTotal(table, jobId, pageTotal);
      return result.written;
    });
    // Only after the commit: memory never runs ahead of what a resume would see.
    done.set(index, mark);
    prefix = advanced.prefix;
    if (advanced.outcome && !outcome) outcome = advanced.outcome;
    if (pageTotal !== null) total = pageTotal;
    synced = addSynced(written);
    ctx.emit({ kind: 'page-done', type: type.name, records: written, done: synced, total, inFlight: running.size, startedAt });
  };

  const launch = (index: number): void => {
    const startedAt = Date.now();
    const task = (async () => {
      try {
        // In-flight pages are not aborted: SIGINT stops after they commit.
        const response = await source.fetchPage(type.name, { offset: pageOffset(index), limit: PAGE_LIMIT, constraints, sortField });
        if (response.results.length < PAGE_LIMIT) stopAt = Math.min(stopAt, index + 1);
        // `remaining` says where the window ends: pages past it are not requested. Records that arrive
        // later make the last page full instead of short; the window then closes and the next one reads on.
        const windowSize = pageOffset(index) + response.results.length + response.remaining;
        stopAt = Math.min(stopAt, Math.max(0, Math.ceil((windowSize - PAGE_LIMIT) / PAGE_STEP)) + 1);
        remainingOf.set(index, response.remaining);
        sized = true;
        const pageTotal = windowIndex === 0 && index === 0 ? response.results.length + response.remaining : null;
        const mine = commitChain.then(() => commit(index, response.results, startedAt, pageTotal));
        commitChain = mine.catch(() => undefined);
        await mine;
      } catch (err) {
        if (source.isOffsetRefusal(err)) {
          refusedAt = Math.min(refusedAt ?? index, index);
          stopAt = Math.min(stopAt, index);
        } else if (failure === null) {
          failure = err;
        }
      } finally {
        running.delete(index);
      }
    })();
    running.set(index, task);
  };

  // A window whose records so far all share its start key can only be paged by offset (a new window
  // would start at the same key): it may go past BUBBLE_MAX_OFFSET, up to where the app refuses.
  const depthLimit = (): number => (windowStart !== null && prefix.lastKey === windowStart ? Number.POSITIVE_INFINITY : maxIndex);

  for (;;) {
    if (!outcome && failure === null && !ctx.signal?.aborted) {
      while (running.size < (sized ? ctx.concurrency : 1) && next < stopAt && next <= depthLimit()) {
        if (!done.has(next)) launch(next);
        next += 1;
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await commitChain;

  if (failure !== null) throw failure;
  if (outcome?.kind === 'end') return { kind: 'end' };
  const remainingAfter = prefix.next > 0 ? (remainingOf.get(prefix.next - 1) ?? null) : null;
  if (outcome?.kind === 'shifted') return { kind: 'close', reason: 'shifted', prefix, refusedAt, remainingAfter };
  if (ctx.signal?.aborted) return { kind: 'interrupted' };
  const reason = refusedAt !== null && prefix.next === refusedAt ? 'refused' : prefix.next > maxIndex ? 'max-offset' : 'grew';
  return { kind: 'close', reason, prefix, refusedAt, remainingAfter };
}
