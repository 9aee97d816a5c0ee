/**
 * Pure formatting for the terminal: the live per-table line, the plain log line for CI/cron, and the
 * one-screen summary at the end. No I/O and no clock here; the display feeds in the numbers.
 */
import { heldBackLines } from '../../sync/held-back.js';
import type { SyncResult } from '../../api.js';
import { formatBytes, formatClock, formatDuration, formatInt, formatNumber } from '../../report/format.js';
import type { RunTally, TableRun } from '../../report/progress-state.js';
import type { SyncReport } from '../../report/types.js';
import { parseVariable } from '../../../core/settings/variables.js';

/** What the display knows about one table while it runs. */
export interface TableProgress {
  type: string;
  table: string;
  total: number | null;
  done: number;
  pages: number;
  startedAt: number;
  /** Set when the table finished. */
  finishedAt: number | null;
  status: 'running' | 'done' | 'error';
  retries: number;
  rateLimited: number;
  rateWaitMs: number;
  inFlight: number;
}

/** A table of the run as the display shows it. */
export function tableProgress(t: TableRun): TableProgress {
  return {
    type: t.type,
    table: t.table,
    total: t.total,
    done: t.done,
    // A finished table shows the job's pages, as it shows the job's records.
    pages: t.result?.pages ?? t.pages,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    status: t.finishedAt === null ? 'running' : t.status === 'ERROR' ? 'error' : 'done',
    retries: t.retries,
    rateLimited: t.rateLimited429,
    rateWaitMs: t.rateLimitWaitMs,
    inFlight: t.inFlight,
  };
}

export interface Colours {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const COLOURS: Colours = { green: ansi(32, 39), red: ansi(31, 39), yellow: ansi(33, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
export const NO_COLOURS: Colours = { green: (s) => s, red: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };

/** Colour only on a terminal and only when NO_COLOR (https://no-color.org) is unset or empty. */
export function useColour(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && !(parseVariable('NO_COLOR', env.NO_COLOR) ?? false) && env.TERM !== 'dumb';
}

/** Records per second since the table started (0 before a second of data has elapsed). */
export function tableRate(p: TableProgress, now: number): number {
  const elapsed = ((p.finishedAt ?? now) - p.startedAt) / 1000;
  return elapsed > 0 ? p.done / elapsed : 0;
}

/** Milliseconds left at the current rate, or null when unknown (no total, or no rate yet). */
export function tableEtaMs(p: TableProgress, now: number): number | null {
  if (p.total === null || p.status !== 'running') return null;
  const rate = tableRate(p, now);
  if (rate <= 0) return null;
  return (Math.max(0, p.total - p.done) / rate) * 1000;
}

export function progressBar(done: number, total: number | null, width: number): string {
  if (total === null || total <= 0) return '░'.repeat(width);
  const filled = Math.max(0, Math.min(width, Math.round((done / total) * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

function pad(s: string, n: number): string {
  const len = [...s].length;
  return len >= n ? s : s + ' '.repeat(n - len);
}

function padStart(s: string, n: number): string {
  const len = [...s].length;
  return len >= n ? s : ' '.repeat(n - len) + s;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/**
 * `invoice   ██████░░░░  1,200/3,400  95 rec/s  ETA 0:23  retries 1  waits 0.4 s  3 in flight`, cut to
 * `columns` by dropping the least important segments (a wrapped line breaks the in-place redraw).
 */
export function liveLine(p: TableProgress, now: number, c: Colours = NO_COLOURS, columns = 120, nameWidth = 16): string {
  const name = pad(clip(p.table, nameWidth), nameWidth);
  const counts = `${formatInt(p.done)}/${p.total === null ? '?' : formatInt(p.total)}`;
  const rate = `${formatNumber(tableRate(p, now), 0)} rec/s`;
  const segments: Array<{ plain: string; shown: string }> = [];
  const add = (plain: string, shown = plain): void => {
    segments.push({ plain, shown });
  };
  add(name);
  add(progressBar(p.done, p.total, columns >= 100 ? 20 : 12));
  add(padStart(counts, 13));
  add(padStart(rate, 11));
  if (p.status === 'running') {
    const eta = tableEtaMs(p, now);
    add(`ETA ${eta === null ? '--:--' : formatClock(eta)}`);
  } else if (p.status === 'done') {
    const text = `done in ${formatDuration((p.finishedAt ?? now) - p.startedAt)}`;
    add(text, c.green(text));
  } else add('error', c.red('error'));
  const retries = `retries ${formatInt(p.retries)}${p.rateLimited > 0 ? ` (${formatInt(p.rateLimited)}×429)` : ''}`;
  add(retries, p.retries > 0 ? c.yellow(retries) : c.dim(retries));
  const waits = `waits ${formatDuration(p.rateWaitMs)}`;
  add(waits, c.dim(waits));
  if (p.status === 'running' && p.inFlight > 1) add(`${p.inFlight} in flight`);
  const out: string[] = [];
  let width = 0;
  for (const seg of segments) {
    const w = [...seg.plain].length + (out.length > 0 ? 2 : 0);
    if (width + w > columns - 1) break;
    out.push(seg.shown);
    width += w;
  }
  return out.join('  ');
}

/** A log line for non-terminals: `[+1:05] invoice: 1,200/3,400 (35%), 95 rec/s, ETA 0:23, retries 1, rate-limit waits 0.4 s` */
export function plainLine(p: TableProgress, elapsedMs: number, now: number): string {
  const pct = p.total !== null && p.total > 0 ? ` (${Math.min(100, Math.floor((p.done / p.total) * 100))}%)` : '';
  const eta = tableEtaMs(p, now);
  const bits = [
    `${formatInt(p.done)}/${p.total === null ? '?' : formatInt(p.total)}${pct}`,
    `${formatNumber(tableRate(p, now), 0)} rec/s`,
    ...(eta === null ? [] : [`ETA ${formatClock(eta)}`]),
    `retries ${formatInt(p.retries)}${p.rateLimited > 0 ? ` (${formatInt(p.rateLimited)}×429)` : ''}`,
    `rate-limit waits ${formatDuration(p.rateWaitMs)}`,
  ];
  return `${stamp(elapsedMs)} ${p.table}: ${bits.join(', ')}`;
}

export function stamp(elapsedMs: number): string {
  return `[+${formatClock(elapsedMs)}]`;
}

/**
 * The one-screen summary after a run: a row per table, the totals, the figures that explain the time
 * (calls, retries, 429s, waits, memory) and where the report is. `tally` is what the live display
 * counted; its retries, 429s and waits are shown (they equal the report's) and stand alone without a report.
 */
export function renderSummary(
  result: SyncResult,
  report: SyncReport | null,
  reportPath: string | null,
  c: Colours = NO_COLOURS,
  tally?: RunTally,
): string {
  const lines: string[] = [];
  const statusText =
    result.status === 'COMPLETED' ? c.green(result.status) : result.status === 'ERROR' ? c.red(result.status) : c.yellow(result.status);
  lines.push(`${c.bold(`Sync ${result.jobId}`)} · ${result.mode} · ${statusText} in ${formatDuration(result.durationMs)}`);
  const width = Math.min(28, Math.max(5, ...result.tables.map((t) => [...t.table].length)));
  const header = `  ${pad('Table', width)}  ${padStart('Records', 9)}  ${padStart('Pages', 6)}  ${padStart('Time', 11)}  ${padStart('Rec/s', 7)}  Status`;
  lines.push(c.dim(header));
  let records = 0;
  let pages = 0;
  for (const t of result.tables) {
    records += t.records;
    pages += t.pages;
    const rate = t.durationMs > 0 ? (t.records / t.durationMs) * 1000 : 0;
    const extra = [
      t.rawOnly > 0 ? `${formatInt(t.rawOnly)} raw-only` : '',
      t.rejected > 0 ? `${formatInt(t.rejected)} rejected` : '',
      (t.replaced ?? 0) > 0 ? `${formatInt(t.replaced ?? 0)} strings with U+FFFD` : '',
      t.softDeleted > 0 ? `${formatInt(t.softDeleted)} soft-deleted` : '',
      t.heldBack > 0 ? `${formatInt(t.heldBack)} deletions held back` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const status = t.status === 'COMPLETED' ? c.green(t.status) : t.status === 'ERROR' ? c.red(t.status) : t.status;
    lines.push(
      `  ${pad(clip(t.table, width), width)}  ${padStart(formatInt(t.records), 9)}  ${padStart(formatInt(t.pages), 6)}  ${padStart(formatDuration(t.durationMs), 11)}  ${padStart(formatNumber(rate, 0), 7)}  ${status}${extra ? ` (${extra})` : ''}`,
    );
  }
  const totalRate = result.durationMs > 0 ? (records / result.durationMs) * 1000 : 0;
  lines.push(
    c.bold(
      `  ${pad('Total', width)}  ${padStart(formatInt(records), 9)}  ${padStart(formatInt(pages), 6)}  ${padStart(formatDuration(result.durationMs), 11)}  ${padStart(formatNumber(totalRate, 0), 7)}`,
    ),
  );
  if (report) {
    const m = report.metrics;
    const counted = tally ?? m;
    lines.push(
      `  API calls ${formatInt(m.apiCallsTotal)} (${formatInt(m.apiCallsFailed)} failed, ${formatInt(counted.retries)} retried, ${formatInt(counted.rateLimited429)}×429) · avg ${formatNumber(m.averageResponseTime, 0)} ms · up to ${m.parallelPagesUsed} page${m.parallelPagesUsed === 1 ? '' : 's'} in flight · rate-limit waits ${formatDuration(counted.rateLimitWaitMs)} · peak memory ${formatBytes(m.peakMemoryBytes)}`,
    );
    for (const e of m.errorsEncountered.slice(0, 3)) lines.push(c.red(`  error${e.type ? ` in ${e.type}` : ''}: ${e.message}`));
  } else if (tally && (tally.retries > 0 || tally.rateLimited429 > 0 || tally.failedRequests > 0)) {
    lines.push(
      `  ${formatInt(tally.retries)} retried, ${formatInt(tally.rateLimited429)}×429 · rate-limit waits ${formatDuration(tally.rateLimitWaitMs)}`,
    );
  }
  const held = heldBackLines(result.tables);
  if (held.length > 0) {
    lines.push(c.yellow('  Deletions held back:'));
    for (const line of held) lines.push(c.yellow(`    ${line}`));
  }
  if (reportPath) lines.push(`  Report: ${reportPath} (chart: report.svg beside it)`);
  return `${lines.join('\n')}\n`;
}
