/**
 * Glue between a sync run and the run report (runtime/report): one reporter per run, fed by the same
 * progress events as the display, finished after the run settled. A report that cannot be written is
 * a warning, never a failed sync.
 */
import type { ProgressEvent, SyncOptions } from '../api.js';
import type { BubbleClient } from '../bubble/index.js';
import { createRunReporter, type RunReporter } from '../report/writer.js';
import type { SyncSettings } from './settings.js';

export interface SyncReporting {
  onProgress: (event: ProgressEvent) => void;
  /** Writes the report; resolves to its folder (null when none was written). */
  finish(): Promise<string | null>;
}

export function syncReporting(
  options: Pick<SyncOptions, 'reportDir' | 'onProgress'>,
  settings: SyncSettings,
  database: 'postgres' | 'pglite' | 'prisma',
  client: () => BubbleClient | undefined,
  warn: (message: string) => void,
): SyncReporting {
  const reporter: RunReporter = createRunReporter({
    reportDir: options.reportDir ?? undefined,
    clientMetrics: () => client()?.metrics(),
  });
  const appHost = (): string | undefined => {
    try {
      const url = client()?.appUrl;
      return url ? new URL(url).host : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    onProgress(event) {
      reporter.onProgress(event);
      options.onProgress?.(event);
    },
    async finish() {
      try {
        const host = appHost();
        reporter.setSettings({ ...(settings.concurrency !== null ? { concurrency: settings.concurrency } : {}), rateLimitRpm: settings.rateLimitRpm, maxOffset: settings.maxOffset, database, ...(host ? { appHost: host } : {}) });
        const { written } = await reporter.finish();
        return written?.dir ?? null;
      } catch (err) {
        warn(`The run report could not be written: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    },
  };
}
