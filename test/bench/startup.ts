/**
 * Start-up benchmark: `bubble-runtime --version`, `--help` and `status --help` against a bare
 * `node -e 0`, as ratios (the target is ≤ 4×). Runs are interleaved (baseline, each command, baseline,
 * …) so a busy machine slows all of them alike; min and median of each are reported.
 * `opts.records` is the number of rounds (default 15).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { formatNumber } from '../../runtime/report/format.js';

const DEFAULT_ROUNDS = 15;
const TARGET_RATIO = 4;

interface Case {
  name: string;
  args: string[];
}

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function run(opts: { records?: number } = {}): Promise<string> {
  const rounds = opts.records ?? DEFAULT_ROUNDS;
  const bin = resolve('dist/runtime/cli/bin.js');
  const baseline: Case = { name: 'node -e 0', args: ['-e', '0'] };
  const cases: Case[] = [
    { name: 'bubble-runtime --version', args: [bin, '--version'] },
    { name: 'bubble-runtime --help', args: [bin, '--help'] },
    { name: 'bubble-runtime status --help', args: [bin, 'status', '--help'] },
  ];
  const times = new Map<string, number[]>([baseline, ...cases].map((c) => [c.name, []]));
  // One warm-up of each (file cache), then interleaved rounds.
  for (const c of [baseline, ...cases]) timeOnce(c.args);
  for (let i = 0; i < rounds; i++) {
    for (const c of cases) {
      times.get(baseline.name)!.push(timeOnce(baseline.args));
      times.get(c.name)!.push(timeOnce(c.args));
    }
  }
  const base = times.get(baseline.name)!;
  const baseMin = Math.min(...base);
  const baseMedian = median(base);
  const lines = [
    '## Start-up',
    '',
    `${rounds} interleaved rounds; ratio = command time / \`node -e 0\` time (target ≤ ${TARGET_RATIO}×).`,
    '',
    '| command | min | median | ratio (min) | ratio (median) |',
    '|---|---:|---:|---:|---:|',
    `| ${baseline.name} | ${formatNumber(baseMin, 0)} ms | ${formatNumber(baseMedian, 0)} ms | 1× | 1× |`,
  ];
  for (const c of cases) {
    const t = times.get(c.name)!;
    const min = Math.min(...t);
    const med = median(t);
    lines.push(
      `| ${c.name} | ${formatNumber(min, 0)} ms | ${formatNumber(med, 0)} ms | ${formatNumber(min / baseMin, 2)}× | ${formatNumber(med / baseMedian, 2)}× |`,
    );
  }
  return lines.join('\n');
}
