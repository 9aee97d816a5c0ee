/** `bubble-runtime status [job] [--json] [--schema DIR]`: a job's progress from the database (default: the latest job). */
import type { Command } from 'commander';
import { BubbleError } from '../../../core/errors.js';
import { summary } from './sync.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('Show a sync job from the database (default: the latest); on PostgreSQL also while another process runs it.')
    .argument('[job]', 'job id')
    .option('--json', 'print one JSON document on stdout: {jobId, mode, status, durationMs, tables, error?}')
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .action(async (job: string | undefined, flags: { json?: boolean; schema?: string }) => {
      const { openDbFromEnv } = await import('../../db/open.js');
      const { resolveProject } = await import('../../project/index.js');
      const { SyncStateStore } = await import('../../sync/state-store.js');
      const { jobResult } = await import('../../sync/runner.js');
      const cwd = process.cwd();
      const project = await resolveProject({ schema: flags.schema, cwd });
      const db = await openDbFromEnv({ cwd });
      try {
        const store = new SyncStateStore(db, project.manifest.state, project.manifest.types);
        const jobId = job ?? (await store.latestJob())?.id;
        if (jobId === undefined) {
          throw new BubbleError('SYNC_NO_JOBS', 'No sync has run against this database yet.', { hint: 'Run bubble-runtime sync.' });
        }
        const result = await jobResult(store, project.manifest, jobId);
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${summary(result)}\n`);
      } finally {
        await db.close();
      }
    });
}
