/**
 * The sync runner: one job = the selected types' tables, one after another in manifest load order.
 * It takes the database-wide sync lock, resumes the latest unfinished job (or starts a new one in the
 * requested / default mode), runs each table through `syncTable`, soft-deletes after a completed full
 * pass, and records every outcome in the sync-state tables so the next run can continue.
 */
import type { ProgressEvent, SyncMode, SyncOptions, SyncPlan, SyncResult, TableResult, TableStatus, JobStatus } from '../api.js';
import type { ManifestType } from '../../generator/manifest/types.js';
import type { Db } from '../db/types.js';
import { softDeleteUnseen } from '../db/upsert.js';
import { acquireSyncLock } from '../db/lock.js';
import { DatabaseConnectionLostError } from '../db/errors.js';
import { BubbleError, formatError, UsageError } from '../errors.js';
import { sameApp, SyncCursorService, type SyncCursorRow, type SyncJobRow } from './cursor-service.js';
import { createPageWriter } from './page-writer.js';
import type { PageSource, PageWriter } from './ports.js';
import { DEFAULT_CONCURRENCY, resolveSettings, type SyncSettings } from './settings.js';
import { ident, toIso } from './sql.js';
import { syncTable } from './table-sync.js';

export interface RunSyncOptions extends SyncOptions {
  /** Only continue the latest unfinished job; refuse when there is none. */
  resume?: boolean;
  /** How far before the last completed pass an incremental run starts (default 5 minutes). */
  incrementalOverlapMs?: number;
}

export interface SyncDeps {
  source: PageSource;
  writer?: PageWriter;
}

/** A run's outcome: the `--json` document, and the error that stopped it (null on success). */
export interface SyncRun {
  result: SyncResult;
  error: unknown;
}

export class SyncFailedError extends BubbleError {
  constructor(readonly result: SyncResult, cause: unknown) {
    const table = result.tables.find((t) => t.status === 'ERROR');
    super('SYNC_FAILED', `Sync job ${result.jobId} stopped${table ? ` at ${table.type}` : ''}: ${formatError(cause).split('\n')[0]}`, {
      hint: cause instanceof BubbleError && cause.hint ? cause.hint : 'Everything committed so far is kept; run sync again to resume from there.',
      cause,
    });
  }
}

export class SyncInterruptedError extends BubbleError {
  constructor(readonly result: SyncResult) {
    super('SYNC_INTERRUPTED', `Sync job ${result.jobId} was interrupted after its in-flight pages committed.`, {
      hint: 'Run sync again (or sync --resume) to continue where it stopped.',
    });
  }
}

/** `--resume` with another app than the unfinished job's: resuming would mix two apps' records in one job. */
export class SyncOtherAppError extends BubbleError {
  constructor(readonly jobId: string, readonly jobAppUrl: string, readonly appUrl: string) {
    super('SYNC_OTHER_APP', `The unfinished sync job ${jobId} reads ${jobAppUrl}, not ${appUrl}.`, {
      hint: `Resume it with --app-url ${jobAppUrl}, or run sync without --resume to cancel it and start a new job for ${appUrl}.`,
      exitCode: 2,
    });
  }
}

export async function runSyncOnDb(db: Db, plan: SyncPlan, options: RunSyncOptions, deps: SyncDeps): Promise<SyncRun> {
  const settings = resolveSettings(options);
  const emit = (event: ProgressEvent): void => {
    try {
      options.onProgress?.(event);
    } catch {
      // A progress display must never break a sync.
    }
  };
  const started = Date.now();
  // One sync per database: a second one is refused here, before it touches any state.
  const lock = await acquireSyncLock(db, { scope: plan.state.jobTable });
  // Stop when asked to, and also when the lock's connection breaks (another sync could then start).
  const signal = options.signal ? AbortSignal.any([options.signal, lock.signal]) : lock.signal;
  try {
    const cursors = new SyncCursorService(db, plan.state, plan.types);
    const { job, resumed } = await chooseJob(cursors, plan, options, deps.source.appUrl);
    const byName = new Map(plan.types.map((t) => [t.name, t]));
    const types = job.types.map((name) => {
      const type = byName.get(name);
      if (!type || type.removed) {
        throw new BubbleError('SYNC_STALE_JOB', `Job ${job.id} covers type ${JSON.stringify(name)}, which the manifest no longer ${type ? 'syncs (removed from the app)' : 'has'}.`, {
          hint: `Cancel it (bubble-runtime sync --cancel ${job.id}) and run sync again.`,
        });
      }
      return type;
    });
    await lock.setJob(job.id);
    await cursors.startJob(job.id);
    emit({ kind: 'job-start', jobId: job.id, mode: job.mode, types: job.types, resumed });

    const writer = deps.writer ?? createPageWriter();
    const durations = new Map<string, number>();
    let error: unknown = null;
    let interrupted = false;
    let cancelled = false;

    for (const [i, type] of types.entries()) {
      const cursor = await cursors.resumeFromCursor(type.table, job.id);
      if (!cursor || cursor.status === 'COMPLETED') continue;
      if (cursor.status === 'CANCELLED') {
        cancelled = true;
        break;
      }
      const tableStarted = Date.now();
      try {
        await cursors.setCurrentTable(job.id, type.table, Math.round((i / types.length) * 100));
        const since = job.mode === 'incremental' ? await incrementalStart(db, cursors, type, settings, deps.source.appUrl) : null;
        await cursors.startTable(type.table, job.id, new Date(tableStarted).toISOString());
        emit({ kind: 'table-start', type: type.name, table: type.table, total: cursor.totalRecords });
        const outcome = await syncTable(
          { db, cursors, source: deps.source, writer, type, jobId: job.id, mode: job.mode, concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY,
            maxOffset: settings.maxOffset, since, signal, emit },
          cursor,
        );
        durations.set(type.table, Date.now() - tableStarted);
        if (outcome.kind === 'interrupted') {
          interrupted = true;
          break;
        }
        await completeTable(db, cursors, type, job);
        const done = await cursors.resumeFromCursor(type.table, job.id);
        if (done) emit({ kind: 'table-done', result: tableResult(type, done, durations.get(type.table)) });
      } catch (err) {
        durations.set(type.table, Date.now() - tableStarted);
        error = err;
        await cursors.markTableError(type.table, job.id, formatError(err).split('\n')[0] ?? 'error').catch(() => undefined);
        break;
      }
      if ((await cursors.getJob(job.id))?.status === 'CANCELLED') {
        cancelled = true;
        break;
      }
      if (signal.aborted) {
        interrupted = i < types.length - 1;
        if (interrupted) break;
      }
    }

    if (lock.signal.aborted && error === null) {
      error = new DatabaseConnectionLostError('the connection holding the sync lock broke');
      interrupted = false;
    }
    const status: JobStatus = error !== null ? 'ERROR' : cancelled ? 'CANCELLED' : interrupted ? 'PENDING' : 'COMPLETED';
    if (!cancelled) {
      await cursors
        .finishJob(job.id, status, error === null ? (interrupted ? 'Interrupted; run sync again to resume.' : null) : formatError(error).split('\n')[0] ?? 'error')
        .catch((finishErr: unknown) => {
          // The database went away: the job stays RUNNING in the database, which the next run resumes.
          if (error === null) error = finishErr;
        });
    }
    // A new job's duration is the one `status` shows (the job's own timestamps); a resumed job's is this run's.
    const result = await buildResult(cursors, job, types, resumed ? Date.now() - started : null, durations, status).catch(() =>
      offlineResult(job, types, Date.now() - started, durations, status),
    );
    emit({ kind: 'job-done', result });
    if (error !== null) return { result, error: new SyncFailedError(result, error) };
    if (interrupted) return { result, error: new SyncInterruptedError(result) };
    return { result, error: null };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** Resume the latest unfinished job when the request allows it; otherwise start a new one. */
async function chooseJob(
  cursors: SyncCursorService, plan: SyncPlan, options: RunSyncOptions, appUrl: string | undefined,
): Promise<{ job: SyncJobRow; resumed: boolean }> {
  const requested = selectTypes(plan, options.types);
  const unfinished = await cursors.latestUnfinishedJob();
  if (options.resume && !unfinished) {
    throw new UsageError('There is no unfinished sync job to resume.', 'Run sync without --resume to start one.');
  }
  if (unfinished) {
    const sameMode = options.mode === undefined || options.mode === unfinished.mode;
    const sameTypes = options.types === undefined || sameSet(requested.map((t) => t.name), unfinished.types);
    // A job covering a type the manifest no longer syncs (removed from the app and re-introspected since)
    // would fail on it at every resume: a plain run supersedes it instead.
    const live = new Set(selectTypes(plan, undefined).map((t) => t.name));
    const stale = unfinished.types.some((name) => !live.has(name));
    // Another app's job (e.g. version-test vs live) is never continued with this app's pages.
    const ownApp = sameApp(unfinished.appUrl, appUrl);
    if (options.resume && !ownApp) throw new SyncOtherAppError(unfinished.id, unfinished.appUrl ?? '', appUrl ?? '');
    if (options.resume || (sameMode && sameTypes && !stale && ownApp)) return { job: unfinished, resumed: true };
    // An explicit, different request supersedes the unfinished job: it is cancelled, never half-resumed.
    await cursors.cancelSyncJob(unfinished.id);
  }
  const mode: SyncMode = options.mode ?? ((await cursors.hasCompletedFullSync(appUrl)) ? 'incremental' : 'full');
  const jobId = await cursors.initializeSyncJob(requested.map((t) => t.table), { mode, appUrl });
  const job = await cursors.getJob(jobId);
  if (!job) throw new BubbleError('SYNC_STATE', `Sync job ${jobId} vanished right after it was created.`);
  return { job, resumed: false };
}

/** The types to sync, in manifest load order; removed types are skipped (the app no longer serves them). */
export function selectTypes(plan: SyncPlan, names: string[] | undefined): ManifestType[] {
  const live = plan.types.filter((t) => !t.removed);
  if (names === undefined || names.length === 0) return live;
  const known = new Map(plan.types.map((t) => [t.name.toLowerCase(), t]));
  const wanted = new Set<string>();
  for (const raw of names) {
    const type = known.get(raw.trim().toLowerCase());
    if (!type) {
      throw new UsageError(
        `Unknown Bubble type ${JSON.stringify(raw)}.`,
        `Known types: ${plan.types.map((t) => t.name).join(', ')}.`,
      );
    }
    wanted.add(type.name);
  }
  return plan.types.filter((t) => wanted.has(t.name));
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Incremental start; null = read everything. Normally the last completed pass's start (this machine's
 * clock) minus the overlap. But an app whose clock lags ours, or that stamps records with times of its
 * own, can write edits stamped before that: so the start is never later than just after the newest
 * `Modified Date` already stored (the app's own clock), where its next edits must land. Only passes
 * of the source's app count (see `highWaterMark`).
 */
async function incrementalStart(
  db: Db, cursors: SyncCursorService, type: ManifestType, settings: SyncSettings, appUrl: string | undefined,
): Promise<string | null> {
  // Null also when the table's latest pass read another app: its rows (and their Modified Dates) are that app's.
  const started = await cursors.highWaterMark(type.table, appUrl);
  if (started === null) return null;
  const [row] = await db.query<{ newest: unknown }>(`SELECT max(${ident(type.standard.bubbleModifiedAt)}) AS newest FROM ${ident(type.table)}`);
  const newest = toIso(row?.newest);
  const fromStart = Date.parse(started) - settings.incrementalOverlapMs;
  const afterNewest = newest === null ? Number.POSITIVE_INFINITY : Date.parse(newest) + 1;
  return new Date(Math.min(fromStart, afterNewest)).toISOString();
}

/** Marks a table complete; after a full pass, in the same transaction, soft-deletes the rows it did not see. */
async function completeTable(db: Db, cursors: SyncCursorService, type: ManifestType, job: SyncJobRow): Promise<void> {
  await db.transaction(async (tx) => {
    const softDeleted = job.mode === 'full' ? await softDeleteUnseen(tx, type, job.id) : 0;
    await cursors.in(tx).markTableComplete(type.table, job.id, { softDeleted });
  });
}

function tableResult(type: ManifestType, c: SyncCursorRow, durationMs: number | undefined): TableResult {
  const stored = c.startedAt && c.completedAt ? Date.parse(c.completedAt) - Date.parse(c.startedAt) : 0;
  return {
    type: type.name,
    table: type.table,
    records: c.syncedRecords,
    pages: c.pages,
    durationMs: durationMs ?? stored,
    status: c.status,
    rawOnly: c.rawOnly,
    softDeleted: c.softDeleted,
  };
}

async function buildResult(
  cursors: SyncCursorService, job: SyncJobRow, types: ManifestType[], runMs: number | null, durations: Map<string, number>, status: JobStatus,
): Promise<SyncResult> {
  const rows = new Map((await cursors.getCursors(job.id)).map((c) => [c.tableName, c]));
  const fresh = await cursors.getJob(job.id);
  return {
    jobId: job.id,
    mode: job.mode,
    status: fresh?.status === 'CANCELLED' ? 'CANCELLED' : status,
    durationMs: runMs ?? jobDurationMs(fresh ?? job),
    tables: types.map((t) => {
      const c = rows.get(t.table);
      return c ? tableResult(t, c, durations.get(t.table)) : emptyTable(t, 'PENDING', durations.get(t.table));
    }),
  };
}

/** When the database is gone, the result can only say what this process knows. */
function offlineResult(job: SyncJobRow, types: ManifestType[], durationMs: number, durations: Map<string, number>, status: JobStatus): SyncResult {
  return {
    jobId: job.id,
    mode: job.mode,
    status,
    durationMs,
    tables: types.map((t) => emptyTable(t, durations.has(t.table) && status === 'ERROR' ? 'ERROR' : 'PENDING', durations.get(t.table))),
  };
}

function emptyTable(t: ManifestType, status: TableStatus, durationMs: number | undefined): TableResult {
  return { type: t.name, table: t.table, records: 0, pages: 0, durationMs: durationMs ?? 0, status, rawOnly: 0, softDeleted: 0 };
}

/** From the job's first start to its completion (or now), by the database's timestamps. */
function jobDurationMs(job: Pick<SyncJobRow, 'startedAt' | 'completedAt'>): number {
  const end = job.completedAt ? Date.parse(job.completedAt) : Date.now();
  return job.startedAt ? Math.max(0, end - Date.parse(job.startedAt)) : 0;
}

/** The `status --json` document for a job, read from the database. */
export async function jobResult(cursors: SyncCursorService, plan: SyncPlan, jobId: string): Promise<SyncResult> {
  const progress = await cursors.getSyncProgress(jobId);
  const byName = new Map(plan.types.map((t) => [t.name, t]));
  const { job } = progress;
  return {
    jobId: job.id,
    mode: job.mode,
    status: job.status,
    durationMs: jobDurationMs(job),
    tables: progress.tables.map((c) => {
      const type = byName.get(c.bubbleDataType);
      const base = type ?? ({ name: c.bubbleDataType, table: c.tableName } as ManifestType);
      const running = c.startedAt && !c.completedAt ? Date.now() - Date.parse(c.startedAt) : undefined;
      return tableResult(base, c, running);
    }),
  };
}

