import { renderReportMarkdown, md } from '../../runtime/report/markdown.js';
import { renderReportSvg, xmlEscape, niceStep, tickLabel, mergeIntervals } from '../../runtime/report/svg.js';
import { formatDuration, formatInt, formatNumber, formatBytes, formatClock } from '../../runtime/report/format.js';
import { SyncMetricsCollector } from '../../runtime/report/metrics.js';
import { checkXml } from './xml.js';
import { simulate, SAMPLE_TABLES } from './simulate.js';

const NASTY = 'a<b>&"c\'|d\\e\nf\u0001g 🎉';

function report(concurrency = 3) {
  return simulate({
    tables: SAMPLE_TABLES,
    concurrency,
    latencyMs: 322,
    spacingMs: 60,
    failEvery: 30,
    failStatus: 429,
  }).collector.generateReport();
}

describe('the XML checker itself', () => {
  test.each([
    ['<a><b></a></b>', 'does not match'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a>&nbsp;</a>', 'bad entity'],
    ['<a x=1/>', 'bad attribute'],
    ['<a/><b/>', 'exactly one root'],
    ['<a>\u0001</a>', 'not allowed'],
    ['<a>', 'unclosed'],
  ])('rejects %j', (xml, problem) => {
    expect(checkXml(xml).errors.join('\n')).toContain(problem);
  });
  test('accepts a small document', () => {
    expect(checkXml('<a x="&amp;"><b/>t&#38;<!-- c --></a>').errors).toEqual([]);
  });
});

describe('report.svg', () => {
  test('is well-formed, draws every page and names every table', () => {
    for (const c of [1, 3, 8]) {
      const r = report(c);
      const svg = renderReportSvg(r);
      const { errors, elements } = checkXml(svg);
      expect(errors).toEqual([]);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      for (const t of SAMPLE_TABLES) expect(svg).toContain(`>${t.table}</text>`);
      expect(elements.get('rect')).toBeGreaterThan(r.timeline.pages.length);
      expect(svg).toContain('HTTP 429');
    }
  });

  test('is deterministic', () => {
    expect(renderReportSvg(report())).toBe(renderReportSvg(report()));
  });

  test('escapes every piece of text, including hostile table and job names', () => {
    const c = new SyncMetricsCollector({ clock: () => 5, memory: () => 1, sampleEveryMs: 0 });
    c.record({ kind: 'job-start', jobId: NASTY, mode: 'full', types: [NASTY], resumed: false });
    c.record({ kind: 'table-start', type: NASTY, table: NASTY, total: 1 });
    c.record({ kind: 'retry', type: NASTY, reason: NASTY, waitMs: 1 });
    c.record({ kind: 'page-done', type: NASTY, records: 1, done: 1, total: 1, inFlight: 1 });
    const svg = renderReportSvg(c.generateReport());
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  test('an empty run still renders a valid picture', () => {
    const c = new SyncMetricsCollector({ clock: () => 0, memory: () => 0, sampleEveryMs: 0 });
    c.startSync('empty');
    const svg = renderReportSvg(c.generateReport());
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain('no table was synced');
  });

  test('xmlEscape, ticks and intervals', () => {
    expect(xmlEscape('<&>"\'\u0000x')).toBe('&lt;&amp;&gt;&quot;&apos;\uFFFDx');
    expect(niceStep(14_600)).toBe(2000);
    expect(niceStep(600_000)).toBe(60_000);
    expect(niceStep(800)).toBe(100);
    expect(tickLabel(90_000, 30_000)).toBe('1:30');
    expect(tickLabel(120_000, 60_000)).toBe('2 min');
    expect(tickLabel(500, 100)).toBe('0.5 s');
    expect(
      mergeIntervals([
        [5, 8],
        [0, 2],
        [1, 3],
        [8, 9],
      ]),
    ).toEqual([
      [0, 3],
      [5, 9],
    ]);
  });
});

describe('report.md', () => {
  test('one-screen summary and per-table rows, with no checklist of thresholds', () => {
    const r = report();
    const text = renderReportMarkdown(r);
    expect(text).toContain(`# Sync run ${r.jobId}`);
    expect(text).toContain('| Records | 10,390');
    expect(text).toContain('![Pages over time per table](report.svg)');
    for (const t of SAMPLE_TABLES) expect(text).toMatch(new RegExp(`\\| ${t.table} \\| COMPLETED \\| ${formatInt(t.records)} \\|`));
    // The figures are reported as measured; the report passes no verdict on them.
    expect(text).not.toContain('readiness');
    expect(text).not.toMatch(/^- \[[ x]\]/m);
    expect(text).toContain(`| Retries / 429s | ${formatInt(r.metrics.retries)} / ${formatInt(r.metrics.rateLimited429)} |`);
    expect(text).toContain(`| Peak memory (RSS) | ${formatBytes(r.metrics.peakMemoryBytes)} |`);
    // The summary fits one screen: title, status line, and the metric table.
    expect(text.split('## Tables')[0]!.split('\n').length).toBeLessThanOrEqual(24);
  });

  test('escapes table cells', () => {
    expect(md('a|b\\c<d>\ne')).toBe('a\\|b\\\\c&lt;d&gt; e');
  });
});

describe('formatting', () => {
  test.each([
    [formatInt(1234567), '1,234,567'],
    [formatInt(-999), '-999'],
    [formatNumber(1234.56, 1), '1,234.6'],
    [formatNumber(2.0, 2), '2'],
    [formatDuration(850), '850 ms'],
    [formatDuration(12_340), '12.3 s'],
    [formatDuration(754_000), '12 min 34 s'],
    [formatDuration(3 * 3600_000 + 5 * 60_000), '3 h 05 min'],
    [formatBytes(157_286_400), '150 MiB'],
    [formatBytes(1536), '1.5 KiB'],
    [formatClock(75_000), '1:15'],
    [formatClock(3_725_000), '1:02:05'],
  ])('%s = %s', (got, want) => {
    expect(got).toBe(want);
  });
});
