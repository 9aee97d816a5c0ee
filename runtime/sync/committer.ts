/**
 * Group commit: pages fetched while a transaction runs wait for it and then commit together, so a fast
 * app is not held back by one transaction per page. One transaction per batch; inside it, per window:
 * one upsert of every record of its pages, their ledger rows and the moved watermark — the one place a
 * page and the watermark move together. A batch that fails for a reason other than a lost connection is
 * retried page by page, so one bad page fails only itself.
 *
 * It is also the only writer of a cursor's position: a new window starts here (`openWindow`), and a
 * resumed window's ledger is loaded here (`ledger`), moving the watermark over pages that were committed
 * past it before the stop.
 */
import type { ManifestType } from '../../core/manifest/schema.js';
import { isConnectionError } from '../db/errors.js';
import type { Db } from '../db/types.js';
import type { SyncStateStore } from './state-store.js';
import { pageOffset, type PageMark, type Prefix, type Window } from './keyset.js';
import type { BubbleRecord, PageWriter } from './ports.js';
import { WindowLedger } from './window-ledger.js';

export interface CommitRequest {
  ledger: WindowLedger;
  type: ManifestType;
  jobId: string;
  index: number;
  records: BubbleRecord[];
  mark: PageMark;
  /** When the page's request was sent (epoch ms). */
  startedAt: number;
  /** The table's record count to store (the first page of a pass reports it), or null. */
  total: number | null;
  /** Records Bubble reported for a window this page opens (added to the pass's reported count); 0 otherwise. */
  reported: number;
}

export interface CommitResult {
  /** Rows inserted or changed by this page. */
  written: number;
}

export interface CommitterOptions {
  /** Wraps each transaction: retries it when the database connection was lost (pages are idempotent). */
  retry?: <T>(attempt: () => Promise<T>) => Promise<T>;
  /** Most records in one transaction. */
  maxBatchRecords?: number;
}

interface Queued {
  request: CommitRequest;
  resolve: (result: CommitResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Records per transaction. PGlite runs in this process: while it writes, nothing else does (no response
 * is read, the rate limiter's slots pass unused), so its batches stay small enough to keep that short.
 */
const MAX_BATCH_RECORDS = { postgres: 2_000, prisma: 2_000, pglite: 200 } as const;

export class Committer {
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | null = null;
  private readonly retry: <T>(attempt: () => Promise<T>) => Promise<T>;
  private readonly maxBatchRecords: number;

  constructor(
    private readonly db: Db,
    private readonly store: SyncStateStore,
    private readonly writer: PageWriter,
    options: CommitterOptions = {},
  ) {
    this.retry = options.retry ?? ((attempt) => attempt());
    this.maxBatchRecords = options.maxBatchRecords ?? MAX_BATCH_RECORDS[db.kind];
  }

  /** Starts keyset window `window` of a table: its watermark restarts at offset 0; `counted`: its first page adds to the reported count. */
  async openWindow(table: string, jobId: string, window: Window, counted: boolean): Promise<void> {
    await this.store.openWindow(table, jobId, window, counted);
  }

  /**
   * The ledger of a window about to be read from `from`: the pages of it already committed (pages that
   * finished out of order before a stop) are loaded, and when they extend the verified prefix the
   * watermark moves over them now.
   */
  async ledger(table: string, jobId: string, window: Window, from: Prefix): Promise<WindowLedger> {
    const committed = await this.store.windowPages(table, jobId, window.index, Math.max(0, from.next - 1));
    const ledger = new WindowLedger(table, window, committed, from);
    if (ledger.prefix.next !== from.next) {
      const batch = { pages: [], written: 0, rawOnly: 0, replaced: 0, watermark: ledger.watermark(), total: null, reported: 0 };
      await this.retry(() => this.store.commitPages(table, jobId, batch));
    }
    return ledger;
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  /** Resolves once everything queued so far has committed or failed. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Queued[] = [];
      let records = 0;
      while (this.queue.length > 0 && (batch.length === 0 || records + this.queue[0]!.request.records.length <= this.maxBatchRecords)) {
        const next = this.queue.shift()!;
        records += next.request.records.length;
        batch.push(next);
      }
      try {
        const results = await this.retry(() => this.write(batch.map((q) => q.request)));
        batch.forEach((q, i) => q.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1 || isConnectionError(err)) {
          for (const q of batch) q.reject(err);
          continue;
        }
        for (const q of batch) {
          try {
            const [result] = await this.retry(() => this.write([q.request]));
            q.resolve(result!);
          } catch (single) {
            q.reject(single);
          }
        }
      }
    }
  }

  /** One transaction for `requests`; resolves to each page's share of the rows written. */
  private async write(requests: CommitRequest[]): Promise<CommitResult[]> {
    const groups = new Map<WindowLedger, CommitRequest[]>();
    for (const r of requests) {
      const group = groups.get(r.ledger);
      if (group) group.push(r);
      else groups.set(r.ledger, [r]);
    }
    const staged = [...groups].map(([ledger, pages]) => ({ ledger, pages, prefix: ledger.stage(pages) }));
    const written = await this.db.transaction(async (tx) => {
      const store = this.store.in(tx);
      const counts = new Map<CommitRequest, number>();
      for (const { ledger, pages, prefix } of staged) {
        const { type, jobId } = pages[0]!;
        const { records, positions, distinct } = merge(pages);
        const result = await this.writer.write(tx, type, records, { jobId, position: 0, positions });
        await store.commitPages(type.table, jobId, {
          pages: pages.map((p) => ({
            ...p.mark,
            windowIndex: ledger.window.index,
            pageIndex: p.index,
            offset: pageOffset(p.index),
            rawOnly: 0,
            startedAt: new Date(p.startedAt).toISOString(),
          })),
          written: result.written,
          rawOnly: result.rawOnly,
          replaced: result.replaced,
          watermark: ledger.watermark(prefix.prefix),
          total: pages.reduce<number | null>((t, p) => p.total ?? t, null),
          reported: pages.reduce((s, p) => s + p.reported, 0),
        });
        // Rows written are shared out over the pages in order, each taking at most its new records.
        let left = result.written;
        pages.forEach((p, i) => {
          const share = Math.min(left, distinct[i]!);
          counts.set(p, share);
          left -= share;
        });
      }
      return counts;
    });
    for (const { ledger, pages, prefix } of staged) ledger.apply(pages, prefix);
    return requests.map((r) => ({ written: written.get(r) ?? 0 }));
  }
}

/** The records of several pages, each `_id` once (pages overlap by one record), with their positions. */
function merge(pages: CommitRequest[]): { records: BubbleRecord[]; positions: number[]; distinct: number[] } {
  const seen = new Set<string>();
  const records: BubbleRecord[] = [];
  const positions: number[] = [];
  const distinct: number[] = [];
  for (const page of pages) {
    let fresh = 0;
    page.records.forEach((record, i) => {
      const id = typeof record._id === 'string' ? record._id : null;
      if (id !== null) {
        if (seen.has(id)) return;
        seen.add(id);
      }
      fresh += 1;
      records.push(record);
      positions.push(pageOffset(page.index) + i);
    });
    distinct.push(fresh);
  }
  return { records, positions, distinct };
}
