/**
 * The paging invariant, directly: how far a window's verified prefix reaches over committed pages, and
 * when it says the window is read (runtime/sync/keyset.ts), and the window ledger that holds it between
 * commits (runtime/sync/window-ledger.ts). Pure: no database, no app.
 */
import fc from 'fast-check';
import {
  advancePrefix,
  EMPTY_PREFIX,
  isTieWindow,
  lastPageIndex,
  PAGE_LIMIT,
  PAGE_STEP,
  pageOffset,
  pagesFor,
  reportedSize,
  tieWindow,
  windowConstraints,
  type PageMark,
  type Prefix,
} from '../../runtime/sync/keyset.js';
import { WindowLedger } from '../../runtime/sync/window-ledger.js';

/** Page `index` of a window, answered faithfully: records `r<offset>`… with keys `k<n>`. */
function page(index: number, options: { count?: number; remaining: number | null; firstId?: string }): PageMark {
  const count = options.count ?? PAGE_LIMIT;
  const first = pageOffset(index);
  return {
    count,
    firstId: count === 0 ? null : (options.firstId ?? `r${first}`),
    lastId: count === 0 ? null : `r${first + count - 1}`,
    lastKey: count === 0 ? null : `k${first + count - 1}`,
    remaining: options.remaining,
  };
}

/** A window of `size` records: what Bubble answers for page `index` (remaining counted after the page). */
function faithful(index: number, size: number): PageMark {
  const first = pageOffset(index);
  const count = Math.max(0, Math.min(PAGE_LIMIT, size - first));
  return page(index, { count, remaining: Math.max(0, size - first - count) });
}

function pages(...marks: Array<[number, PageMark]>): Map<number, PageMark> {
  return new Map(marks);
}

/** The prefix that ends with page `index` of a window of `size` records (with that page's last record). */
function after(index: number, size = Number.MAX_SAFE_INTEGER): Prefix {
  const mark = faithful(index, size);
  return { next: index + 1, lastId: mark.lastId, lastKey: mark.lastKey };
}

describe('advancePrefix', () => {
  test('a contiguous run of pages that overlap by one record: the prefix covers them all and waits for the next', () => {
    const size = 1000;
    const done = pages([0, faithful(0, size)], [1, faithful(1, size)], [2, faithful(2, size)]);
    expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(2), outcome: null });
    // Each page begins with the record the one before ended with.
    expect(done.get(1)!.firstId).toBe(done.get(0)!.lastId);
  });

  test('it continues from where a previous commit left it', () => {
    const size = 1000;
    const done = pages([3, faithful(3, size)], [4, faithful(4, size)]);
    expect(advancePrefix(done, after(2))).toEqual({ prefix: after(4), outcome: null });
  });

  test('a page not yet committed (a gap) stops the prefix at the last verified record; pages past it wait', () => {
    const size = 1000;
    const done = pages([0, faithful(0, size)], [2, faithful(2, size)], [3, faithful(3, size)]);
    const stopped = advancePrefix(done, EMPTY_PREFIX);
    expect(stopped).toEqual({ prefix: after(0), outcome: null });
    expect(stopped.prefix.lastKey).toBe('k99');
    // Once the gap is filled the prefix runs over everything committed meanwhile.
    done.set(1, faithful(1, size));
    expect(advancePrefix(done, stopped.prefix)).toEqual({ prefix: after(3), outcome: null });
  });

  test('a page that does not begin with the record the prefix ended with (records moved) closes the window at the last verified key', () => {
    const done = pages([0, faithful(0, 1000)], [1, page(1, { remaining: 800, firstId: 'r100' })], [2, faithful(2, 1000)]);
    expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: { kind: 'shifted', at: 1 } });
  });

  test('a shifted first id does not advance the prefix even when that page says nothing remains', () => {
    const done = pages([0, faithful(0, 150)], [1, page(1, { count: 51, remaining: 0, firstId: 'r100' })]);
    expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: { kind: 'shifted', at: 1 } });
  });

  test('the first page of a window has nothing to overlap: any first record starts the prefix', () => {
    const done = pages([0, page(0, { remaining: 5, firstId: 'anything' })]);
    expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: null });
  });

  test('the window ends only where a page says nothing remains', () => {
    const size = 250; // pages at 0, 99, 198: the last holds 52 records
    const done = pages([0, faithful(0, size)], [1, faithful(1, size)], [2, faithful(2, size)]);
    expect(done.get(2)).toMatchObject({ count: 52, remaining: 0 });
    expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(2, size), outcome: { kind: 'end' } });
    // A full page whose answer did not count what remains (excluded) is no end.
    expect(advancePrefix(pages([0, page(0, { remaining: null })]), EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: null });
  });

  test('an empty window ends at its first page', () => {
    expect(advancePrefix(pages([0, page(0, { count: 0, remaining: 0 })]), EMPTY_PREFIX)).toEqual({
      prefix: { next: 1, lastId: null, lastKey: null },
      outcome: { kind: 'end' },
    });
  });

  describe('an empty page while records remain never ends the window', () => {
    test('past the first page it is the offset cap: the window closes at the prefix, refused at that page', () => {
      const done = pages([0, faithful(0, 60_000)], [1, page(1, { count: 0, remaining: 59_800 })]);
      expect(advancePrefix(done, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: { kind: 'refused', at: 1 } });
    });

    test('at the first page it is an anomaly: closed as a short page, nothing taken', () => {
      expect(advancePrefix(pages([0, page(0, { count: 0, remaining: 40 })]), EMPTY_PREFIX)).toEqual({
        prefix: EMPTY_PREFIX,
        outcome: { kind: 'short', at: 0 },
      });
    });

    test('uncounted, or saying nothing remains past the first page: records before it vanished (shifted)', () => {
      const uncounted = pages([0, faithful(0, 1000)], [1, page(1, { count: 0, remaining: null })]);
      expect(advancePrefix(uncounted, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: { kind: 'shifted', at: 1 } });
      const vanished = pages([0, faithful(0, 1000)], [1, page(1, { count: 0, remaining: 0 })]);
      expect(advancePrefix(vanished, EMPTY_PREFIX)).toEqual({ prefix: after(0), outcome: { kind: 'shifted', at: 1 } });
    });
  });

  describe('a page shorter than the limit', () => {
    // Bubble has answered short pages both ways: `remaining` counted after the records it returned, or
    // after the full page it was asked for (the dropped records then in neither).
    const total = 1000;
    const returned = 60;
    const shortAt = (index: number, remaining: number) => page(index, { count: returned, remaining });
    const afterReturned = (index: number) => total - pageOffset(index) - returned;
    const afterLimit = (index: number) => Math.max(0, total - pageOffset(index) - PAGE_LIMIT);

    test.each([
      ['after the records returned', afterReturned],
      ['after the full page', afterLimit],
    ])('with records remaining (counted %s) is taken, and the window closes there to read on: never its end', (_how, remaining) => {
      const done = pages([0, faithful(0, total)], [1, shortAt(1, remaining(1))], [2, faithful(2, total)]);
      expect(remaining(1)).toBeGreaterThan(0);
      const { prefix, outcome } = advancePrefix(done, EMPTY_PREFIX);
      expect(outcome).toEqual({ kind: 'short', at: 1 });
      expect(prefix).toEqual({ next: 2, lastId: `r${pageOffset(1) + returned - 1}`, lastKey: `k${pageOffset(1) + returned - 1}` });
    });

    test('saying nothing remains ends the window (counted after the full page, the dropped records are found by the deletion check)', () => {
      const last = Math.floor((total - 1) / PAGE_STEP); // the page that reaches the window's last record
      expect(afterLimit(last)).toBe(0);
      const done = new Map<number, PageMark>();
      for (let i = 0; i < last; i++) done.set(i, faithful(i, total));
      done.set(last, page(last, { count: 5, remaining: 0 }));
      expect(advancePrefix(done, EMPTY_PREFIX).outcome).toEqual({ kind: 'end' });
    });
  });

  test('property: the prefix never passes a page that was not verified, and ends only where nothing remains', () => {
    const mark = (count: number, first: number, remaining: number | null): PageMark => ({
      count,
      firstId: count ? `r${first}` : null,
      lastId: count ? `r${first + count - 1}` : null,
      lastKey: count ? `k${first + count - 1}` : null,
      remaining,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }), (size, shapes) => {
        // Pages of a window of `size` records, each answered faithfully (0), short (1), empty (2), shifted (3) or missing (4).
        const done = new Map<number, PageMark>();
        const pages = Math.max(1, Math.ceil((size - PAGE_LIMIT) / PAGE_STEP) + 1);
        for (let i = 0; i < pages; i++) {
          const shape = shapes[i] ?? 0;
          const first = i * PAGE_STEP;
          const count = Math.max(0, Math.min(PAGE_LIMIT, size - first));
          const remaining = Math.max(0, size - first - count);
          if (shape === 4) continue;
          if (shape === 1 && count > 1) done.set(i, mark(count - 1, first, remaining + 1));
          else if (shape === 2 && i > 0) done.set(i, mark(0, first, size - first));
          else if (shape === 3 && i > 0 && count > 0) done.set(i, mark(count, first + 1, Math.max(0, remaining - 1)));
          else done.set(i, mark(count, first, remaining));
        }
        const { prefix, outcome } = advancePrefix(done, EMPTY_PREFIX);
        // Every page inside the prefix is present and faithful up to its verdict.
        for (let i = 0; i < prefix.next; i++) expect(done.has(i)).toBe(true);
        if (outcome?.kind === 'end') {
          // The end is only declared after the window's last record was read.
          expect(prefix.lastId).toBe(size === 0 ? null : `r${size - 1}`);
        }
        if (prefix.lastId !== null) expect(Number(prefix.lastId.slice(1))).toBeLessThan(Math.max(1, size));
      }),
      { seed: 9, numRuns: 500 },
    );
  });
});

describe('page arithmetic', () => {
  test('pages start every 99 records so consecutive pages share one; a window of n records takes this many pages', () => {
    expect([0, 1, 2, 3].map(pageOffset)).toEqual([0, 99, 198, 297]);
    expect([0, 1, 100, 101, 199, 200, 10_000].map(pagesFor)).toEqual([1, 1, 1, 2, 2, 3, 101]);
    // The last page of a window of 10,000 reaches its last record (offset 9,900 + 100 records).
    expect(pageOffset(pagesFor(10_000) - 1) + PAGE_LIMIT).toBeGreaterThanOrEqual(10_000);
    expect(lastPageIndex(10_000)).toBe(101);
    expect(pageOffset(lastPageIndex(10_000))).toBeLessThanOrEqual(10_000);
  });

  test("a page's answer reports the window's size (offset + records + remaining), unless it was not counted", () => {
    expect(reportedSize(2, { count: 100, remaining: 502 })).toBe(198 + 100 + 502);
    expect(reportedSize(0, { count: 0, remaining: 0 })).toBe(0);
    expect(reportedSize(1, { count: 100, remaining: null })).toBeNull();
  });

  test("a window [start, end) asks for key > start − 1 ms (Bubble's greater than is strict) and key < end; a tie window holds one key", () => {
    const start = '2024-03-01T10:00:00.000Z';
    const end = '2024-03-02T00:00:00.000Z';
    expect(windowConstraints('full', { start, end })).toEqual([
      { key: 'Created Date', constraint_type: 'greater than', value: '2024-03-01T09:59:59.999Z' },
      { key: 'Created Date', constraint_type: 'less than', value: end },
    ]);
    expect(windowConstraints('incremental', { start: null, end: null })).toEqual([]);
    expect(windowConstraints('incremental', { start, end: null })[0]!.key).toBe('Modified Date');
    const tie = tieWindow(4, start);
    expect(tie).toEqual({ index: 4, start, end: '2024-03-01T10:00:00.001Z' });
    expect(isTieWindow(tie)).toBe(true);
    expect(isTieWindow({ index: 4, start, end })).toBe(false);
    expect(isTieWindow({ index: 4, start, end: null })).toBe(false);
  });
});

describe('WindowLedger', () => {
  const window = { index: 3, start: '2024-03-01T10:00:00.000Z', end: '2024-03-02T00:00:00.000Z' };

  test('staging says what committing pages would make of the prefix; only applying it moves the ledger', () => {
    const ledger = new WindowLedger('item', window, new Map(), EMPTY_PREFIX);
    const incoming = [
      { index: 1, mark: faithful(1, 1000) },
      { index: 0, mark: faithful(0, 1000) },
    ];
    const staged = ledger.stage(incoming);
    expect(staged).toEqual({ prefix: after(1), outcome: null });
    expect(ledger.prefix).toEqual(EMPTY_PREFIX);
    expect(ledger.has(0)).toBe(false);
    ledger.apply(incoming, staged);
    expect(ledger.prefix).toEqual(after(1));
    expect(ledger.has(0) && ledger.has(1)).toBe(true);
  });

  test('its watermark is the window and the offset of the first page past the prefix', () => {
    const ledger = new WindowLedger('item', window, new Map(), EMPTY_PREFIX);
    expect(ledger.watermark()).toEqual({
      windowIndex: 3,
      windowStart: window.start,
      windowEnd: window.end,
      lastId: null,
      lastKey: null,
      offset: 0,
    });
    expect(ledger.watermark(after(1))).toMatchObject({ lastId: 'r198', lastKey: 'k198', offset: 198 });
  });

  test('resumed: pages committed past the watermark before the stop extend the prefix at once', () => {
    const committed = pages([1, faithful(1, 1000)], [2, faithful(2, 1000)], [4, faithful(4, 1000)]);
    const ledger = new WindowLedger('item', window, committed, after(0));
    expect(ledger.prefix).toEqual(after(2));
    expect(ledger.outcome).toBeNull();
  });

  test("resumed right after the window's last page (it said nothing remains): the window is read", () => {
    const committed = pages([2, faithful(2, 250)]);
    const ledger = new WindowLedger('item', window, committed, after(2, 250));
    expect(ledger.outcome).toEqual({ kind: 'end' });
    // The same page ending a different record (the window changed since) proves nothing.
    expect(new WindowLedger('item', window, committed, { ...after(2, 250), lastId: 'other' }).outcome).toBeNull();
  });

  test('once the prefix stopped for good, a later stage does not change its verdict', () => {
    const ledger = new WindowLedger('item', window, new Map(), EMPTY_PREFIX);
    const short = [{ index: 0, mark: page(0, { count: 40, remaining: 500 }) }];
    ledger.apply(short, ledger.stage(short));
    expect(ledger.outcome).toEqual({ kind: 'short', at: 0 });
    const more = [{ index: 1, mark: faithful(1, 1000) }];
    ledger.apply(more, ledger.stage(more));
    expect(ledger.outcome).toEqual({ kind: 'short', at: 0 });
  });
});
