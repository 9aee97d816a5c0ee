/**
 * report.md: a one-screen summary of a run, then the per-table breakdown, deletions held back and
 * errors. Pure: same report in, same text out.
 */
import { HELD_BACK_HINT, heldBackLines } from '../sync/held-back.js';
import { formatBytes, formatDuration, formatInt, formatNumber } from './format.js';
import type { SyncReport } from './types.js';

export function renderReportMarkdown(report: SyncReport): string {
  const m = report.metrics;
  const s = report.settings;
  const lines: string[] = [];
  const successRate = m.apiCallsTotal > 0 ? (m.apiCallsSuccessful / m.apiCallsTotal) * 100 : 100;
  lines.push(`# Sync run ${md(report.jobId)}`);
  lines.push('');
  lines.push(
    `${md(report.mode ?? 'sync')} · **${md(report.status ?? 'unknown')}**${report.resumed ? ' · resumed' : ''}${report.run !== undefined ? ` · run ${report.run}` : ''} · started ${report.startedAt} · finished ${report.finishedAt}`,
  );
  lines.push('');
  if (report.error) {
    lines.push(`> **Failed (${md(report.error.code)}):** ${md(report.error.message)}`);
    if (report.error.hint) lines.push('>', `> → ${md(report.error.hint)}`);
    lines.push('');
  }
  lines.push('| Metric | Value |');
  lines.push('|---|---|');
  const row = (k: string, v: string): void => {
    lines.push(`| ${k} | ${md(v)} |`);
  };
  row('Duration', formatDuration(m.totalDuration));
  row('Tables', `${formatInt(m.tablesProcessed)} processed`);
  row('Records', `${formatInt(m.recordsProcessed)} (${formatNumber(m.rowsPerSecond, 0)}/s, ${formatInt(m.recordsPerMinute)}/min)`);
  row(
    'API calls',
    `${formatInt(m.apiCallsTotal)} (${formatInt(m.apiCallsSuccessful)} ok, ${formatInt(m.apiCallsFailed)} failed; ${formatNumber(successRate, 2)}% success; ${formatNumber(m.apiCallsPerMinute, 0)}/min)`,
  );
  row('Average response time', `${formatNumber(m.averageResponseTime, 0)} ms`);
  row(
    'Pages in flight (max)',
    `${m.parallelPagesUsed}${s.concurrency === 'adaptive' ? ' (adaptive)' : s.concurrency !== undefined ? ` of SYNC_CONCURRENCY=${s.concurrency}` : ''}`,
  );
  row('Cursor updates (page commits)', formatInt(m.cursorUpdates));
  row(
    'Requests per record',
    `${formatNumber(m.requestsPerRecord, 4)} (about ${formatNumber(m.workloadUnitsEstimate, 0)} Bubble workload units, estimated)`,
  );
  row('Retries / 429s', `${formatInt(m.retries)} / ${formatInt(m.rateLimited429)}`);
  row(
    'Rate-limit waits',
    `${formatDuration(m.rateLimitWaitMs)} summed over requests${s.rateLimitRpm !== undefined ? ` (cap ${s.rateLimitRpm === 0 ? 'off' : `${formatInt(s.rateLimitRpm)}/min`})` : ''}`,
  );
  row('Peak memory (RSS)', formatBytes(m.peakMemoryBytes));
  row('Errors', formatInt(m.errorsEncountered.length));
  lines.push('');
  lines.push('![Pages over time per table](report.svg)');
  lines.push('');
  lines.push('## Tables');
  lines.push('');
  lines.push(
    '| Table | Status | Records | Pages | Duration | Records/s | Max in flight | Retries | 429s | Raw-only | Rejected | Soft-deleted |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [type, t] of Object.entries(m.performanceBreakdown)) {
    const name = t.table === type ? t.table : `${t.table} (${type})`;
    lines.push(
      `| ${md(name)} | ${t.status} | ${formatInt(t.records)} | ${formatInt(t.pages)} | ${md(formatDuration(t.durationMs))} | ${formatNumber(t.recordsPerSecond, 0)} | ${t.maxInFlight} | ${formatInt(t.retries)} | ${formatInt(t.rateLimited429)} | ${formatInt(t.rawOnly)} | ${formatInt(t.rejected)} | ${formatInt(t.softDeleted)} |`,
    );
  }
  const replaced = Object.entries(m.performanceBreakdown).filter(([, t]) => (t.replaced ?? 0) > 0);
  if (replaced.length > 0) {
    lines.push('');
    lines.push(
      `Stored with U+FFFD in place of characters PostgreSQL cannot hold (lone surrogates, NUL): ${replaced.map(([type, t]) => `${md(type)} ${formatInt(t.replaced ?? 0)} strings`).join(', ')}. The exact exceptions to "\\_raw equals the record": see docs/type-mapping.md.`,
    );
  }
  const held = heldBackLines(
    Object.entries(m.performanceBreakdown).map(([type, t]) => ({
      type,
      heldBack: t.heldBack ?? 0,
      ...(t.heldBackReason ? { heldBackReason: t.heldBackReason } : {}),
    })),
  );
  if (held.length > 0) {
    lines.push('');
    lines.push('## Deletions held back');
    lines.push('');
    for (const line of held) lines.push(`- ${md(line)}`);
    lines.push(`- ${md(HELD_BACK_HINT)}`);
  }
  if (m.errorsEncountered.length > 0) {
    lines.push('');
    lines.push('## Errors');
    lines.push('');
    for (const e of m.errorsEncountered.slice(0, 50))
      lines.push(`- ${formatDuration(e.at)} in${e.type ? ` ${md(e.type)}` : ' the run'}: ${md(e.message)}`);
    if (m.errorsEncountered.length > 50) lines.push(`- … and ${formatInt(m.errorsEncountered.length - 50)} more (see report.json)`);
  }
  lines.push('');
  lines.push(
    `API call figures come from ${m.apiCallSource === 'calls' ? 'per-call records' : m.apiCallSource === 'client' ? "the Bubble client's counters" : 'page counts (one call per committed page, one failed call per failed attempt)'}. Raw-only: records with a value kept only in the raw copy (did not fit its column, or an unknown field).`,
  );
  lines.push('');
  return lines.join('\n');
}

/** Escapes text for a Markdown table cell or list item (pipes, backslashes, HTML, newlines). */
export function md(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n]+/g, ' ');
}
