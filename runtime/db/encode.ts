/**
 * Encoding converted JS values as PostgreSQL text input. Every column of a bulk upsert travels as a
 * `text[]` parameter and is cast in SQL to the column's real type (read from the catalog), so the
 * three drivers (pg, PGlite, Prisma raw) see the same thing — arrays of strings and nulls — and list
 * columns travel as array literals (`{"a","b"}`), which PostgreSQL parses natively when cast to
 * `text[]`, `timestamptz(3)[]`, … (unnest of a 2-D array would flatten it, so lists cannot be a
 * dimension of their own).
 */

export type Encoder = (value: unknown) => string | null;

/** Builds the encoder for one column from its catalog type (`format_type` output). */
export function encoderFor(pgType: string): Encoder {
  if (pgType.endsWith('[]')) {
    const element = scalarEncoder(pgType.slice(0, -2));
    return (value) => {
      if (value === null || value === undefined) return null;
      if (!Array.isArray(value)) throw new TypeError(`expected an array for a ${pgType} column, got ${typeof value}`);
      return arrayLiteral(value, element);
    };
  }
  return scalarEncoder(pgType);
}

/**
 * PostgreSQL cannot store U+0000 in `text` (the driver refuses the parameter) nor in `jsonb` (`\u0000`
 * is refused), so one NUL in one Bubble value would fail every page it is in, on every resume. It is
 * replaced by U+FFFD (the replacement character) in values and keys; everything else is kept.
 */
const NUL = /\u0000/g;
const REPLACEMENT = '\uFFFD';

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NUL, REPLACEMENT);
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(NUL, REPLACEMENT), withoutNul(v)]));
  }
  return value;
}

/** JSON text PostgreSQL accepts; the deep copy is made only when the text shows an escaped NUL. */
function encodeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? JSON.stringify(withoutNul(value)) : text;
}

function scalarEncoder(pgType: string): Encoder {
  if (pgType === 'jsonb' || pgType === 'json') return (v) => (v === undefined || v === null ? null : encodeJson(v));
  if (pgType.startsWith('timestamp') || pgType === 'date') return encodeDate;
  return encodeScalar;
}

function encodeDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  return String(value);
}

function encodeScalar(value: unknown): string | null {
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'string':
      return value.includes('\u0000') ? value.replace(NUL, REPLACEMENT) : value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      return encodeJson(value);
    default:
      return String(value);
  }
}

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPE_ALL = /[\\"]/g;

/**
 * A one-dimensional PostgreSQL array literal; every element quoted, so any text is safe. Null
 * elements are left out: Prisma scalar lists (`String[]`) cannot hold them — Prisma Client fails to
 * read such a row ("Expected a string in column 'x[3]'") — and the record's `_raw` copy keeps them.
 */
export function arrayLiteral(values: readonly unknown[], element: Encoder): string {
  let out = '{';
  let first = true;
  for (const value of values) {
    const text = element(value);
    if (text === null) continue;
    out += `${first ? '' : ','}"${NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, '\\$&') : text}"`;
    first = false;
  }
  return `${out}}`;
}
