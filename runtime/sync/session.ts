/**
 * The sync's composition root: the one place that builds the Bubble client for a sync, attaches the
 * run report, checks the app and runs the engine (runner.ts) over a database. `bubble-runtime sync`,
 * the library's `runSync` (what the generated `syncAll` calls) and the demo differ only in what they
 * hand it: the resolved settings, the database, where progress goes, the report folder and — the demo
 * — an app given whole instead of from the environment.
 */
import type { ProgressEvent, SyncMode, SyncPlan } from '../api.js';
import { clientFromEnv, createBubbleClient, type BubbleClient, type BubbleClientEvent, type BubbleClientMetrics } from '../bubble/index.js';
import type { Db } from '../db/types.js';
import type { ClientMetricsSnapshot } from '../report/metrics.js';
import type { SyncReport } from '../report/types.js';
import type { WrittenReport } from '../report/writer.js';
import { pageSourceFromClient, progressFromClientEvent } from './bubble-source.js';
import { MAX_ADAPTIVE_CONCURRENCY } from './page-pool.js';
import { preflight } from './preflight.js';
import { syncReporting } from './reporting.js';
import { runSyncOnDb, type SyncRun } from './runner.js';
import type { SyncSettings } from './settings.js';

export interface SyncSessionOptions {
  /** Resolved settings (flags or options over the environment, see runtime/sync/settings.ts). */
  settings: SyncSettings;
  /** Overrides BUBBLE_APP_URL (`--app-url`, `options.appUrl`); the token comes from BUBBLE_API_TOKEN. */
  appUrl?: string | undefined;
  /** An app given whole instead of from the environment (the demo's sample app: its token lives in memory only). */
  app?: { url: string; token: string };
  /** Every progress event of a run, after the run report saw it (a display, the caller's own). */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /** Where run reports go (default `./.bubble/reports`); false writes none. */
  reportDir?: string | false | undefined;
  /** How the report names the app (default: the app URL's host). */
  appHost?: string;
  /** Where a report that could not be written is mentioned (default: a line on stderr). */
  warn?: (message: string) => void;
}

export interface SyncSessionRunOptions {
  mode?: SyncMode | undefined;
  types?: string[] | undefined;
  /** Only continue the latest unfinished job. */
  resume?: boolean;
  signal?: AbortSignal | undefined;
  /** Overrides the settings' incremental overlap for this run. */
  incrementalOverlapMs?: number | undefined;
  /**
   * Checks the app URL, the token and the first type with one request before any job exists
   * (preflight.ts). Default true; the demo has just introspected the app with this client.
   */
  check?: boolean;
  /** The app as jobs record it (default: the client's app URL); a run of another app never resumes this one's job. */
  appIdentity?: string;
}

/** A run's result and error (runner.ts), with its report (null when none could be built or written). */
export interface SyncSessionRun extends SyncRun {
  report: SyncReport | null;
  written: WrittenReport | null;
}

export interface SyncSession {
  /** The sync's client. It may serve other requests before a run (the demo introspects with it); a run's report counts only its own. */
  readonly client: BubbleClient;
  /**
   * Checks the app (unless told not to), runs the sync and writes its report — also when the run
   * failed or threw, so a failed run leaves its report; the error is the caller's to show. A bad token
   * or URL throws its typed error before any job or report exists.
   */
  run(db: Db, plan: SyncPlan, options?: SyncSessionRunOptions): Promise<SyncSessionRun>;
}

export function openSyncSession(options: SyncSessionOptions): SyncSession {
  const { settings } = options;
  // The client's retries and rate-limit waits go to the run in progress (none while it serves anything else).
  let listener: ((event: ProgressEvent) => void) | null = null;
  const clientOptions = {
    rateLimitRpm: settings.rateLimitRpm,
    // Room for every page in flight; adaptive concurrency may use up to the most it adapts to.
    maxInFlight: Math.max(settings.concurrency ?? MAX_ADAPTIVE_CONCURRENCY, 1),
    onEvent: (event: BubbleClientEvent) => listener?.(progressFromClientEvent(event)),
  };
  const client = options.app
    ? createBubbleClient({ ...clientOptions, appUrl: options.app.url, token: options.app.token })
    : clientFromEnv({ ...clientOptions, appUrl: options.appUrl });
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));

  return {
    client,
    async run(db, plan, run = {}) {
      const before = client.metrics();
      const reporting = syncReporting({
        reportDir: options.reportDir,
        onProgress: options.onProgress,
        settings,
        database: db.kind,
        clientMetrics: () => countersSince(client.metrics(), before),
        appHost: options.appHost ?? hostOf(client.appUrl),
        warn,
      });
      listener = reporting.onProgress;
      let sync: SyncRun;
      try {
        // A bad token or URL fails here, before any job or report exists.
        if (run.check !== false) await preflight(client, plan, { types: run.types, signal: run.signal });
        const source = pageSourceFromClient(client);
        sync = await runSyncOnDb(
          db,
          plan,
          {
            mode: run.mode,
            types: run.types,
            resume: run.resume === true,
            signal: run.signal,
            // Unset means adaptive (null), not "read the environment again".
            ...(settings.concurrency !== null ? { concurrency: settings.concurrency } : {}),
            rateLimitRpm: settings.rateLimitRpm,
            maxOffset: settings.maxOffset,
            maxDeleteFraction: settings.maxDeleteFraction,
            allowMassDelete: settings.allowMassDelete,
            incrementalOverlapMs: run.incrementalOverlapMs ?? settings.incrementalOverlapMs,
            onProgress: reporting.onProgress,
          },
          { source: run.appIdentity === undefined ? source : { ...source, appUrl: run.appIdentity } },
        ).catch(async (err: unknown) => {
          // A job may have started: its report is written (best effort), and the run's own error is what the caller sees.
          await reporting.finish();
          throw err;
        });
      } finally {
        listener = null;
      }
      const finished = await reporting.finish();
      return { ...sync, report: finished?.report ?? null, written: finished?.written ?? null };
    },
  };
}

/** The client's counters since `before`: what one run cost, when the same client served other requests first. */
function countersSince(now: BubbleClientMetrics, before: BubbleClientMetrics): ClientMetricsSnapshot {
  return {
    calls: now.calls - before.calls,
    successes: now.successes - before.successes,
    failures: now.failures - before.failures,
    retries: now.retries - before.retries,
    rateLimited: now.rateLimited - before.rateLimited,
    latencyMsTotal: now.latencyMsTotal - before.latencyMsTotal,
    rateWaitMsTotal: now.rateWaitMsTotal - before.rateWaitMsTotal,
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
