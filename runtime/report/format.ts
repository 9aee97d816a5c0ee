/**
 * Number and time formatting shared by the reports and the terminal display. Locale-independent on
 * purpose: the same run must render the same bytes on every machine.
 */

/** 12345 → "12,345". */
export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate or ratio with at most `decimals` digits after the point, thousands separated: 1234.5 → "1,234.5". */
export function formatNumber(n: number, decimals = 1): string {
  if (!Number.isFinite(n)) return '–';
  const fixed = Math.abs(n).toFixed(decimals);
  const [whole = '0', frac] = fixed.split('.');
  const trimmed = frac === undefined ? '' : frac.replace(/0+$/, '');
  return (n < 0 ? '-' : '') + formatInt(Number(whole)) + (trimmed ? `.${trimmed}` : '');
}

/** Milliseconds as a human duration: 850 → "850 ms", 12_300 → "12.3 s", 754_000 → "12 min 34 s", 3h+ → "3 h 05 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${formatNumber(ms / 1000, 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** Compact clock for progress lines and ETAs: 75_000 → "1:15", 3_725_000 → "1:02:05". */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Bytes in binary units: 157_286_400 → "150 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** (a − b) / a in percent: how much faster b is than a. */
export function improvementPercent(baselineMs: number, candidateMs: number): number {
  if (baselineMs <= 0) return 0;
  return ((baselineMs - candidateMs) / baselineMs) * 100;
}
