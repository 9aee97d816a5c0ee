/** `bubble-runtime jobs [--json] [--limit N] [--schema DIR]`: recent sync jobs, newest first, one line each. */
import type { Command } from 'commander';
import { UsageError } from '../../../core/errors.js';
import { formatDuration, formatInt } from '../../report/format.js';
import type { JobSummary } from '../../sync/job-history.js';

const DEFAULT_LIMIT = 20;

export function register(program: Command): void {
  program
    .command('jobs')
    .description('List recent sync jobs, newest first: status, mode, start, duration, records and, for a failed job, its error.')
    .option('--json', 'print one JSON document on stdout: {jobs: [{jobId, status, mode, startedAt, durationMs, records, error}]}')
    .option('--limit <n>', `how many jobs (default ${DEFAULT_LIMIT})`)
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .action(async (flags: { json?: boolean; limit?: string; schema?: string }) => {
      const limit = flags.limit === undefined ? DEFAULT_LIMIT : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit must be a whole number ≥ 1, got ${JSON.stringify(flags.limit)}.`);
      const [{ openDbFromEnv }, { resolveProject }, { recentJobs }] = await Promise.all([
        import('../../db/open.js'),
        import('../../project/index.js'),
        import('../../sync/job-history.js'),
      ]);
      const cwd = process.cwd();
      const project = await resolveProject({ schema: flags.schema, cwd });
      const db = await openDbFromEnv({ cwd });
      try {
        const jobs = await recentJobs(db, project.manifest.state, limit);
        if (flags.json) process.stdout.write(`${JSON.stringify({ jobs })}\n`);
        else process.stdout.write(jobs.length === 0 ? 'No sync has run against this database yet.\n' : `${jobs.map(jobLine).join('\n')}\n`);
      } finally {
        await db.close();
      }
    });
}

/** `2025-06-01 02:15:03Z  ERROR      full          1.2 s          0 records  <job id>  BUBBLE_AUTH: Bubble refused …` */
export function jobLine(job: JobSummary): string {
  const started = (job.startedAt ? `${job.startedAt.slice(0, 19).replace('T', ' ')}Z` : 'not started').padEnd(20);
  const duration = job.durationMs === null ? '–' : formatDuration(job.durationMs);
  const error = job.error ? `  ${job.error.code}: ${job.error.message}` : '';
  return `${started}  ${job.status.padEnd(9)}  ${job.mode.padEnd(11)}  ${duration.padStart(8)}  ${formatInt(job.records).padStart(10)} records  ${job.jobId}${error}`;
}
