/**
 * Glue between a sync run and the run report (runtime/report): one reporter per run, fed by the same
 * progress events as the display, finished after the run settled. A report that cannot be written is
 * a warning, never a failed sync.
 */
import type { ProgressEvent, SyncOptions } from '../api.js';
import type { ClientMetricsSnapshot } from '../report/metrics.js';
import type { SyncReport } from '../report/types.js';
import { createRunReporter, type RunReporter, type WrittenReport } from '../report/writer.js';
import type { SyncSettings } from './settings.js';

export interface SyncReportingOptions {
  /** Default `./.bubble/reports`; false writes none. */
  reportDir?: SyncOptions['reportDir'] | undefined;
  /** Called after the report's collector for every event. */
  onProgress?: SyncOptions['onProgress'] | undefined;
  settings: SyncSettings;
  database: 'postgres' | 'pglite' | 'prisma';
  /** The Bubble client's counters for this run, read when it settles. */
  clientMetrics: () => ClientMetricsSnapshot | undefined;
  /** How the report names the app. */
  appHost: string | undefined;
  warn: (message: string) => void;
}

export interface SyncReporting {
  onProgress: (event: ProgressEvent) => void;
  /** Writes the report; resolves to it and its files (`written` null when none was asked for), or null when it failed. */
  finish(): Promise<{ report: SyncReport; written: WrittenReport | null } | null>;
}

export function syncReporting(options: SyncReportingOptions): SyncReporting {
  const { settings, database, appHost } = options;
  const reporter: RunReporter = createRunReporter({
    reportDir: options.reportDir ?? undefined,
    clientMetrics: options.clientMetrics,
  });
  return {
    onProgress(event) {
      reporter.onProgress(event);
      options.onProgress?.(event);
    },
    async finish() {
      try {
        reporter.setSettings({
          concurrency: settings.concurrency ?? 'adaptive',
          rateLimitRpm: settings.rateLimitRpm,
          maxOffset: settings.maxOffset,
          database,
          ...(appHost ? { appHost } : {}),
        });
        return await reporter.finish();
      } catch (err) {
        options.warn(`The run report could not be written: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    },
  };
}
