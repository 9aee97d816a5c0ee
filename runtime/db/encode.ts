/**
 * Encoding converted JS values as PostgreSQL text input. The bulk upsert (upsert.ts) sends each cell as
 * its column's text input and casts it in SQL to the column's real type (read from the catalog), so
 * the three drivers (pg, PGlite, Prisma raw) see the same thing; list columns travel as array literals
 * (`{"a","b"}`), which PostgreSQL parses natively when cast to `text[]`, `timestamptz(3)[]`, …; json
 * columns as JSON text.
 *
 * Every value leaves here in a form PostgreSQL can store (docs/type-mapping.md lists the exceptions
 * this makes to "`_raw` equals the record"); without that, one value would fail its page — and its
 * table, and every table after it — on every run:
 *
 * - U+0000 (refused in `text` by the driver, `\u0000` refused by `jsonb`) and lone UTF-16 surrogates
 *   (no UTF-8 form; `jsonb` refuses `\ud83d`: Bubble's "truncate to N characters" leaves them when it
 *   cuts an emoji in half) become U+FFFD, in values and object keys, at any depth.
 * - JSON nested deeper than `MAX_JSON_DEPTH` keeps its deeper part as a JSON string of its text:
 *   PostgreSQL refuses JSON nested deeper than about 10,000 levels, and PGlite stops answering at
 *   about 6,500.
 *
 * Checks come first and are cheap (native `isWellFormed`, `includes`, one `JSON.stringify` and a regex
 * over its text); the slower exact path runs only for values that need it.
 */
import { deeperThan, JsonNumber, stringifyJson } from '../convert/json.js';

/** Counts the strings (values and keys) the encoders changed to make them storable. */
export interface EncodeTally {
  replaced: number;
}

export type Encoder = (value: unknown, tally?: EncodeTally) => string | null;

/** Deepest JSON nesting written as JSON structure (the outermost array or object is level 1). */
export const MAX_JSON_DEPTH = 5000;

const REPLACEMENT = '\uFFFD';
const NUL = /\u0000/g;

/** `String.prototype.isWellFormed`/`toWellFormed` (Node 20; the ES2023 lib does not declare them). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** `text` as PostgreSQL can store it: lone surrogates and U+0000 replaced by U+FFFD. */
export function storableText(text: string, tally?: EncodeTally): string {
  const wf = text as unknown as WellFormed;
  const wellFormed = wf.isWellFormed();
  if (wellFormed && !text.includes('\u0000')) return text;
  if (tally !== undefined) tally.replaced += 1;
  return (wellFormed ? text : wf.toWellFormed()).replace(NUL, REPLACEMENT);
}

/**
 * What `JSON.stringify` writes for what PostgreSQL cannot store: `\u0000` (also how a `JsonNumber`
 * shows itself) and an escaped surrogate (it escapes only lone ones). A backslash written as `\\`
 * before such text is a false positive: it costs the exact path, nothing else.
 */
const NEEDS_EXACT_PATH = /\\u(?:0000|d[89a-f])/;

/** JSON text PostgreSQL accepts for `value` (see the module comment). */
export function storableJson(value: unknown, tally?: EncodeTally): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    // Nested deeper than JSON.stringify goes (about 4,000 levels): the exact path is iterative.
    if (!(err instanceof RangeError)) throw err;
  }
  // Each level of nesting takes at least two characters, so a short text cannot be too deep.
  if (text !== undefined && !NEEDS_EXACT_PATH.test(text) && (text.length <= 2 * MAX_JSON_DEPTH || !deeperThan(value, MAX_JSON_DEPTH))) {
    return text;
  }
  return stringifyJson(value, { mapString: (s) => storableText(s, tally), maxDepth: MAX_JSON_DEPTH });
}

/** Builds the encoder for one column from its catalog type (`format_type` output). */
export function encoderFor(pgType: string): Encoder {
  if (pgType.endsWith('[]')) {
    const element = scalarEncoder(pgType.slice(0, -2));
    return (value, tally) => {
      if (value === null || value === undefined) return null;
      if (!Array.isArray(value)) throw new TypeError(`expected an array for a ${pgType} column, got ${typeof value}`);
      return arrayLiteral(value, element, tally);
    };
  }
  return scalarEncoder(pgType);
}

function scalarEncoder(pgType: string): Encoder {
  if (pgType === 'jsonb' || pgType === 'json')
    return (v, tally) => (v === undefined || v === null ? null : (storableJson(v, tally) ?? null));
  if (pgType.startsWith('timestamp') || pgType === 'date') return encodeDate;
  return encodeScalar;
}

function encodeDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  return String(value);
}

function encodeScalar(value: unknown, tally?: EncodeTally): string | null {
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'string':
      return storableText(value, tally);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      // Numeric text: a `double precision` column takes the nearest double, as PostgreSQL parses it.
      if (value instanceof JsonNumber) return value.text;
      return storableJson(value, tally) ?? null;
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
export function arrayLiteral(values: readonly unknown[], element: Encoder, tally?: EncodeTally): string {
  let out = '{';
  let first = true;
  for (const value of values) {
    const text = element(value, tally);
    if (text === null) continue;
    out += `${first ? '' : ','}"${NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, '\\$&') : text}"`;
    first = false;
  }
  return `${out}}`;
}
