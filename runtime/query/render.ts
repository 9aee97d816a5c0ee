/**
 * Query results for people (an aligned table, like psql's) and for programs (one JSON array of row
 * objects). Pure: rows in, text out.
 */

type Row = Record<string, unknown>;

/** Table cells wider than this are clipped with "…" (the JSON output keeps every value whole). */
export const MAX_CELL_WIDTH = 60;

/** One JSON array; dates as ISO strings, 64-bit integers as JSON numbers when exact, else strings. */
export function rowsToJson(rows: Row[]): string {
  return JSON.stringify(rows, (_key, value: unknown) => {
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
    return value;
  });
}

/** A value as one line of text: NULL as empty, objects (json, arrays) as JSON, line breaks shown as ↵. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  const text = typeof value === 'object' ? rowsToJson([value as Row]).slice(1, -1) : String(value);
  return text.replace(/\r?\n/g, '↵');
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length > MAX_CELL_WIDTH ? `${chars.slice(0, MAX_CELL_WIDTH - 1).join('')}…` : text;
}

/** The rows as an aligned table with a header and a row count; numbers right-aligned. */
export function renderTable(rows: Row[]): string {
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
  if (rows.length === 0) return count;
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => clip(cellText(row[c]))));
  const numeric = columns.map((c) => rows.every((row) => row[c] === null || typeof row[c] === 'number' || typeof row[c] === 'bigint'));
  const widths = columns.map((c, i) => Math.max([...c].length, ...cells.map((r) => [...r[i]!].length)));
  const pad = (text: string, i: number, right: boolean): string => {
    const fill = ' '.repeat(widths[i]! - [...text].length);
    return right ? fill + text : text + fill;
  };
  const line = (values: string[], header: boolean): string =>
    ` ${values.map((v, i) => pad(v, i, !header && numeric[i]!)).join(' | ')}`.trimEnd();
  return [line(columns, true), `-${widths.map((w) => '-'.repeat(w)).join('-+-')}-`, ...cells.map((r) => line(r, false)), count].join('\n');
}
