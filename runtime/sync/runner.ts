/**
 * The sync runner: one job = the selected types' tables, one after another in manifest load order.
 * It takes the database-wide sync lock, resumes the latest unfinished job (or starts a new one in the
 * requested / default mode), runs each table through `syncTable`, soft-deletes after a completed full
 * pass, and records every outcome in the sync-state tables so the next run can continue.
 */
import { setMaxListeners } from 'node:events';
import type { ProgressEvent, SyncMode, SyncOptions, SyncPlan, SyncResult, TableResult, TableStatus, JobStatus } from '../api.js';
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { acquireSyncLock } from '../db/lock.js';
import { withConnectionRetry } from '../db/retry.js';
import { connectionRetryBudgetMs } from '../db/retry.js';
import { BubbleError, formatError, UsageError } from '../../core/errors.js';
import { sameApp, SyncStateStore, type SyncCursorRow, type SyncJobRow } from './state-store.js';
import { Committer } from './committer.js';
import { candidateIds, markDeleted, planDeletions, type DeletionPolicy } from './deletions.js';
import { adaptiveConcurrency, createPagePool, type PagePool } from './page-pool.js';
import { createPageWriter } from './page-writer.js';
import type { BubbleRecord, PageSource, PageWriter } from './ports.js';
import { resolveSettings, type SyncSettings } from './settings.js';
import { ident, toIso } from './sql.js';
import { decodeJobError, describeError } from './job-error.js';
import { jobNote, jobStatus, runOutcome, type Failure, type SyncOutcome } from './outcome.js';
import { syncTable, type TableRead } from './table-sync.js';

export interface RunSyncOptions extends SyncOptions {
  /** Only continue the latest unfinished job; refuse when there is none. */
  resume?: boolean;
  /** How far before the last completed pass an incremental run starts (default 5 minutes). */
  incrementalOverlapMs?: number;
}

export interface SyncDeps {
  source: PageSource;
  writer?: PageWriter;
  /** Retries a page commit across a lost database connection (pages are idempotent). */
  commitRetry?: <T>(attempt: () => Promise<T>) => Promise<T>;
}

/** A run's outcome: the `--json` document, and the error that stopped it (null on success). */
export interface SyncRun {
  result: SyncResult;
  error: unknown;
}

export class SyncFailedError extends BubbleError {
  constructor(
    readonly result: SyncResult,
    cause: unknown,
  ) {
    const table = result.tables.find((t) => t.status === 'ERROR');
    super('SYNC_FAILED', `Sync job ${result.jobId} stopped${table ? ` at ${table.type}` : ''}: ${formatError(cause).split('\n')[0]}`, {
      hint:
        cause instanceof BubbleError && cause.hint
          ? cause.hint
          : 'Everything committed so far is kept; run sync again to resume from there.',
      cause,
    });
  }
}

export class SyncInterruptedError extends BubbleError {
  constructor(readonly result: SyncResult) {
    super('SYNC_INTERRUPTED', `Sync job ${result.jobId} was interrupted; the pages fetched before the stop are committed.`, {
      hint: 'Run sync again (or sync --resume) to continue where it stopped.',
    });
  }
}

/** `--resume` with another app than the unfinished job's: resuming would mix two apps' records in one job. */
export class SyncOtherAppError extends BubbleError {
  constructor(
    readonly jobId: string,
    readonly jobAppUrl: string,
    readonly appUrl: string,
  ) {
    super('SYNC_OTHER_APP', `The unfinished sync job ${jobId} reads ${jobAppUrl}, not ${appUrl}.`, {
      hint: `Resume it with --app-url ${jobAppUrl}, or run sync without --resume to cancel it and start a new job for ${appUrl}.`,
      exitCode: 2,
    });
  }
}

export async function runSyncOnDb(db: Db, plan: SyncPlan, options: RunSyncOptions, deps: SyncDeps): Promise<SyncRun> {
  const settings = resolveSettings(options);
  // Checked now, not at the first lost connection.
  connectionRetryBudgetMs();
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
    const store = new SyncStateStore(db, plan.state, plan.types);
    const { job, resumed } = await chooseJob(store, plan, options, deps.source.appUrl);
    const byName = new Map(plan.types.map((t) => [t.name, t]));
    const types = job.types.map((name) => {
      const type = byName.get(name);
      if (!type || type.removed) {
        throw new BubbleError(
          'SYNC_STALE_JOB',
          `Job ${job.id} covers type ${JSON.stringify(name)}, which the manifest no longer ${type ? 'syncs (removed from the app)' : 'has'}.`,
          {
            hint: `Cancel it (bubble-runtime sync --cancel ${job.id}) and run sync again.`,
          },
        );
      }
      return type;
    });
    await lock.setJob(job.id);
    await store.startJob(job.id);
    emit({ kind: 'job-start', jobId: job.id, mode: job.mode, types: job.types, resumed });

    const writer = deps.writer ?? createPageWriter({ rejectTable: plan.state.rejectTable });
    const tables = await runTables({ db, store, job, types, settings, deps: { ...deps, writer }, signal, emit });
    let outcome = runOutcome(tables.ended, tables.firstFailure, lock.signal);
    const status = jobStatus(outcome);
    if (outcome.kind !== 'cancelled') {
      try {
        await store.finishJob(job.id, status, jobNote(outcome));
      } catch (finishErr) {
        // The database went away: the job stays RUNNING in the database, which the next run resumes.
        if (outcome.kind !== 'failed') outcome = { kind: 'failed', error: finishErr };
      }
    }
    // A new job's duration is the one `status` shows (the job's own timestamps); a resumed job's is this run's.
    const run = { store, job, types, runMs: resumed ? Date.now() - started : null, durations: tables.durations, status };
    const result = await buildResult(run).catch(() => offlineResult({ ...run, runMs: Date.now() - started }));
    if (outcome.kind === 'failed') result.error = describeError(outcome.error);
    emit({ kind: 'job-done', result });
    if (outcome.kind === 'failed') return { result, error: new SyncFailedError(result, outcome.error) };
    if (outcome.kind === 'stopped') return { result, error: new SyncInterruptedError(result) };
    return { result, error: null };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** Tables read at once: the one being finished plus this many after it, on page slots it leaves idle. */
const TABLES_AHEAD = 2;

interface TablesRun {
  db: Db;
  store: SyncStateStore;
  job: SyncJobRow;
  types: ManifestType[];
  settings: SyncSettings;
  deps: SyncDeps & { writer: PageWriter };
  signal: AbortSignal;
  emit: (event: ProgressEvent) => void;
}

interface TablesEnd {
  /** How the table loop ended (the run's outcome unless a failure or a lost lock overrides it, see outcome.ts). */
  ended: SyncOutcome;
  /** The first table that failed, also one read ahead of the loop. */
  firstFailure: Failure | null;
  durations: Map<string, number>;
}

/** How reading one table's pass ended, failures included. */
type PassEnd = TableRead | Failure;

/**
 * Runs the job's tables: each table's pass reads on its own, but page slots go to the earliest table
 * first and tables complete (and apply their deletions) in load order. The first failure stops the
 * others after their in-flight pages commit; everything committed stays for the resume.
 */
async function runTables(run: TablesRun): Promise<TablesEnd> {
  const { db, store, job, types, settings, deps, signal, emit } = run;
  const { writer } = deps;
  // A lost connection is ridden out around each commit: a batch of pages is idempotent, so it runs again.
  const committer = new Committer(db, store, writer, {
    retry: deps.commitRetry ?? ((attempt) => withConnectionRetry(attempt, { signal })),
  });
  const concurrency = (): number =>
    settings.concurrency ?? adaptiveConcurrency(settings.rateLimitRpm, deps.source.observedLatencyMs?.() ?? null);
  const pool = createPagePool(concurrency);
  const halt = new AbortController();
  const stop = AbortSignal.any([signal, halt.signal]);
  // Each table's windows and waiting page requests listen to it: many listeners, not a leak.
  setMaxListeners(0, stop);
  const durations = new Map<string, number>();
  const policy = { maxDeleteFraction: settings.maxDeleteFraction, allowMassDelete: settings.allowMassDelete };

  const cursorsAtStart = new Map((await store.getCursors(job.id)).map((c) => [c.tableName, c]));
  const pending = types.filter((t) => {
    const c = cursorsAtStart.get(t.table);
    return c !== undefined && c.status !== 'COMPLETED';
  });
  if (pending.some((t) => cursorsAtStart.get(t.table)?.status === 'CANCELLED')) {
    return { ended: { kind: 'cancelled' }, firstFailure: null, durations };
  }

  let firstFailure: Failure | null = null;
  /** A table failed: the others stop after their in-flight pages commit, and its error is recorded on it. */
  const fail = async (type: ManifestType, error: unknown): Promise<Failure> => {
    firstFailure ??= { kind: 'failed', error };
    halt.abort();
    await store.markTableError(type.table, job.id, formatError(error).split('\n')[0] ?? 'error').catch(() => undefined);
    return { kind: 'failed', error };
  };

  type Pass = { type: ManifestType; started: number; read: Promise<PassEnd> };
  const passes: Pass[] = [];
  const start = (i: number): void => {
    const type = pending[i]!;
    const started = Date.now();
    const read = (async (): Promise<PassEnd> => {
      const cursor = cursorsAtStart.get(type.table)!;
      const since = job.mode === 'incremental' ? await incrementalStart({ db, store, type, settings, appUrl: deps.source.appUrl }) : null;
      await store.startTable(type.table, job.id, new Date(started).toISOString());
      emit({ kind: 'table-start', type: type.name, table: type.table, total: cursor.totalRecords });
      return syncTable(
        {
          db,
          source: deps.source,
          committer,
          pool,
          type,
          jobId: job.id,
          mode: job.mode,
          priority: types.indexOf(type),
          concurrency,
          maxOffset: settings.maxOffset,
          since,
          signal: stop,
          emit,
        },
        cursor,
      );
    })().catch((err: unknown) => {
      durations.set(type.table, Date.now() - started);
      return fail(type, err);
    });
    passes.push({ type, started, read });
  };

  /** A table's turn, in load order: its pass read, then its deletions settled and the table completed. */
  const turn = async (pass: Pass): Promise<SyncOutcome> => {
    const read = await pass.read;
    if (read.kind === 'failed') return read;
    durations.set(pass.type.table, Date.now() - pass.started);
    if (read.kind === 'stopped') return read;
    try {
      await completeTable({ db, store, source: deps.source, writer, pool, job, policy, signal: stop }, pass.type);
      const done = await store.resumeFromCursor(pass.type.table, job.id);
      if (done)
        emit({
          kind: 'table-done',
          result: tableResult(
            pass.type,
            done,
            durations.get(pass.type.table),
            (await store.rejectedByTable(job.id)).get(pass.type.table) ?? 0,
          ),
        });
      return (await store.getJob(job.id))?.status === 'CANCELLED' ? { kind: 'cancelled' } : { kind: 'completed' };
    } catch (err) {
      return fail(pass.type, err);
    }
  };

  let ended: SyncOutcome = { kind: 'completed' };
  for (let i = 0; i < pending.length; i++) {
    while (passes.length < Math.min(pending.length, i + 1 + TABLES_AHEAD) && !stop.aborted) start(passes.length);
    const pass = passes[i];
    // Never started: the run was stopped (or a table read ahead failed) before this table's turn.
    const outcome: SyncOutcome = pass ? await turn(pass) : { kind: 'stopped' };
    if (outcome.kind !== 'completed') {
      ended = outcome;
      break;
    }
    if (signal.aborted && i < pending.length - 1) {
      ended = { kind: 'stopped' };
      break;
    }
  }
  halt.abort();
  await settle(passes);
  await committer.idle();
  return { ended, firstFailure, durations };
}

/** Waits for every started pass to stop (they stop after their in-flight pages commit). */
async function settle(passes: Array<{ read: Promise<unknown> }>): Promise<void> {
  await Promise.all(passes.map((p) => p.read));
}

/** Resume the latest unfinished job when the request allows it; otherwise start a new one. */
async function chooseJob(
  store: SyncStateStore,
  plan: SyncPlan,
  options: RunSyncOptions,
  appUrl: string | undefined,
): Promise<{ job: SyncJobRow; resumed: boolean }> {
  const requested = selectTypes(plan, options.types);
  const unfinished = await store.latestUnfinishedJob();
  if (options.resume && !unfinished) {
    throw new UsageError('There is no unfinished sync job to resume.', 'Run sync without --resume to start one.');
  }
  if (unfinished) {
    const sameMode = options.mode === undefined || options.mode === unfinished.mode;
    const sameTypes =
      options.types === undefined ||
      sameSet(
        requested.map((t) => t.name),
        unfinished.types,
      );
    // A job covering a type the manifest no longer syncs (removed from the app and re-introspected since)
    // would fail on it at every resume: a plain run supersedes it instead.
    const live = new Set(selectTypes(plan, undefined).map((t) => t.name));
    const stale = unfinished.types.some((name) => !live.has(name));
    // Another app's job (e.g. version-test vs live) is never continued with this app's pages.
    const ownApp = sameApp(unfinished.appUrl, appUrl);
    if (options.resume && !ownApp) throw new SyncOtherAppError(unfinished.id, unfinished.appUrl ?? '', appUrl ?? '');
    if (options.resume || (sameMode && sameTypes && !stale && ownApp)) return { job: unfinished, resumed: true };
    // An explicit, different request supersedes the unfinished job: it is cancelled, never half-resumed.
    await store.cancelSyncJob(unfinished.id);
  }
  const mode: SyncMode = options.mode ?? ((await store.hasCompletedFullSync(appUrl)) ? 'incremental' : 'full');
  const jobId = await store.initializeSyncJob(
    requested.map((t) => t.table),
    { mode, appUrl },
  );
  const job = await store.getJob(jobId);
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
      throw new UsageError(`Unknown Bubble type ${JSON.stringify(raw)}.`, `Known types: ${plan.types.map((t) => t.name).join(', ')}.`);
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
async function incrementalStart(pass: {
  db: Db;
  store: SyncStateStore;
  type: ManifestType;
  settings: SyncSettings;
  appUrl: string | undefined;
}): Promise<string | null> {
  const { db, store, type, settings, appUrl } = pass;
  // Null also when the table's latest pass read another app: its rows (and their Modified Dates) are that app's.
  const started = await store.highWaterMark(type.table, appUrl);
  if (started === null) return null;
  const [row] = await db.query<{ newest: unknown }>(
    `SELECT max(${ident(type.standard.bubbleModifiedAt)}) AS newest FROM ${ident(type.table)}`,
  );
  const newest = toIso(row?.newest);
  const fromStart = Date.parse(started) - settings.incrementalOverlapMs;
  const afterNewest = newest === null ? Number.POSITIVE_INFINITY : Date.parse(newest) + 1;
  return new Date(Math.min(fromStart, afterNewest)).toISOString();
}

interface Completion {
  db: Db;
  store: SyncStateStore;
  source: PageSource;
  writer: PageWriter;
  pool: PagePool;
  job: SyncJobRow;
  policy: DeletionPolicy;
  signal: AbortSignal;
}

/** Ids per lookup when confirming deletions (Bubble's page limit). */
const CONFIRM_BATCH = 100;

/**
 * Marks a table complete. After a full pass it first settles the rows the pass did not see
 * (deletions.ts): held back, or confirmed with Bubble — records it still has are written (the pages
 * missed them), the rest marked deleted, in the same transaction as the completion.
 */
async function completeTable(c: Completion, type: ManifestType): Promise<void> {
  const { db, store, job } = c;
  const cursor = await store.resumeFromCursor(type.table, job.id);
  if (job.mode !== 'full' || !cursor?.startedAt) {
    await store.markTableComplete(type.table, job.id);
    return;
  }
  const scope = { type, jobId: job.id, startedAt: cursor.startedAt };
  const plan = await planDeletions(db, scope, cursor.reportedRecords, c.policy);
  let ids: string[] = [];
  let found: BubbleRecord[] = [];
  if (plan.decision === 'confirm') {
    ids = await candidateIds(db, scope);
    for (let i = 0; i < ids.length; i += CONFIRM_BATCH) {
      const release = await c.pool.acquire(-1, c.signal);
      try {
        found.push(...(await c.source.findExisting(type.name, ids.slice(i, i + CONFIRM_BATCH), c.signal)));
      } finally {
        release();
      }
    }
    const asked = new Set(ids);
    found = found.filter((r) => asked.has(r._id));
  }
  const held = plan.decision === 'incomplete' || plan.decision === 'guard' ? plan.candidates : 0;
  await db.transaction(async (tx) => {
    const state = store.in(tx);
    let recovered = 0;
    if (found.length > 0) recovered = (await c.writer.write(tx, type, found, { jobId: job.id, position: 0 })).written;
    const alive = new Set(found.map((r) => r._id));
    const softDeleted = await markDeleted(
      tx,
      scope,
      ids.filter((id) => !alive.has(id)),
    );
    await state.markTableComplete(type.table, job.id, {
      records: cursor.syncedRecords + recovered,
      softDeleted,
      heldBack: held,
      heldBackReason: held > 0 ? (plan.decision as 'guard' | 'incomplete') : null,
      rawOnly: plan.rawOnly,
    });
  });
}

function tableResult(type: ManifestType, c: SyncCursorRow, durationMs: number | undefined, rejected: number): TableResult {
  const stored = c.startedAt && c.completedAt ? Date.parse(c.completedAt) - Date.parse(c.startedAt) : 0;
  return {
    type: type.name,
    table: type.table,
    records: c.syncedRecords,
    pages: c.pages,
    durationMs: durationMs ?? stored,
    status: c.status,
    rawOnly: c.rawOnly,
    rejected,
    softDeleted: c.softDeleted,
    heldBack: c.heldBack,
    ...(c.replaced > 0 ? { replaced: c.replaced } : {}),
    ...(c.heldBackReason ? { heldBackReason: c.heldBackReason } : {}),
  };
}

/** What a run's result is built from. */
interface RunRecord {
  store: SyncStateStore;
  job: SyncJobRow;
  types: ManifestType[];
  /** This run's duration, or null for the job's own (first start to end). */
  runMs: number | null;
  durations: Map<string, number>;
  status: JobStatus;
}

async function buildResult(run: RunRecord): Promise<SyncResult> {
  const { store, job, types, runMs, durations, status } = run;
  const rows = new Map((await store.getCursors(job.id)).map((c) => [c.tableName, c]));
  const fresh = await store.getJob(job.id);
  const rejected = await store.rejectedByTable(job.id);
  return {
    jobId: job.id,
    mode: job.mode,
    status: fresh?.status === 'CANCELLED' ? 'CANCELLED' : status,
    durationMs: runMs ?? jobDurationMs(fresh ?? job),
    tables: types.map((t) => {
      const c = rows.get(t.table);
      return c ? tableResult(t, c, durations.get(t.table), rejected.get(t.table) ?? 0) : emptyTable(t, 'PENDING', durations.get(t.table));
    }),
  };
}

/** When the database is gone, the result can only say what this process knows. */
function offlineResult(run: Omit<RunRecord, 'store' | 'runMs'> & { runMs: number }): SyncResult {
  const { job, types, durations, status } = run;
  return {
    jobId: job.id,
    mode: job.mode,
    status,
    durationMs: run.runMs,
    tables: types.map((t) => emptyTable(t, durations.has(t.table) && status === 'ERROR' ? 'ERROR' : 'PENDING', durations.get(t.table))),
  };
}

function emptyTable(t: ManifestType, status: TableStatus, durationMs: number | undefined): TableResult {
  return {
    type: t.name,
    table: t.table,
    records: 0,
    pages: 0,
    durationMs: durationMs ?? 0,
    status,
    rawOnly: 0,
    rejected: 0,
    softDeleted: 0,
    heldBack: 0,
  };
}

/** From the job's first start to its completion (or now), by the database's timestamps. */
function jobDurationMs(job: Pick<SyncJobRow, 'startedAt' | 'completedAt'>): number {
  const end = job.completedAt ? Date.parse(job.completedAt) : Date.now();
  return job.startedAt ? Math.max(0, end - Date.parse(job.startedAt)) : 0;
}

/** The `status --json` document for a job, read from the database. */
export async function jobResult(store: SyncStateStore, plan: SyncPlan, jobId: string): Promise<SyncResult> {
  const progress = await store.getSyncProgress(jobId);
  const byName = new Map(plan.types.map((t) => [t.name, t]));
  const { job } = progress;
  const rejected = await store.rejectedByTable(jobId);
  const error = job.status === 'ERROR' ? decodeJobError(job.error) : null;
  return {
    jobId: job.id,
    mode: job.mode,
    status: job.status,
    durationMs: jobDurationMs(job),
    tables: progress.tables.map((c) => {
      const type = byName.get(c.bubbleDataType);
      const base = type ?? ({ name: c.bubbleDataType, table: c.tableName } as ManifestType);
      const running = c.startedAt && !c.completedAt ? Date.now() - Date.parse(c.startedAt) : undefined;
      return tableResult(base, c, running, rejected.get(c.tableName) ?? 0);
    }),
    ...(error ? { error } : {}),
  };
}
