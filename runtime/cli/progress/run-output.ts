/**
 * What a sync-running command prints: progress while it runs and, at the end, either the one-screen
 * summary (text) or exactly one JSON document (`--json`) on stdout. The run report itself is written by
 * the sync (SyncOptions.reportDir, runtime/report); this reads it back for the summary's figures.
 */
import { relative } from 'node:path';
import type { ProgressEvent, SyncResult } from '../../api.js';
import { readRunReport, DEFAULT_REPORT_DIR } from '../../report/writer.js';
import { chooseProgress, createProgressDisplay, type OutputStream, type ProgressDisplay } from './display.js';
import { renderSummary } from './format.js';

export interface RunOutputOptions {
  json: boolean;
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: NodeJS.ProcessEnv;
  clock?: () => number;
  /** Plain-mode status line period (default 5 s). */
  intervalMs?: number;
  /** Base for the report path shown in the summary (default the cwd). */
  cwd?: string;
}

export interface RunOutput {
  readonly display: ProgressDisplay;
  onProgress(event: ProgressEvent): void;
  /** Ends the live display and prints the summary or the JSON document. Returns the report folder, if any. */
  finish(result: SyncResult, reportDir?: string | false): Promise<string | null>;
  /** Ends the live display without printing (the command is about to report an error). */
  abort(): void;
}

export function createRunOutput(options: RunOutputOptions): RunOutput {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const { mode, stream } = chooseProgress(options.json, stdout, stderr);
  const display = createProgressDisplay({
    mode,
    stream,
    ...(options.env ? { env: options.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });
  return {
    display,
    onProgress: (event) => display.onProgress(event),
    abort: () => display.stop(),
    async finish(result, reportDir = DEFAULT_REPORT_DIR) {
      display.stop();
      const found = reportDir === false ? null : await readRunReport(reportDir, result.jobId);
      if (options.json) {
        stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        const shown = found ? relative(options.cwd ?? process.cwd(), `${found.dir}/report.md`) || 'report.md' : null;
        // Without --json the display writes to stdout, so its colour choice (TTY, NO_COLOR) is stdout's.
        stdout.write(`\n${renderSummary(result, found?.report ?? null, shown, display.colours, display.tally())}`);
      }
      return found?.dir ?? null;
    },
  };
}
