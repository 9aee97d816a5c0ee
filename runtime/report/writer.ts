/**
 * Writes a run's report to `<reportDir>/<jobId>/` (report.json, report.md, report.svg) and wires a
 * collector to a sync: `createRunReporter()` gives the `onProgress` to pass to the sync and a `finish()`
 * that writes the files. Every byte written is scrubbed of secrets (the API token) first.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ProgressEvent } from '../api.js';
import { renderReportMarkdown } from './markdown.js';
import { SyncMetricsCollector, type ClientMetricsSnapshot, type CollectorOptions } from './metrics.js';
import { renderReportSvg } from './svg.js';
import type { ReportSettings, SyncReport } from './types.js';

export const DEFAULT_REPORT_DIR = join('.bubble', 'reports');

export interface WrittenReport {
  dir: string;
  json: string;
  markdown: string;
  svg: string;
}

/** The secrets a report must never contain: the API token from the environment, plus any given. */
export function reportSecrets(extra: readonly string[] = []): string[] {
  const token = process.env.BUBBLE_API_TOKEN;
  return [...(token ? [token] : []), ...extra].filter((s) => s.length >= 4);
}

/** Replaces every occurrence of each secret (and its URL-encoded and JSON-escaped forms) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (form.length >= 4) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

/** A job id as a folder name: anything but letters, digits, `-` and `_` becomes `_`. */
export function reportFolderName(jobId: string): string {
  const safe = jobId.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe.length > 0 ? safe : 'job';
}

export async function writeRunReport(report: SyncReport, reportDir: string, secrets: readonly string[] = reportSecrets()): Promise<WrittenReport> {
  const dir = resolve(reportDir, reportFolderName(report.jobId));
  await mkdir(dir, { recursive: true });
  const files: WrittenReport = { dir, json: join(dir, 'report.json'), markdown: join(dir, 'report.md'), svg: join(dir, 'report.svg') };
  // Write each file beside its final name, then rename: a reader never sees half a report.
  await atomicWrite(files.json, redact(`${JSON.stringify(report, null, 2)}\n`, secrets));
  await atomicWrite(files.markdown, redact(renderReportMarkdown(report), secrets));
  await atomicWrite(files.svg, redact(renderReportSvg(report), secrets));
  return files;
}

async function atomicWrite(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, path);
}

export interface RunReporterOptions extends CollectorOptions {
  /** Folder holding one folder per job (default `./.bubble/reports` of the cwd); `false` writes nothing. */
  reportDir?: string | false;
  /** The Bubble client's counters, read at `finish()`. */
  clientMetrics?: () => ClientMetricsSnapshot | undefined;
  /** Extra strings to keep out of the report (the token from the environment is always added). */
  secrets?: readonly string[];
}

export interface RunReporter {
  readonly collector: SyncMetricsCollector;
  /** Pass as `SyncOptions.onProgress` (chain with the progress display). */
  onProgress(event: ProgressEvent): void;
  setSettings(settings: ReportSettings): void;
  /** Builds the report and writes it (unless `reportDir` is false); call once, after the sync settled. */
  finish(): Promise<{ report: SyncReport; written: WrittenReport | null }>;
}

export function createRunReporter(options: RunReporterOptions = {}): RunReporter {
  const collector = new SyncMetricsCollector(options);
  const secrets = reportSecrets(options.secrets);
  return {
    collector,
    onProgress: (event) => collector.record(event),
    setSettings: (settings) => collector.setSettings(settings),
    async finish() {
      const client = options.clientMetrics?.();
      if (client) collector.recordClientMetrics(client);
      const report = collector.generateReport();
      if (options.reportDir === false || report.jobId === '') return { report, written: null };
      const written = await writeRunReport(report, options.reportDir ?? DEFAULT_REPORT_DIR, secrets);
      return { report, written };
    },
  };
}

/** Reads a job's report.json back (null when the run wrote none), e.g. for the CLI's summary. */
export async function readRunReport(reportDir: string, jobId: string): Promise<{ report: SyncReport; dir: string } | null> {
  const dir = resolve(reportDir, reportFolderName(jobId));
  try {
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as SyncReport;
    return report.version === 1 && report.jobId === jobId ? { report, dir } : null;
  } catch {
    return null;
  }
}
