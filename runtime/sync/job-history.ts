/**
 * Recent sync jobs, newest first, for `bubble-runtime jobs`: one row per job with its status, mode,
 * start, duration, records written and, for a failed job, its error. Read-only SQL over SyncJob and
 * SyncCursor.
 */
import type { JobStatus, SyncErrorInfo, SyncMode } from '../api.js';
import type { ManifestSyncState } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { decodeJobError } from './job-error.js';
import { ident, num, readUtc, toIso } from './sql.js';

export interface JobSummary {
  jobId: string;
  status: JobStatus;
  mode: SyncMode;
  /** When the job's first run started (null: created, never started). */
  startedAt: string | null;
  /** From the first start to the end of the latest run (to now while it runs). */
  durationMs: number | null;
  /** Records written over all of the job's runs. */
  records: number;
  /** Why it failed (status ERROR), else null. */
  error: SyncErrorInfo | null;
}

export async function recentJobs(db: Db, state: ManifestSyncState, limit: number, now = Date.now()): Promise<JobSummary[]> {
  const job = ident(state.jobTable);
  const cursor = ident(state.cursorTable);
  const rows = await db.query(
    `SELECT id, status::text AS status, mode, error, ${readUtc('started_at', 'started_at')}, ${readUtc('completed_at', 'completed_at')},
       ${readUtc('updated_at', 'updated_at')},
       COALESCE((SELECT sum(c.synced_records) FROM ${cursor} c WHERE c.sync_job_id = ${job}.id), 0) AS records
     FROM ${job} ORDER BY created_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => {
    const status = String(r.status) as JobStatus;
    const startedAt = toIso(r.started_at);
    // A run that ended without completing (ERROR, interrupted) last touched the job when it stopped.
    const end = status === 'RUNNING' ? now : Date.parse(toIso(r.completed_at) ?? toIso(r.updated_at) ?? '');
    return {
      jobId: String(r.id),
      status,
      mode: r.mode === 'incremental' ? 'incremental' : 'full',
      startedAt,
      durationMs: startedAt === null || Number.isNaN(end) ? null : Math.max(0, end - Date.parse(startedAt)),
      records: num(r.records),
      error: status === 'ERROR' ? decodeJobError((r.error as string | null) ?? null) : null,
    };
  });
}
