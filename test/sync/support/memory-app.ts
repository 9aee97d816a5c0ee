/**
 * An in-process Bubble app with the Data API's paging semantics (ascending sort on a key with `_id` as
 * tie-breaker, `greater than`/`less than` on dates, offsets, `remaining` or `exclude_remaining`, a maximum
 * offset answered like Bubble — an empty page with records remaining — or with the client's typed
 * refusal, short pages and counts that time out on demand), used as the sync's PageSource where a test
 * must control exactly when each page answers (out-of-order completion, mutations between two pages).
 * HTTP behaviour is tested against the fake server elsewhere.
 */
import { BubbleOffsetRefusedError } from '../../../runtime/bubble/errors.js';
import type { BubbleRecord, PageRequest, PageResponse, PageSource } from '../../../runtime/sync/ports.js';

export interface RequestLogEntry {
  type: string;
  offset: number;
  constraints: string;
  limit: number;
  /** Whether the request asked Bubble to count the records after the page. */
  counted: boolean;
}

/** What the client throws when a search times out on every attempt. */
export class MemoryTimeoutError extends Error {
  constructor(type: string) {
    super(`Bubble did not answer GET /obj/${type} (last: HTTP 504)`);
  }
}

export class MemoryApp implements PageSource {
  readonly records = new Map<string, Map<string, BubbleRecord>>();
  readonly log: RequestLogEntry[] = [];
  /** Offsets past this are refused (Bubble's deep-offset limit): cursor + limit beyond it. */
  maxOffset = Number.POSITIVE_INFINITY;
  /** How a refused offset is answered: Bubble's empty page with records remaining, or a 400 (typed refusal). */
  capAnswer: 'empty' | 'error' = 'error';
  /** A counted search matching more records than this fails like Bubble's timeout (after the client's retries). */
  countTimeoutAbove = Number.POSITIVE_INFINITY;
  /** Requests answered with a timeout so far. */
  timeouts = 0;
  /**
   * Makes a page short: return how many of its records to send (null: all). `remaining` then counts from
   * the end of the full page (`after-limit`) or of what was sent (`after-returned`).
   */
  shortPage: ((type: string, request: PageRequest, n: number) => number | null) | null = null;
  shortRemaining: 'after-limit' | 'after-returned' = 'after-limit';
  /** Called before a page answers; a test may await here to order completions or mutate the data. */
  beforeAnswer: ((type: string, request: PageRequest) => Promise<void> | void) | null = null;
  /** Called after the page's results are computed, before they are returned (mutate "between" pages). */
  afterAnswer: ((type: string, request: PageRequest, response: PageResponse) => Promise<void> | void) | null = null;
  private clock: number;
  private seq = 0;

  /** The app's identity as a job records it (the client's normalised URL); none = matches any job. */
  readonly appUrl?: string;

  constructor(startMs = Date.UTC(2023, 0, 1), options: { appUrl?: string } = {}) {
    this.clock = startMs;
    if (options.appUrl !== undefined) this.appUrl = options.appUrl;
  }

  /** Historical time for seeded records: advances by `ms` from a fixed start (deterministic). */
  tick(ms = 1000): string {
    this.clock += ms;
    return new Date(this.clock).toISOString();
  }

  /** "Now" for changes made while or after a sync runs: the real clock, never behind earlier keys. */
  now(): string {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString();
  }

  table(type: string): Map<string, BubbleRecord> {
    let t = this.records.get(type);
    if (!t) this.records.set(type, (t = new Map()));
    return t;
  }

  /** Inserts a record created now (or at `createdAt`); returns it. */
  insert(type: string, fields: Record<string, unknown>, createdAt?: string): BubbleRecord {
    const created = createdAt ?? this.now();
    this.seq += 1;
    const id = `${Date.parse(created)}x${String(100000 + this.seq)}`;
    const record = { _id: id, 'Created Date': created, 'Modified Date': created, ...fields } as BubbleRecord;
    this.table(type).set(id, record);
    return record;
  }

  modify(type: string, id: string, fields: Record<string, unknown>): void {
    const r = this.table(type).get(id);
    if (!r) throw new Error(`no ${type} ${id}`);
    this.table(type).set(id, { ...r, ...fields, 'Modified Date': this.now() });
  }

  delete(type: string, id: string): void {
    this.table(type).delete(id);
  }

  /** Records of a type in (key, _id) order. */
  sorted(type: string, key = 'Created Date'): BubbleRecord[] {
    return [...this.table(type).values()].sort((a, b) => {
      const ka = Date.parse(String(a[key])),
        kb = Date.parse(String(b[key]));
      return ka !== kb ? ka - kb : a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
    });
  }

  async fetchPage(type: string, request: PageRequest): Promise<PageResponse> {
    this.log.push({
      type,
      offset: request.offset,
      constraints: JSON.stringify(request.constraints),
      limit: request.limit,
      counted: !request.excludeRemaining,
    });
    await this.beforeAnswer?.(type, request);
    let rows = this.sorted(type, request.sortField);
    for (const c of request.constraints) {
      const bound = Date.parse(String(c.value));
      if (c.constraint_type === 'greater than') rows = rows.filter((r) => Date.parse(String(r[c.key])) > bound);
      else if (c.constraint_type === 'less than') rows = rows.filter((r) => Date.parse(String(r[c.key])) < bound);
      else throw new Error(`unsupported constraint ${c.constraint_type}`);
    }
    if (!request.excludeRemaining && rows.length > this.countTimeoutAbove) {
      this.timeouts += 1;
      throw new MemoryTimeoutError(type);
    }
    if (request.offset + request.limit > this.maxOffset) {
      if (this.capAnswer === 'error') throw new BubbleOffsetRefusedError(type, request.offset, 'too deep');
      const response = { results: [], remaining: request.excludeRemaining ? null : Math.max(0, rows.length - request.offset) };
      await this.afterAnswer?.(type, request, response);
      return response;
    }
    let results = rows.slice(request.offset, request.offset + request.limit).map((r) => structuredClone(r));
    let after = rows.length - request.offset - results.length;
    const short = this.shortPage?.(type, request, results.length) ?? null;
    if (short !== null && short < results.length) {
      if (this.shortRemaining === 'after-returned') after += results.length - short;
      results = results.slice(0, short);
    }
    const response = { results, remaining: request.excludeRemaining ? null : Math.max(0, after) };
    await this.afterAnswer?.(type, request, response);
    return response;
  }

  isOffsetRefusal(err: unknown): boolean {
    return err instanceof BubbleOffsetRefusedError;
  }

  isQueryTimeout(err: unknown): boolean {
    return err instanceof MemoryTimeoutError;
  }

  /** Ids looked up to confirm deletions. */
  readonly lookups: string[] = [];

  async findExisting(type: string, ids: readonly string[]): Promise<BubbleRecord[]> {
    this.lookups.push(...ids);
    const table = this.table(type);
    return ids.flatMap((id) => {
      const record = table.get(id);
      return record ? [structuredClone(record)] : [];
    });
  }
}

/** A deterministic set of items: some sharing a Created Date, some sparse, one with a value that does not fit. */
export function seedItems(app: MemoryApp, count: number, notes = 0): void {
  for (let i = 0; i < count; i++) {
    const created = i % 7 === 3 ? undefined : app.tick(i % 5 === 0 ? 0 : 1000);
    const fields: Record<string, unknown> = { Name: `Item ${i}` };
    if (i % 3 !== 0) fields.Amount = i * 1.5;
    if (i % 4 === 0) fields['Paid?'] = i % 8 === 0;
    if (i % 6 === 0) fields.Due = new Date(Date.UTC(2024, 0, 1 + (i % 28))).toISOString();
    if (i % 5 === 1) fields.Tags = [`t${i % 3}`, `u${i % 2}`];
    if (i % 9 === 2) fields.Address = { address: `${i} Main St`, lat: 1.5, lng: 103.8 };
    if (i === 13) fields.Amount = 'not a number';
    if (i === 14) fields['Unknown field'] = 'kept raw';
    app.insert('item', fields, created ?? app.tick(0));
  }
  for (let i = 0; i < notes; i++) app.insert('note', { Body: `Note ${i}` }, app.tick());
}
