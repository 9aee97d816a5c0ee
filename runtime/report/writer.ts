/**
 * Writes a run's report (report.json, report.md, report.svg) and wires a collector to a sync:
 * `createRunReporter()` gives the `onProgress` to pass to the sync and a `finish()` that writes the
 * files. Every byte written is scrubbed of secrets (the API token) first.
 *
 * Layout: one folder per job, one per run inside it. `<reportDir>/<jobId>/runs/<n>/` holds run n of the
 * job (1 = the run that started it; a resumed job's later runs count on) and is never written again;
 * `<reportDir>/<jobId>/report.*` is a copy of the latest run, the stable path to look at. So a failed
 * run's report survives the resume that completes the job.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/fs.js';
import { redactSecrets } from '../../core/redact.js';
import type { ProgressEvent } from '../api.js';
import { renderReportMarkdown } from './markdown.js';
import { SyncMetricsCollector, type ClientMetricsSnapshot, type CollectorOptions } from './metrics.js';
import { renderReportSvg } from './svg.js';
import type { ReportSettings, SyncReport } from './types.js';

export const DEFAULT_REPORT_DIR = join('.bubble', 'reports');

export interface WrittenReport {
  /** The job's folder; `json`, `markdown` and `svg` are its copies of the latest run's files. */
  dir: string;
  json: string;
  markdown: string;
  svg: string;
  /** This run's own folder, `<dir>/runs/<n>`. */
  runDir: string;
  run: number;
}

const REPORT_FILES = ['report.json', 'report.md', 'report.svg'] as const;

/** The secrets a report must never contain: the API token from the environment, plus any given. */
export function reportSecrets(extra: readonly string[] = []): string[] {
  const token = process.env.BUBBLE_API_TOKEN;
  return [...(token ? [token] : []), ...extra].filter((s) => s.length >= 4);
}

/** A job id as a folder name: anything but letters, digits, `-` and `_` becomes `_`. */
export function reportFolderName(jobId: string): string {
  const safe = jobId.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe.length > 0 ? safe : 'job';
}

export async function writeRunReport(
  report: SyncReport,
  reportDir: string,
  secrets: readonly string[] = reportSecrets(),
): Promise<WrittenReport> {
  const dir = resolve(reportDir, reportFolderName(report.jobId));
  const runs = join(dir, 'runs');
  await mkdir(runs, { recursive: true });
  await keepUnnumberedReport(dir, runs);
  const { run, runDir } = await newRunFolder(runs);
  const numbered: SyncReport = { ...report, run };
  const contents = [
    redactSecrets(`${JSON.stringify(numbered, null, 2)}\n`, secrets),
    redactSecrets(renderReportMarkdown(numbered), secrets),
    redactSecrets(renderReportSvg(numbered), secrets),
  ];
  // Write each file beside its final name, then rename: a reader never sees half a report.
  for (const folder of [runDir, dir]) {
    for (const [i, name] of REPORT_FILES.entries()) await writeFileAtomic(join(folder, name), contents[i]!);
  }
  return { dir, json: join(dir, 'report.json'), markdown: join(dir, 'report.md'), svg: join(dir, 'report.svg'), runDir, run };
}

/** The next run number: one past the highest `runs/<n>` (a folder created here, so two writers never share one). */
async function newRunFolder(runs: string): Promise<{ run: number; runDir: string }> {
  const taken = (await readdir(runs)).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  for (let run = Math.max(0, ...taken) + 1; ; run++) {
    const runDir = join(runs, String(run));
    try {
      await mkdir(runDir);
      return { run, runDir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** A job folder written before runs were numbered holds its only run at the top: it becomes `runs/1`. */
async function keepUnnumberedReport(dir: string, runs: string): Promise<void> {
  if ((await readdir(runs)).length > 0 || !(await exists(join(dir, 'report.json')))) return;
  const first = join(runs, '1');
  await mkdir(first);
  for (const name of REPORT_FILES) if (await exists(join(dir, name))) await rename(join(dir, name), join(first, name));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export interface RunReporterOptions extends CollectorOptions {
  /** Folder holding one folder per job, one per run inside it (default `./.bubble/reports` of the cwd); `false` writes nothing. */
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

/** Reads back the report.json of a job's latest run (null when none was written), e.g. for the CLI's summary. */
export async function readRunReport(reportDir: string, jobId: string): Promise<{ report: SyncReport; dir: string } | null> {
  const dir = resolve(reportDir, reportFolderName(jobId));
  try {
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as SyncReport;
    return report.version === 1 && report.jobId === jobId ? { report, dir } : null;
  } catch {
    return null;
  }
}
