/**
 * The watermark ledger of one keyset window: which of its pages are committed and how far the
 * contiguous, overlap-verified prefix reaches. `stage` says what committing some pages would make of
 * the prefix (pure, so it can be written in the same transaction as the pages); `apply` records it
 * once that transaction committed. Memory therefore never runs ahead of what a resume would see.
 */
import { advancePrefix, pageOffset, type PageMark, type Prefix, type PrefixOutcome, type Window } from './keyset.js';
import type { Watermark } from './state-store.js';

export interface StagedPrefix {
  prefix: Prefix;
  outcome: PrefixOutcome | null;
}

export class WindowLedger {
  private readonly done: Map<number, PageMark>;
  private current: Prefix;
  private settled: PrefixOutcome | null = null;

  constructor(
    readonly table: string,
    readonly window: Window,
    committed: ReadonlyMap<number, PageMark>,
    from: Prefix,
  ) {
    this.done = new Map(committed);
    const advanced = advancePrefix(this.done, from);
    this.current = advanced.prefix;
    this.settled = advanced.outcome;
    // Resumed after the window's last page: that page (just behind the prefix) already said nothing remains.
    const last = this.done.get(from.next - 1);
    if (!this.settled && advanced.prefix.next === from.next && last && last.remaining === 0 && last.lastId === from.lastId) {
      this.settled = { kind: 'end' };
    }
  }

  get prefix(): Prefix {
    return this.current;
  }

  /** Why the prefix stopped for good (the window's end or a reason to close it), once known. */
  get outcome(): PrefixOutcome | null {
    return this.settled;
  }

  /** The cursor's watermark at `prefix` (default: the prefix committed so far): where a resume continues. */
  watermark(prefix: Prefix = this.current): Watermark {
    const { index, start, end } = this.window;
    return {
      windowIndex: index,
      windowStart: start,
      windowEnd: end,
      lastId: prefix.lastId,
      lastKey: prefix.lastKey,
      offset: pageOffset(prefix.next),
    };
  }

  has(index: number): boolean {
    return this.done.has(index);
  }

  stage(pages: ReadonlyArray<{ index: number; mark: PageMark }>): StagedPrefix {
    const tentative = new Map(this.done);
    for (const p of pages) tentative.set(p.index, p.mark);
    return advancePrefix(tentative, this.current);
  }

  apply(pages: ReadonlyArray<{ index: number; mark: PageMark }>, staged: StagedPrefix): void {
    for (const p of pages) this.done.set(p.index, p.mark);
    this.current = staged.prefix;
    if (staged.outcome && !this.settled) this.settled = staged.outcome;
  }
}
