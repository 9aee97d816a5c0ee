/**
 * `bubble-runtime sync [--mode full|incremental] [--types a,b] [--resume] [--cancel <job>] [--json]
 * [--app-url URL] [--schema DIR] [--concurrency N] [--rate-limit RPM] [--max-offset N] [--allow-mass-delete]`:
 * runs (or resumes, or cancels) a sync from the generated manifest. `--json` prints exactly one JSON
 * document on stdout (the shape README's Reference gives); progress goes to stderr.
 */
import type { Command } from 'commander';
import type { SyncResult } from '../../api.js';
import { BubbleError, UsageError } from '../../../core/errors.js';
import { HELD_BACK_HINT, heldBackLines } from '../../sync/held-back.js';

interface SyncFlags {
  mode?: string;
  types?: string;
  resume?: boolean;
  cancel?: string;
  json?: boolean;
  appUrl?: string;
  schema?: string;
  concurrency?: string;
  rateLimit?: string;
  maxOffset?: string;
  allowMassDelete?: boolean;
}

export function register(program: Command): void {
  program
    .command('sync')
    .description(
      'Sync the Bubble app (BUBBLE_APP_URL, BUBBLE_API_TOKEN) into the database (DATABASE_URL, or the embedded PGlite in ./.bubble/pglite). ' +
        'A plain run first resumes the latest unfinished job.',
    )
    .option('--mode <mode>', 'full | incremental (default: incremental once a full sync has completed)')
    .option('--types <list>', 'comma-separated Bubble type names (default: all, in load order)')
    .option('--resume', 'only continue the latest unfinished job')
    .option('--cancel <job>', 'cancel a job so it is never resumed')
    .option('--json', 'print one JSON document on stdout: {jobId, mode, status, durationMs, tables, error?}')
    .option('--app-url <url>', 'the app URL (overrides BUBBLE_APP_URL)')
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .option('--concurrency <n>', 'pages in flight per table (overrides SYNC_CONCURRENCY)')
    .option('--rate-limit <rpm>', 'requests per minute to the app, 0 = no cap (overrides SYNC_RATE_LIMIT_RPM)')
    .option('--max-offset <n>', 'deepest offset inside one keyset window (overrides BUBBLE_MAX_OFFSET)')
    .option('--allow-mass-delete', 'let a full pass mark any share of a table deleted (like SYNC_ALLOW_MASS_DELETE=1)')
    .action(async (flags: SyncFlags) => {
      // Loaded here, not at the top: `--help` and the other commands start without them.
      const { openDbFromEnv } = await import('../../db/open.js');
      const { resolveProject } = await import('../../project/index.js');
      const { SyncStateStore } = await import('../../sync/state-store.js');
      const { jobResult } = await import('../../sync/runner.js');
      const { openSyncSession } = await import('../../sync/session.js');
      const { parseMode } = await import('../../sync/settings.js');
      const { resolveSyncSettings } = await import('../../../core/settings/index.js');
      const { createRunOutput } = await import('../progress/run-output.js');
      const settings = resolveSyncSettings({ flags });
      const mode = parseMode(flags.mode);
      const types =
        flags.types === undefined
          ? undefined
          : flags.types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean);
      if (types !== undefined && types.length === 0) throw new UsageError('--types needs at least one type name.');
      if (flags.cancel !== undefined && (flags.resume || mode || types)) {
        throw new UsageError('--cancel cannot be combined with --mode, --types or --resume.');
      }
      const cwd = process.cwd();
      const project = await resolveProject({ schema: flags.schema, cwd });
      const db = await openDbFromEnv({ cwd });
      const controller = new AbortController();
      // SIGINT (Ctrl-C) and SIGTERM (cron, systemd, containers) both stop: requests in flight and their
      // retries are cancelled, pages already fetched commit, the job stays resumable. A second one quits at once.
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('Stopping: cancelling the requests in flight; pages already fetched commit (Ctrl-C again to quit at once)…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        if (flags.cancel !== undefined) {
          const store = new SyncStateStore(db, project.manifest.state, project.manifest.types);
          await store.cancelSyncJob(flags.cancel);
          const result = await jobResult(store, project.manifest, flags.cancel);
          write(flags.json === true, result, `Cancelled sync job ${flags.cancel}.`);
          return;
        }
        // Live bars on a terminal, plain lines off it, nothing but the document with --json (runtime/cli/progress).
        const out = createRunOutput({ json: flags.json === true, cwd });
        const session = openSyncSession({ settings, appUrl: flags.appUrl, onProgress: out.onProgress });
        const { result, error, written } = await session
          .run(db, project.manifest, { mode, types, resume: flags.resume === true, signal: controller.signal })
          .catch((err: unknown) => {
            out.abort();
            throw err;
          });
        const reportDir = written?.dir ?? null;
        // The one-screen summary (with the report's figures and path), or exactly one JSON document.
        await out.finish(result);
        // With --json stdout holds only the document; say where the report is on stderr.
        if (flags.json === true && reportDir !== null) process.stderr.write(`Report: ${reportDir}\n`);
        if (error !== null) throw error;
        // Held-back deletions are a completed sync that needs a person: say so and exit 1 for the scheduler.
        const held = heldBackLines(result.tables);
        if (held.length > 0)
          throw new BubbleError('SYNC_DELETIONS_HELD_BACK', `Deletions held back. ${held.join(' ')}`, { hint: HELD_BACK_HINT });
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        // A database that went away must not replace the run's own error with its own.
        await db.close().catch(() => undefined);
      }
    });
}

function write(json: boolean, result: SyncResult, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${text}\n`);
}

/** The run's result as a few lines a person reads. */
export function summary(result: SyncResult): string {
  const lines = [`Sync job ${result.jobId} (${result.mode}): ${result.status} in ${(result.durationMs / 1000).toFixed(1)} s`];
  if (result.error) {
    lines.push(`  Error (${result.error.code}): ${result.error.message}`);
    if (result.error.hint) lines.push(`  → ${result.error.hint}`);
  }
  for (const t of result.tables) {
    const extra = [
      t.rawOnly ? `${t.rawOnly} with raw-only values` : '',
      t.rejected ? `${t.rejected} rejected` : '',
      t.softDeleted ? `${t.softDeleted} marked deleted` : '',
      t.heldBack ? `${t.heldBack} deletions held back` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  ${t.type.padEnd(20)} ${t.status.padEnd(11)} ${String(t.records).padStart(8)} ${t.records === 1 ? 'record ' : 'records'} ${String(t.pages).padStart(6)} ${t.pages === 1 ? 'page ' : 'pages'}${extra ? `  (${extra})` : ''}`,
    );
  }
  return lines.join('\n');
}
