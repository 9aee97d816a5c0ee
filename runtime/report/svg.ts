/**
 * report.svg: the run as a picture. One band per table; every page is a bar from the moment its request
 * left to the moment its rows committed, stacked in lanes so the band's height shows the pages in flight.
 * Below each band a thin strip shows time spent waiting on the rate limiter; retries and 429s are marked
 * on top. A second panel shows records written per second. Pure: same report in, same bytes out.
 */
import { formatBytes, formatDuration, formatInt, formatNumber } from './format.js';
import type { PageSpan, SyncReport, TimelineMark } from './types.js';

const WIDTH = 1000;
const LEFT = 200;
const RIGHT = 28;
const PLOT = WIDTH - LEFT - RIGHT;
const HEADER = 86;
const BAND_GAP = 12;
const WAIT_STRIP = 5;
const THROUGHPUT_H = 80;
const MAX_BUCKETS = 80;
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#e15759', '#ff9da7', '#bab0ac'];
const INK = '#1f2933';
const MUTED = '#52606d';
const GRID = '#e4e7eb';
const RETRY = '#d64545';
const LIMITED = '#e8590c';
const WAIT = '#7b8794';

/** Escapes text for XML content and attributes and drops characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const allowed =
      cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!allowed) {
      out += '\uFFFD';
      continue;
    }
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else out += ch;
  }
  return out;
}

export function renderReportSvg(report: SyncReport): string {
  const total = Math.max(1, report.metrics.totalDuration);
  const x = (ms: number): number => LEFT + (Math.min(Math.max(ms, 0), total) / total) * PLOT;
  const parts: string[] = [];
  const tables = report.timeline.tables;

  // Bands: height from the lanes each table used.
  const lanesByType = new Map<string, number>();
  for (const p of report.timeline.pages) lanesByType.set(p.type, Math.max(lanesByType.get(p.type) ?? 1, p.lane + 1));
  let y = HEADER + 8;
  const bands = tables.map((t, i) => {
    const lanes = lanesByType.get(t.type) ?? 1;
    const laneH = clamp(Math.floor(40 / lanes), 4, 12);
    const barsH = lanes * laneH;
    // At least two label lines tall.
    const height = Math.max(barsH + WAIT_STRIP + 12, 34);
    const band = { ...t, index: i, top: y, lanes, laneH, barsH, height, color: PALETTE[i % PALETTE.length] ?? PALETTE[0]! };
    y += height + BAND_GAP;
    return band;
  });
  const plotTop = HEADER;
  const plotBottom = Math.max(y, HEADER + 40);
  const axisY = plotBottom + 2;
  const tpTop = axisY + 44;
  const legendY = tpTop + THROUGHPUT_H + 44;
  const height = legendY + 44;

  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${xmlEscape(FONT)}" font-size="12">`,
  );
  parts.push(`<title>${xmlEscape(`Sync run ${report.jobId}: pages over time per table`)}</title>`);
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);

  // Header.
  const m = report.metrics;
  const title = `Sync run ${report.jobId}`;
  const what = [report.mode ?? 'sync', report.status ?? 'unknown', report.resumed ? 'resumed' : null].filter(Boolean).join(' · ');
  parts.push(`<text x="24" y="32" font-size="20" font-weight="600" fill="${INK}">${xmlEscape(title)}</text>`);
  parts.push(
    `<text x="${WIDTH - RIGHT}" y="32" font-size="14" text-anchor="end" fill="${statusColour(report.status)}" font-weight="600">${xmlEscape(what)}</text>`,
  );
  const line1 = [
    plural(m.recordsProcessed, 'record'),
    `${formatInt(tables.length)} tables`,
    formatDuration(m.totalDuration),
    `${formatNumber(m.rowsPerSecond, 0)} records/s`,
    `${formatInt(m.apiCallsTotal)} API calls (${formatInt(m.apiCallsFailed)} failed)`,
    `avg ${formatNumber(m.averageResponseTime, 0)} ms/call`,
  ].join('   ·   ');
  const s = report.settings;
  const line2 = [
    s.concurrency !== undefined ? `concurrency ${s.concurrency}` : null,
    s.rateLimitRpm !== undefined ? (s.rateLimitRpm === 0 ? 'no rate cap' : `${formatInt(s.rateLimitRpm)} req/min cap`) : null,
    `max ${plural(m.parallelPagesUsed, 'page')} in flight`,
    m.retries === 1 ? '1 retry' : `${formatInt(m.retries)} retries`,
    `${formatInt(m.rateLimited429)} × 429`,
    `rate-limit waits ${formatDuration(m.rateLimitWaitMs)} (summed over requests)`,
    `peak memory ${formatBytes(m.peakMemoryBytes)}`,
  ]
    .filter(Boolean)
    .join('   ·   ');
  parts.push(`<text x="24" y="54" fill="${INK}">${xmlEscape(line1)}</text>`);
  parts.push(`<text x="24" y="72" fill="${MUTED}">${xmlEscape(line2)}</text>`);

  // Grid and time axis.
  const step = niceStep(total);
  parts.push(`<g stroke="${GRID}" stroke-width="1">`);
  for (let t = 0; t <= total + 1e-9; t += step) parts.push(`<line x1="${f(x(t))}" y1="${plotTop}" x2="${f(x(t))}" y2="${axisY}"/>`);
  parts.push('</g>');
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + PLOT}" y2="${axisY}" stroke="${MUTED}" stroke-width="1"/>`);
  parts.push(`<g fill="${MUTED}" text-anchor="middle">`);
  for (let t = 0; t <= total + 1e-9; t += step)
    parts.push(`<text x="${f(x(t))}" y="${axisY + 16}">${xmlEscape(tickLabel(t, step))}</text>`);
  parts.push('</g>');
  parts.push(
    `<text x="${LEFT + PLOT / 2}" y="${axisY + 34}" text-anchor="middle" fill="${MUTED}">${xmlEscape('time since the run started')}</text>`,
  );

  if (bands.length === 0) {
    parts.push(
      `<text x="${LEFT + PLOT / 2}" y="${HEADER + 28}" text-anchor="middle" fill="${MUTED}">${xmlEscape('no table was synced in this run')}</text>`,
    );
  }

  // Bands.
  const pagesByType = groupBy(report.timeline.pages, (p) => p.type);
  const marksByType = groupBy(report.timeline.marks, (mk) => mk.type ?? '');
  for (const band of bands) {
    const breakdown = m.performanceBreakdown[band.type];
    const labelY = band.top + 12;
    parts.push(`<g>`);
    parts.push(
      `<rect x="${LEFT}" y="${band.top - 3}" width="${PLOT}" height="${band.height}" fill="${band.index % 2 === 0 ? '#f8f9fb' : '#ffffff'}"/>`,
    );
    parts.push(`<rect x="24" y="${band.top}" width="10" height="10" rx="2" fill="${band.color}"/>`);
    parts.push(`<text x="40" y="${labelY - 2}" font-weight="600" fill="${INK}">${xmlEscape(truncate(band.table, 22))}</text>`);
    const sub = breakdown
      ? `${formatInt(breakdown.records)} rec · ${plural(breakdown.pages, 'page')}${breakdown.status === 'ERROR' ? ' · ERROR' : ''}`
      : '';
    parts.push(
      `<text x="40" y="${labelY + 13}" font-size="11" fill="${breakdown?.status === 'ERROR' ? RETRY : MUTED}">${xmlEscape(sub)}</text>`,
    );
    // Table span: a faint outline from table start to end.
    parts.push(
      `<rect x="${f(x(band.start))}" y="${band.top - 1}" width="${f(Math.max(1, x(band.end) - x(band.start)))}" height="${band.barsH + 2}" fill="none" stroke="${band.color}" stroke-opacity="0.35"/>`,
    );
    parts.push(`<g fill="${band.color}">`);
    for (const p of pagesByType.get(band.type) ?? []) parts.push(pageRect(p, band.top, band.laneH, x));
    parts.push('</g>');
    const marks = marksByType.get(band.type) ?? [];
    const waitY = band.top + band.barsH + 3;
    const waits = mergeIntervals(marks.filter((mk) => mk.kind === 'rate-wait').map((mk) => [mk.at, mk.at + mk.durationMs] as const));
    parts.push(`<rect x="${LEFT}" y="${waitY}" width="${PLOT}" height="${WAIT_STRIP}" fill="${GRID}" fill-opacity="0.6"/>`);
    parts.push(`<g fill="${WAIT}">`);
    for (const [a, b] of waits)
      parts.push(`<rect x="${f(x(a))}" y="${waitY}" width="${f(Math.max(0.8, x(b) - x(a)))}" height="${WAIT_STRIP}"/>`);
    parts.push('</g>');
    for (const mk of marks) {
      if (mk.kind === 'rate-wait') continue;
      parts.push(marker(mk, x(mk.at), band.top - 2));
    }
    parts.push('</g>');
  }

  // Throughput panel.
  parts.push(...throughputPanel(report, tpTop, x, total));

  // Legend.
  let lx = 24;
  parts.push(`<g font-size="11" fill="${INK}">`);
  const item = (svg: string, label: string): void => {
    parts.push(svg.replace(/\{x\}/g, String(lx)));
    parts.push(`<text x="${lx + 18}" y="${legendY + 4}">${xmlEscape(label)}</text>`);
    lx += 18 + label.length * 6.2 + 22;
  };
  item(`<rect x="{x}" y="${legendY - 6}" width="14" height="10" fill="${PALETTE[0]}"/>`, 'one page: request sent → rows committed');
  item(`<rect x="{x}" y="${legendY - 3}" width="14" height="${WAIT_STRIP}" fill="${WAIT}"/>`, 'waiting on the rate limiter');
  item(`<path d="M{x} ${legendY - 6} h10 l-5 8 z" fill="${RETRY}"/>`, 'retry');
  item(`<path d="M{x} ${legendY - 6} h10 l-5 8 z" fill="${LIMITED}"/>`, 'HTTP 429');
  parts.push('</g>');
  parts.push(
    `<text x="24" y="${legendY + 24}" font-size="11" fill="${MUTED}">${xmlEscape('Bars stacked in a band ran at the same time: the band’s height is the number of pages in flight for that table.')}</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function pageRect(p: PageSpan, top: number, laneH: number, x: (ms: number) => number): string {
  const x0 = x(p.start);
  const w = Math.max(0.8, x(p.end) - x0 - 0.5);
  const y = top + p.lane * laneH;
  return `<rect x="${f(x0)}" y="${y}" width="${f(w)}" height="${Math.max(1, laneH - 1)}"/>`;
}

function marker(mk: TimelineMark, cx: number, top: number): string {
  const colour = mk.kind === 'rate-limited' ? LIMITED : RETRY;
  return `<path d="M${f(cx - 4)} ${top - 7} h8 l-4 7 z" fill="${colour}"><title>${xmlEscape(`${mk.kind}: ${mk.reason} (wait ${formatDuration(mk.durationMs)})`)}</title></path>`;
}

function throughputPanel(report: SyncReport, top: number, x: (ms: number) => number, total: number): string[] {
  const out: string[] = [];
  // Buckets no shorter than a second: shorter ones alias against the page latency and show spikes.
  const count = Math.max(1, Math.min(MAX_BUCKETS, Math.ceil(total / 1000)));
  const bucketMs = total / count;
  const buckets = new Array<number>(count).fill(0);
  for (const p of report.timeline.pages) {
    const i = Math.min(count - 1, Math.floor(p.end / bucketMs));
    buckets[i] = (buckets[i] ?? 0) + p.records;
  }
  const rates = buckets.map((r) => r / (bucketMs / 1000));
  const max = niceCeil(Math.max(1, ...rates));
  const bottom = top + THROUGHPUT_H;
  out.push(`<text x="24" y="${top + 30}" font-weight="600" fill="${INK}">${xmlEscape('Records written')}</text>`);
  out.push(`<text x="24" y="${top + 46}" font-size="11" fill="${MUTED}">${xmlEscape('per second')}</text>`);
  out.push(
    `<text x="24" y="${top + 62}" font-size="11" fill="${MUTED}">${xmlEscape(`average ${formatNumber(report.metrics.rowsPerSecond, 0)}/s`)}</text>`,
  );
  out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${THROUGHPUT_H}" fill="#f8f9fb"/>`);
  out.push(`<g stroke="${GRID}">`);
  for (const frac of [0.5, 1])
    out.push(`<line x1="${LEFT}" y1="${f(bottom - frac * THROUGHPUT_H)}" x2="${LEFT + PLOT}" y2="${f(bottom - frac * THROUGHPUT_H)}"/>`);
  out.push('</g>');
  out.push(`<g fill="${MUTED}" font-size="10" text-anchor="end">`);
  for (const frac of [0, 0.5, 1])
    out.push(`<text x="${LEFT - 6}" y="${f(bottom - frac * THROUGHPUT_H + 3)}">${xmlEscape(formatNumber(max * frac, 0))}</text>`);
  out.push('</g>');
  out.push(`<g fill="#3e7cb1" fill-opacity="0.85">`);
  rates.forEach((rate, i) => {
    if (rate <= 0) return;
    const h = (rate / max) * THROUGHPUT_H;
    const x0 = x(i * bucketMs);
    const x1 = x((i + 1) * bucketMs);
    out.push(`<rect x="${f(x0)}" y="${f(bottom - h)}" width="${f(Math.max(0.8, x1 - x0 - 1))}" height="${f(h)}"/>`);
  });
  out.push('</g>');
  out.push(`<line x1="${LEFT}" y1="${bottom}" x2="${LEFT + PLOT}" y2="${bottom}" stroke="${MUTED}"/>`);
  const step = niceStep(total);
  out.push(`<g fill="${MUTED}" text-anchor="middle" font-size="10">`);
  for (let t = 0; t <= total + 1e-9; t += step) out.push(`<text x="${f(x(t))}" y="${bottom + 13}">${xmlEscape(tickLabel(t, step))}</text>`);
  out.push('</g>');
  return out;
}

/** A tick step giving at most about 10 ticks, in human units (100 ms … 1 h). */
export function niceStep(totalMs: number): number {
  const steps = [
    100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
    14_400_000,
  ];
  for (const step of steps) if (totalMs / step <= 10) return step;
  return Math.ceil(totalMs / 10 / 3_600_000) * 3_600_000;
}

export function tickLabel(ms: number, step: number): string {
  if (step < 1000) return `${formatNumber(ms / 1000, 1)} s`;
  if (ms < 60_000 || step < 60_000) {
    if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  return `${Math.round(ms / 60_000)} min`;
}

function niceCeil(n: number): number {
  const exp = 10 ** Math.floor(Math.log10(n));
  for (const mult of [1, 2, 2.5, 5, 10]) if (mult * exp >= n) return mult * exp;
  return 10 * exp;
}

/** Unions overlapping [start, end) intervals (sorted output). */
export function mergeIntervals(intervals: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function statusColour(status: string | null): string {
  if (status === 'COMPLETED') return '#2f9e44';
  if (status === 'ERROR') return RETRY;
  return MUTED;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function plural(n: number, word: string): string {
  return `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

/** Fixed one-decimal coordinates keep the output stable and small. */
function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
