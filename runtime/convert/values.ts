/**
 * One converter per column kind: Bubble JSON value → column value, or `FAIL` when the value does not
 * fit (the caller keeps it in `_unmapped`). Module-level functions, so compiling a type allocates no
 * closures and converting a record allocates only its results. Rules (docs/type-mapping.md):
 *
 * - text: strings as they are; finite numbers and booleans stringified (`String(x)` round-trips).
 * - references (`user`, `custom.<type>`), option sets, files, images: strings only.
 * - number: finite numbers; strings that are a plain decimal number after trimming (`"12.50"`,
 *   `" -3e2 "`). Thousands separators (`"1,234.5"`) are refused: `,` is a decimal mark in many
 *   locales, so guessing could store a wrong number; the value stays in `_unmapped` instead.
 * - boolean: booleans; the strings true/false/yes/no (any case, trimmed).
 * - date: ISO 8601 dates/date-times (no zone = UTC) and epoch milliseconds; years 1..9999 only
 *   (what every PostgreSQL client renders and parses unambiguously). Result: a `Date`.
 * - json: any value.
 * Non-finite numbers (NaN, ±Infinity, `"1e999"`) never convert. A `JsonNumber` (a number that does not
 * survive a double, e.g. `9007199254740993`) gives a text column its exact text and a number or date
 * column its nearest double, like a numeric string; beyond double range (`1e400`) it does not convert.
 */
import type { ColumnKind } from '../../core/manifest/schema.js';
import { JsonNumber } from './json.js';

/** Returned when a value does not convert. A unique symbol so that `null` stays a real value. */
export const FAIL: unique symbol = Symbol('bubble.convert.fail');
export type Fail = typeof FAIL;

export type ValueConverter = (value: unknown) => unknown;

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function toText(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : FAIL;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JsonNumber) return value.text;
  return FAIL;
}

/** References, option sets, files and images: only strings (an id or URL is never a number). */
export function toString(value: unknown): unknown {
  return typeof value === 'string' ? value : FAIL;
}

export function toNumber(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : FAIL;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!NUMERIC.test(trimmed)) return FAIL;
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : FAIL;
  }
  if (value instanceof JsonNumber) {
    const n = value.valueOf();
    return Number.isFinite(n) ? n : FAIL;
  }
  return FAIL;
}

export function toBoolean(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    switch (value.trim().toLowerCase()) {
      case 'true':
      case 'yes':
        return true;
      case 'false':
      case 'no':
        return false;
      default:
        return FAIL;
    }
  }
  return FAIL;
}

/** ISO 8601 calendar date, optionally with a time and a zone; captures are checked by hand below. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Dates are parsed by hand rather than with Date.parse: Date.parse reads free text ("March 7"),
 * rolls impossible days over (`2024-02-30` → March 1) and reads a time without a zone as local
 * time, which would make the stored instant depend on the machine. Here a missing zone means UTC.
 */
export function toDate(value: unknown): unknown {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (value instanceof JsonNumber) {
    ms = value.valueOf();
  } else if (typeof value === 'string') {
    ms = parseIsoDate(value.trim());
  } else {
    return FAIL;
  }
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return FAIL;
  return new Date(ms);
}

function parseIsoDate(text: string): number {
  const m = ISO_DATE.exec(text);
  if (m === null) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!)) return NaN;
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
    if (hours > 23 || minutes > 59) return NaN;
    offset = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);
    ms = d.getTime();
  }
  return ms - offset;
}

export function toJson(value: unknown): unknown {
  return value;
}

export const SCALAR_CONVERTERS: Record<ColumnKind, ValueConverter> = {
  text: toText,
  number: toNumber,
  boolean: toBoolean,
  date: toDate,
  json: toJson,
};

/**
 * A list converts when every item converts; the result is a new array (items normalised). One bad
 * item fails the whole list, so the column never holds a partial list.
 */
export function convertList(convert: ValueConverter, value: unknown): unknown {
  if (!Array.isArray(value)) return FAIL;
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item === null || item === undefined) return FAIL;
    const converted = convert(item);
    if (converted === FAIL) return FAIL;
    out[i] = converted;
  }
  return out;
}
