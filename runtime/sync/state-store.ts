/**
 * SyncStateStore: everything a sync persists about itself, in the sync-state tables — jobs (SyncJob),
 * each table's cursor with its window and watermark (SyncCursor), the page ledger (SyncPage) and the
 * reject counts (SyncReject) — with raw SQL through the runtime's `Db`. `in(tx)` binds the same
 * operations to a transaction, which is how a page's rows, its ledger row and the watermark commit
 * together.
 */
import type { JobStatus, SyncMode, TableStatus } from '../api.js';
import type { Manifest, ManifestSyncState } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { BubbleError } from '../../core/errors.js';
import type { PageMark, Window } from './keyset.js';

import { countRejects } from './rejects.js';
import { ident, newId, num, readUtc, toIso, UTC_NOW, utcParam } from './sql.js';

export interface SyncJobRow {
  id: string;
  status: JobStatus;
  mode: SyncMode;
  types: string[];
  /** The app the job reads; null for jobs written before this was recorded (they match any app). */
  appUrl: string | null;
  error: string | null;
  startedAt: string | null;
  completedAt: string | null;
  createdAt: string;
}

export interface SyncCursorRow {
  tableName: string;
  bubbleDataType: string;
  syncJobId: string;
  /** Watermark: offset inside the current window up to which every page is committed and verified. */
  currentCursor: number;
  /** Offset of the most recently committed page, in whatever order pages finished. */
  lastCursor: number | null;
  totalRecords: number | null;
  syncedRecords: number;
  status: TableStatus;
  startedAt: string | null;
  completedAt: string | null;
  lastError: string | null;
  windowIndex: number;
  windowStart: string | null;
  /** Exclusive upper key of the current window; null = open. */
  windowEnd: string | null;
  /** Whether the current window's first page adds to `reportedRecords` (it starts a new stretch of keys). */
  windowCounted: boolean;
  lastId: string | null;
  lastKey: string | null;
  pages: number;
  rawOnly: number;
  softDeleted: number;
  /** Records Bubble reported for the stretches of keys this pass has opened (the completeness check). */
  reportedRecords: number;
  /** Rows the completed full pass would have marked deleted but the mass-deletion guard held back. */
  heldBack: number;
  heldBackReason: 'guard' | 'incomplete' | null;
  /** Strings stored with U+FFFD in place of what PostgreSQL cannot hold. */
  replaced: number;
}

export interface SyncProgress {
  job: SyncJobRow;
  tables: SyncCursorRow[];
  /** Tables completed, in percent of the job's tables. */
  percent: number;
  syncedRecords: number;
  totalRecords: number | null;
}

/** A page as the ledger records it. */
export interface LedgerPage extends PageMark {
  windowIndex: number;
  pageIndex: number;
  offset: number;
  rawOnly: number;
  startedAt: string;
}

/** The watermark a commit moves the cursor to: the end of the window's verified prefix. */
export interface Watermark {
  windowIndex: number;
  windowStart: string | null;
  windowEnd: string | null;
  lastId: string | null;
  lastKey: string | null;
  /** Offset of the first page past the prefix. */
  offset: number;
}

/** What one transaction commits for one window: its pages' ledger rows, counts and the moved watermark. */
export interface PageBatch {
  pages: LedgerPage[];
  written: number;
  rawOnly: number;
  /** Strings in which characters PostgreSQL cannot store were replaced by U+FFFD. */
  replaced: number;
  watermark: Watermark;
  /** The table's record count, when a page reported it. */
  total: number | null;
  /** Added to the pass's reported count. */
  reported: number;
}

export class UnknownJobError extends BubbleError {
  constructor(jobId: string) {
    super('SYNC_UNKNOWN_JOB', `No sync job with id ${JSON.stringify(jobId)} in this database.`, {
      hint: 'bubble-runtime status lists the latest job; pass its id.',
      exitCode: 2,
    });
  }
}

/** A job's recorded app and a source's identity match unless both are known and differ. */
export function sameApp(recorded: string | null, source: string | undefined): boolean {
  return recorded === null || source === undefined || recorded === source;
}

const UNFINISHED: JobStatus[] = ['PENDING', 'RUNNING', 'ERROR'];
const JOB_STATUSES: JobStatus[] = ['PENDING', 'RUNNING', 'COMPLETED', 'ERROR', 'CANCELLED'];

export class SyncStateStore {
  private readonly job: string;
  private readonly cursor: string;
  private readonly page: string;
  /** Database table → Bubble type name. */
  private readonly tableTypes: ReadonlyMap<string, string>;

  constructor(
    private readonly db: Db,
    private readonly state: ManifestSyncState,
    manifestTypes: Manifest['types'] | ReadonlyMap<string, string>,
  ) {
    this.job = ident(state.jobTable);
    this.cursor = ident(state.cursorTable);
    this.page = ident(state.pageTable);
    this.tableTypes =
      manifestTypes instanceof Map ? manifestTypes : new Map((manifestTypes as Manifest['types']).map((t) => [t.table, t.name]));
  }

  /** Records of the job kept in the rejects table, per database table. */
  rejectedByTable(syncJobId: string): Promise<Map<string, number>> {
    return countRejects(this.db, this.state.rejectTable, syncJobId);
  }

  /** The same store, running its statements inside `tx`. */
  in(tx: Db): SyncStateStore {
    return new SyncStateStore(tx, this.state, this.tableTypes);
  }

  /** Creates a job and one PENDING cursor per table (database table names, in load order). */
  async initializeSyncJob(
    tableNames: string[],
    options: { mode: SyncMode; appUrl?: string | undefined } = { mode: 'full' },
  ): Promise<string> {
    const jobId = newId();
    const types = tableNames.map((table) => {
      const type = this.tableTypes.get(table);
      if (type === undefined) throw new BubbleError('SYNC_UNKNOWN_TABLE', `Table ${JSON.stringify(table)} is not in the manifest.`);
      return type;
    });
    await this.db.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO ${this.job} (id, status, mode, types, app_url, created_at, updated_at)
         VALUES ($1, 'PENDING', $2, $3::jsonb, $4, ${UTC_NOW}, ${UTC_NOW})`,
        [jobId, options.mode, JSON.stringify(types), options.appUrl ?? null],
      );
      for (const [i, table] of tableNames.entries()) {
        await tx.execute(
          `INSERT INTO ${this.cursor} (id, "tableName", bubble_data_type, sync_job_id, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'PENDING', ${UTC_NOW}, ${UTC_NOW})`,
          [newId(), table, types[i], jobId],
        );
      }
    });
    return jobId;
  }

  /**
   * Commits a batch of one window's pages: their ledger rows, the rows-written and raw-only counts, and
   * the watermark. Runs inside the transaction that wrote the pages' rows; a batch without pages moves
   * the watermark alone (over pages committed earlier, see committer.ts).
   */
  async commitPages(tableName: string, syncJobId: string, batch: PageBatch): Promise<void> {
    if (batch.pages.length > 0) {
      const params: unknown[] = [syncJobId, tableName];
      const rows = batch.pages.map((p) => {
        const at = params.length;
        params.push(
          newId(),
          p.windowIndex,
          p.pageIndex,
          p.offset,
          p.count,
          p.rawOnly,
          p.firstId,
          p.lastId,
          p.lastKey,
          p.remaining,
          p.startedAt,
        );
        const n = (k: number): string => `$${at + k}`;
        return `(${n(1)}, $1, $2, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)}, ${n(6)}, ${n(7)}, ${n(8)}, ${n(9)}, ${n(10)}, ${utcParam(at + 11)}, ${UTC_NOW})`;
      });
      await this.db.execute(
        `INSERT INTO ${this.page} (id, sync_job_id, table_name, window_index, page_index, "offset", records, raw_only,
           first_id, last_id, last_key, remaining, started_at, created_at)
         VALUES ${rows.join(', ')}
         ON CONFLICT (sync_job_id, table_name, window_index, page_index) DO UPDATE SET
           "offset" = EXCLUDED."offset", records = EXCLUDED.records, raw_only = EXCLUDED.raw_only,
           first_id = EXCLUDED.first_id, last_id = EXCLUDED.last_id, last_key = EXCLUDED.last_key,
           remaining = EXCLUDED.remaining, started_at = EXCLUDED.started_at, created_at = EXCLUDED.created_at`,
        params,
      );
    }
    const last = batch.pages[batch.pages.length - 1];
    const w = batch.watermark;
    await this.db.execute(
      // `pages` is counted from the ledger, so a batch committed twice (its COMMIT's answer lost, then
      // retried) is not counted twice; a retried upsert writes no row again, so `synced_records` holds.
      `UPDATE ${this.cursor} SET pages = (SELECT count(*) FROM ${this.page} WHERE sync_job_id = $2 AND table_name = $1) + 0 * $3,
         synced_records = synced_records + $4, raw_only = raw_only + $5, replaced = replaced + $15,
         last_cursor = COALESCE($6, last_cursor), total_records = COALESCE($7, total_records),
         reported_records = reported_records + $8,
         current_cursor = $9, window_index = $10, window_start = $11, window_end = $12, last_id = $13, last_key = $14,
         status = CASE WHEN status::text = 'PENDING' THEN 'IN_PROGRESS' ELSE status END,
         updated_at = ${UTC_NOW}
       WHERE "tableName" = $1 AND sync_job_id = $2`,
      [
        tableName,
        syncJobId,
        batch.pages.length,
        batch.written,
        batch.rawOnly,
        last?.offset ?? null,
        batch.total,
        batch.reported,
        w.offset,
        w.windowIndex,
        w.windowStart,
        w.windowEnd,
        w.lastId,
        w.lastKey,
        batch.replaced,
      ],
    );
  }

  /** Pages of a window committed at or after `fromIndex` (finished out of order before an interruption). */
  async windowPages(tableName: string, syncJobId: string, windowIndex: number, fromIndex: number): Promise<Map<number, PageMark>> {
    const rows = await this.db.query<{
      page_index: unknown;
      records: unknown;
      first_id: string | null;
      last_id: string | null;
      last_key: string | null;
      remaining: unknown;
    }>(
      `SELECT page_index, records, first_id, last_id, last_key, remaining FROM ${this.page}
       WHERE sync_job_id = $1 AND table_name = $2 AND window_index = $3 AND page_index >= $4`,
      [syncJobId, tableName, windowIndex, fromIndex],
    );
    return new Map(
      rows.map((r) => [
        num(r.page_index),
        {
          count: num(r.records),
          firstId: r.first_id,
          lastId: r.last_id,
          lastKey: r.last_key,
          remaining: r.remaining === null || r.remaining === undefined ? null : num(r.remaining),
        },
      ]),
    );
  }

  /** Starts a table (keeps the first start time across resumes: it is the incremental high-water mark). */
  async startTable(tableName: string, syncJobId: string, startedAt: string): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.cursor} SET status = 'IN_PROGRESS', last_error = NULL,
         started_at = COALESCE(started_at, ${utcParam(3)}), updated_at = ${UTC_NOW}
       WHERE "tableName" = $1 AND sync_job_id = $2`,
      [tableName, syncJobId, startedAt],
    );
  }

  /** Opens keyset window `window` (its watermark restarts at offset 0); `counted`: its first page adds to the reported count. */
  async openWindow(tableName: string, syncJobId: string, window: Window, counted: boolean): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.cursor} SET window_index = $3, window_start = $4, window_end = $5, window_counted = $6, current_cursor = 0,
         last_id = NULL, last_key = NULL, updated_at = ${UTC_NOW}
       WHERE "tableName" = $1 AND sync_job_id = $2`,
      [tableName, syncJobId, window.index, window.start, window.end, counted],
    );
  }

  async markTableComplete(
    tableName: string,
    syncJobId: string,
    result: {
      records?: number;
      rawOnly?: number;
      softDeleted?: number;
      heldBack?: number;
      heldBackReason?: 'guard' | 'incomplete' | null;
    } = {},
  ): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.cursor} SET status = 'COMPLETED', completed_at = ${UTC_NOW}, last_error = NULL,
         synced_records = COALESCE($3, synced_records), soft_deleted = COALESCE($4, soft_deleted),
         held_back = COALESCE($5, held_back), raw_only = COALESCE($6, raw_only), held_back_reason = $7, updated_at = ${UTC_NOW}
       WHERE "tableName" = $1 AND sync_job_id = $2`,
      [
        tableName,
        syncJobId,
        result.records ?? null,
        result.softDeleted ?? null,
        result.heldBack ?? null,
        result.rawOnly ?? null,
        result.heldBackReason ?? null,
      ],
    );
  }

  async markTableError(tableName: string, syncJobId: string, message: string): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.cursor} SET status = 'ERROR', last_error = $3, updated_at = ${UTC_NOW}
       WHERE "tableName" = $1 AND sync_job_id = $2`,
      [tableName, syncJobId, message],
    );
  }

  async startJob(syncJobId: string): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.job} SET status = 'RUNNING', error = NULL,
         started_at = COALESCE(started_at, ${UTC_NOW}), updated_at = ${UTC_NOW} WHERE id = $1`,
      [syncJobId],
    );
  }

  /** Ends a run of the job: COMPLETED, ERROR (resumable), PENDING (interrupted, resumable) or CANCELLED. */
  async finishJob(syncJobId: string, status: JobStatus, error: string | null = null): Promise<void> {
    const done = status === 'COMPLETED';
    // A literal, not a parameter: some drivers send parameters typed as text, which an enum column refuses.
    if (!JOB_STATUSES.includes(status)) throw new Error(`Unknown job status ${status}`);
    await this.db.execute(
      `UPDATE ${this.job} SET status = '${status}', error = $2,
         completed_at = CASE WHEN $3::boolean THEN ${UTC_NOW} ELSE completed_at END,
         updated_at = ${UTC_NOW}
       WHERE id = $1`,
      [syncJobId, error, done],
    );
  }

  async getJob(syncJobId: string): Promise<SyncJobRow | null> {
    const rows = await this.db.query(`${this.jobSelect()} WHERE id = $1`, [syncJobId]);
    return rows[0] ? jobRow(rows[0]) : null;
  }

  /** The most recently created job, or null. */
  async latestJob(): Promise<SyncJobRow | null> {
    const rows = await this.db.query(`${this.jobSelect()} ORDER BY created_at DESC, id DESC LIMIT 1`);
    return rows[0] ? jobRow(rows[0]) : null;
  }

  /** The latest job that did not finish (PENDING, RUNNING or ERROR), or null. */
  async latestUnfinishedJob(): Promise<SyncJobRow | null> {
    const latest = await this.latestJob();
    return latest && UNFINISHED.includes(latest.status) ? latest : null;
  }

  /**
   * Whether an incremental run of `appUrl` can build on what the database holds: a full sync of this
   * app (or of an unrecorded one) completed, and no job of another app completed after it (the tables
   * would then mirror that other app). Without `appUrl`, any completed full sync counts.
   */
  async hasCompletedFullSync(appUrl?: string): Promise<boolean> {
    if (appUrl === undefined) {
      const rows = await this.db.query(`SELECT 1 AS one FROM ${this.job} WHERE status::text = 'COMPLETED' AND mode = 'full' LIMIT 1`);
      return rows.length > 0;
    }
    const rows = await this.db.query<{ ok: unknown }>(
      `SELECT (own IS NOT NULL AND (other IS NULL OR own > other)) AS ok FROM (
         SELECT max(completed_at) FILTER (WHERE mode = 'full' AND (app_url IS NULL OR app_url = $1)) AS own,
                max(completed_at) FILTER (WHERE app_url IS NOT NULL AND app_url <> $1) AS other
         FROM ${this.job} WHERE status::text = 'COMPLETED') AS passes`,
      [appUrl],
    );
    return rows[0]?.ok === true;
  }

  /**
   * The high-water mark for an incremental run of a table: when the table's latest completed pass
   * started. Anything modified after that was either read by that pass or is newer than it. When that
   * pass read another app than `appUrl` (both recorded), there is none: the table holds that app's
   * records, so this app's run must read everything.
   */
  async highWaterMark(tableName: string, appUrl?: string): Promise<string | null> {
    const rows = await this.db.query<{ started: unknown; app_url: string | null }>(
      `SELECT (c.started_at AT TIME ZONE 'UTC') AS started, j.app_url FROM ${this.cursor} c
       LEFT JOIN ${this.job} j ON j.id = c.sync_job_id
       WHERE c."tableName" = $1 AND c.status::text = 'COMPLETED' AND c.started_at IS NOT NULL
       ORDER BY c.completed_at DESC LIMIT 1`,
      [tableName],
    );
    const latest = rows[0];
    if (!latest || !sameApp(latest.app_url ?? null, appUrl)) return null;
    return toIso(latest.started);
  }

  async getCursors(syncJobId: string): Promise<SyncCursorRow[]> {
    const rows = await this.db.query(
      `SELECT c."tableName" AS "tableName", c.bubble_data_type, c.sync_job_id, c.current_cursor, c.last_cursor,
         c.total_records, c.synced_records, c.status::text AS status, ${readUtc('started_at', 'started_at')},
         ${readUtc('completed_at', 'completed_at')}, c.last_error, c.window_index, c.window_start, c.window_end,
         c.window_counted, c.last_id, c.last_key, c.pages, c.raw_only, c.soft_deleted, c.reported_records, c.held_back, c.held_back_reason, c.replaced
       FROM ${this.cursor} c WHERE c.sync_job_id = $1`,
      [syncJobId],
    );
    return rows.map(cursorRow);
  }

  /** Overall progress of a job: its row, its tables' cursors, and the share of tables completed. */
  async getSyncProgress(syncJobId: string): Promise<SyncProgress> {
    const job = await this.getJob(syncJobId);
    if (!job) throw new UnknownJobError(syncJobId);
    const cursors = await this.getCursors(syncJobId);
    const order = new Map(job.types.map((t, i) => [t, i]));
    cursors.sort((a, b) => (order.get(a.bubbleDataType) ?? 0) - (order.get(b.bubbleDataType) ?? 0));
    const completed = cursors.filter((c) => c.status === 'COMPLETED').length;
    const totals = cursors.map((c) => c.totalRecords);
    return {
      job,
      tables: cursors,
      percent: cursors.length === 0 ? 100 : Math.round((completed / cursors.length) * 100),
      syncedRecords: cursors.reduce((s, c) => s + c.syncedRecords, 0),
      totalRecords: totals.every((t) => t !== null) ? totals.reduce<number>((s, t) => s + (t ?? 0), 0) : null,
    };
  }

  /** Where a table of a job continues: its cursor row (window, watermark offset, last verified record). */
  async resumeFromCursor(tableName: string, syncJobId: string): Promise<SyncCursorRow | null> {
    return (await this.getCursors(syncJobId)).find((c) => c.tableName === tableName) ?? null;
  }

  /** Cancels a job: it and its unfinished tables become CANCELLED and it is never resumed. */
  async cancelSyncJob(syncJobId: string): Promise<void> {
    const job = await this.getJob(syncJobId);
    if (!job) throw new UnknownJobError(syncJobId);
    await this.db.transaction(async (tx) => {
      await tx.execute(
        `UPDATE ${this.job} SET status = 'CANCELLED', completed_at = ${UTC_NOW}, updated_at = ${UTC_NOW}
         WHERE id = $1 AND status::text <> 'COMPLETED'`,
        [syncJobId],
      );
      await tx.execute(
        `UPDATE ${this.cursor} SET status = 'CANCELLED', updated_at = ${UTC_NOW}
         WHERE sync_job_id = $1 AND status::text <> 'COMPLETED'`,
        [syncJobId],
      );
    });
  }

  private jobSelect(): string {
    return `SELECT id, status::text AS status, mode, types, app_url, error, ${readUtc('started_at', 'started_at')},
      ${readUtc('completed_at', 'completed_at')}, ${readUtc('created_at', 'created_at')} FROM ${this.job}`;
  }
}

function jobRow(r: Record<string, unknown>): SyncJobRow {
  const types = typeof r.types === 'string' ? (JSON.parse(r.types) as unknown) : r.types;
  return {
    id: String(r.id),
    status: String(r.status) as JobStatus,
    mode: r.mode === 'incremental' ? 'incremental' : 'full',
    types: Array.isArray(types) ? types.map(String) : [],
    appUrl: (r.app_url as string | null | undefined) ?? null,
    error: (r.error as string | null) ?? null,
    startedAt: toIso(r.started_at),
    completedAt: toIso(r.completed_at),
    createdAt: toIso(r.created_at) ?? '',
  };
}

function cursorRow(r: Record<string, unknown>): SyncCursorRow {
  return {
    tableName: String(r.tableName),
    bubbleDataType: String(r.bubble_data_type),
    syncJobId: String(r.sync_job_id),
    currentCursor: num(r.current_cursor),
    lastCursor: r.last_cursor === null || r.last_cursor === undefined ? null : num(r.last_cursor),
    totalRecords: r.total_records === null || r.total_records === undefined ? null : num(r.total_records),
    syncedRecords: num(r.synced_records),
    status: String(r.status) as TableStatus,
    startedAt: toIso(r.started_at),
    completedAt: toIso(r.completed_at),
    lastError: (r.last_error as string | null) ?? null,
    windowIndex: num(r.window_index),
    windowStart: (r.window_start as string | null) ?? null,
    windowEnd: (r.window_end as string | null) ?? null,
    windowCounted: r.window_counted !== false,
    lastId: (r.last_id as string | null) ?? null,
    lastKey: (r.last_key as string | null) ?? null,
    pages: num(r.pages),
    rawOnly: num(r.raw_only),
    softDeleted: num(r.soft_deleted),
    reportedRecords: num(r.reported_records),
    heldBack: num(r.held_back),
    replaced: num(r.replaced),
    heldBackReason: r.held_back_reason === 'guard' || r.held_back_reason === 'incomplete' ? r.held_back_reason : null,
  };
}
