/**
 * Runs a sync with a run report attached: the collector sees every ProgressEvent (then the caller's own
 * `onProgress` does), and the report is written to `<reportDir>/<jobId>/` when the run settles — also
 * when it fails, so a failed nightly run leaves its report too.
 */
import type { ProgressEvent } from '../api.js';
import type { ClientMetricsSnapshot } from './metrics.js';
import type { ReportSettings, SyncReport } from './types.js';
import { createRunReporter, type WrittenReport } from './writer.js';

export interface ReportedRunOptions {
  /** Default `./.bubble/reports`; false = no report. */
  reportDir?: string | false;
  settings?: ReportSettings;
  /** The Bubble client's counters, read when the run settles. */
  clientMetrics?: () => ClientMetricsSnapshot | undefined;
  /** Called after the collector for every event (e.g. the progress display). */
  onProgress?: (event: ProgressEvent) => void;
  clock?: () => number;
}

export interface ReportedRun<T> {
  value: T;
  report: SyncReport;
  written: WrittenReport | null;
}

export async function runWithReport<T>(options: ReportedRunOptions, run: (onProgress: (event: ProgressEvent) => void) => Promise<T>): Promise<ReportedRun<T>> {
  const reporter = createRunReporter({
    ...(options.reportDir !== undefined ? { reportDir: options.reportDir } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.clientMetrics ? { clientMetrics: options.clientMetrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const onProgress = (event: ProgressEvent): void => {
    reporter.onProgress(event);
    options.onProgress?.(event);
  };
  let value: T;
  try {
    value = await run(onProgress);
  } catch (err) {
    // Best effort: the run's own error is what the caller must see.
    await reporter.finish().catch(() => undefined);
    throw err;
  }
  const { report, written } = await reporter.finish();
  return { value, report, written };
}
