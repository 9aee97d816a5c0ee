/**
 * JSON as Bubble sends it, read and written without losing anything JavaScript cannot hold:
 *
 * - Numbers that do not survive a double (`1e400`, `9007199254740993`,
 *   `0.1000000000000000055511151231257827`: parsed and printed back, they change) are parsed into
 *   `JsonNumber`, which keeps their text.
 *   A fast scan decides whether a body can hold such a number at all; almost every body is parsed by
 *   `JSON.parse` alone.
 * - Reading, writing and walking are iterative, never recursive: a value nested 10,000 levels deep
 *   cannot overflow the stack (`JSON.stringify` and `structuredClone` give up at about 4,000).
 */

/** A JSON number that does not survive a double, kept as the text Bubble sent. Immutable. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** The nearest double: what a `double precision` column can hold (±Infinity or 0 when out of range). */
  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  /**
   * `JSON.stringify` cannot write a number from text, so it sees a string starting with U+0000, which no
   * stored JSON may hold: the database encoder notices it and writes the exact number through
   * `stringifyJson`. Use `stringifyJson` wherever the JSON text matters.
   */
  toJSON(): string {
    return `\u0000${this.text}`;
  }
}

/** JSON value types for Bubble records and the raw/unmapped columns (what `parseJson` can return). */
export type JsonValue = string | number | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A number token that may not survive a double: 16 or more digits (leading zeros included, so this
 * over-approximates "more than 15 significant digits"), or an exponent of three or more digits. Every
 * JSON number inside a value follows `[`, `,` or `:`; digits inside strings only match after one of
 * those, which makes a false positive possible (a slower parse, the same result) and a false negative
 * impossible. (One regex, no `^` alternative: that alone makes the scan twice as slow; a text that is a
 * bare number is checked apart.) The scan costs about half of `JSON.parse` on a page of records.
 */
const MAYBE_INEXACT = /[[:,]\s*-?(?:(?:\d\.?){16}|[\d.]+[eE][+-]?\d{3})/;
const BARE_NUMBER = /^\s*-?\d/;

/** `JSON.parse`, except that numbers that do not survive a double become `JsonNumber`. */
export function parseJson(text: string): unknown {
  if (!MAYBE_INEXACT.test(text) && !BARE_NUMBER.test(text)) return JSON.parse(text);
  return parseLossless(text);
}

/**
 * Inexact number tokens are rewritten as marked strings, the text goes through the native (iterative)
 * `JSON.parse`, and a walk turns the marked strings into `JsonNumber`. A string of the body that happens
 * to carry the marker would show up as one match too many: then the parse is repeated with another.
 */
function parseLossless(text: string): unknown {
  // A random marker collides with a string of the body about never; a few attempts bound the loop.
  for (let attempt = 0; attempt < 8; attempt++) {
    const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
    const marked = markInexactNumbers(text, marker);
    const value: unknown = JSON.parse(marked.text);
    if (marked.count === 0) return value;
    let found = 0;
    const result = replaceStrings(value, (s) => {
      if (!s.startsWith(marker)) return s;
      found += 1;
      return new JsonNumber(s.slice(marker.length));
    });
    if (found === marked.count) return result;
  }
  throw new Error('parseJson: the body kept matching the number markers');
}

function markInexactNumbers(text: string, marker: string): { text: string; count: number } {
  const quotedMarker = JSON.stringify(marker).slice(0, -1);
  let out = '';
  let last = 0;
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < n && isNumberChar(text.charCodeAt(end))) end++;
      const token = text.slice(i, end);
      if (!roundTripsAsDouble(token)) {
        out += `${text.slice(last, i)}${quotedMarker}${token}"`;
        last = end;
        count++;
      }
      i = end - 1;
    }
  }
  return { text: count === 0 ? text : out + text.slice(last), count };
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e /* . */ || c === 0x65 /* e */ || c === 0x45 /* E */ || c === 0x2b /* + */ || c === 0x2d;
}

/** A JSON number (RFC 8259), with sign, integer digits, fraction digits and exponent captured. */
const DECIMAL = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * True when the JSON number `token` survives a double: the nearest double prints back (as JavaScript
 * writes numbers) as the same decimal value, so nothing is lost by parsing it as a number. Text that
 * is no JSON number counts as surviving: `JSON.parse` refuses it.
 */
export function roundTripsAsDouble(token: string): boolean {
  if (!DECIMAL.test(token)) return true;
  const n = Number(token);
  return Number.isFinite(n) && canonicalDecimal(token) === canonicalDecimal(String(n));
}

/**
 * A JSON number's value as text that is equal exactly when the values are equal (`1e400` and
 * `1000…0`, `1.50` and `1.5`, `-0` and `0`): sign, significant digits and exponent. For comparing
 * numbers whose text PostgreSQL's `jsonb` rewrites.
 */
export function canonicalDecimal(text: string): string {
  const m = DECIMAL.exec(text);
  if (m === null) return text;
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`;
  let exponent = Number(m[4] ?? 0) - fraction.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 0x30) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 0x30) {
    end--;
    exponent++;
  }
  digits = digits.slice(start, end);
  return digits === '' ? '0' : `${m[1]}${digits}e${exponent}`;
}

/** True for arrays and plain objects: the JSON containers (a `JsonNumber` or `Date` is a leaf). */
function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof JsonNumber) && !(value instanceof Date);
}

/**
 * Applies `map` to every string value (not keys) inside `value`, in place, iteratively. Used by the
 * lossless parse on a value it just parsed, so mutating is safe.
 */
function replaceStrings(value: unknown, map: (s: string) => unknown): unknown {
  if (typeof value === 'string') return map(value);
  if (!isContainer(value)) return value;
  const stack: Array<unknown[] | Record<string, unknown>> = [value];
  while (stack.length > 0) {
    const container = stack.pop()!;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === 'string') container[i] = map(item);
        else if (isContainer(item)) stack.push(item);
      }
    } else {
      for (const key of Object.keys(container)) {
        const item = container[key];
        if (typeof item === 'string') setOwn(container, key, map(item));
        else if (isContainer(item)) stack.push(item);
      }
    }
  }
  return value;
}

export interface StringifyOptions {
  /** Applied to every string, keys included, before it is written. */
  mapString?: (s: string) => string;
  /**
   * Containers nested deeper than this (the outermost is level 1) are written as a JSON string
   * holding their own JSON text, so that the result is never nested deeper than `maxDepth`.
   */
  maxDepth?: number;
  /** Object keys in code-unit order (for comparing values whose key order differs, like jsonb's). */
  sortKeys?: boolean;
  /** Applied to the text of every number (finite numbers as JavaScript prints them, `JsonNumber` as kept). */
  mapNumber?: (text: string) => string;
}

interface Frame {
  container: unknown[] | Record<string, unknown>;
  /** Null for arrays. */
  keys: string[] | null;
  index: number;
  depth: number;
  /** An object member was written (the next one needs a comma). */
  wrote: boolean;
}

/**
 * `JSON.stringify` for any depth, writing `JsonNumber` as its exact text. Same rules otherwise:
 * `toJSON` (dates), non-finite numbers as `null`, `undefined` and functions left out of objects and
 * written as `null` in arrays; `undefined` when `value` itself has no JSON form.
 */
export function stringifyJson(value: unknown, options: StringifyOptions = {}): string | undefined {
  const { mapString, maxDepth, sortKeys = false, mapNumber } = options;
  const quote = (s: string): string => JSON.stringify(mapString === undefined ? s : mapString(s));
  let out = '';
  const stack: Frame[] = [];

  /** Writes a leaf or opens a container (`v` already through `prepare`); false when it has no JSON form. */
  const write = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
        out += quote(v);
        return true;
      case 'number':
        out += !Number.isFinite(v) ? 'null' : mapNumber === undefined ? String(v) : mapNumber(String(v));
        return true;
      case 'boolean':
        out += v ? 'true' : 'false';
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        break;
      default:
        return false;
    }
    if (v === null) {
      out += 'null';
    } else if (v instanceof JsonNumber) {
      out += mapNumber === undefined ? v.text : mapNumber(v.text);
    } else if (maxDepth !== undefined && depth > maxDepth) {
      out += quote(stringifyJson(v, { ...options, maxDepth: undefined })!);
    } else if (Array.isArray(v)) {
      out += '[';
      stack.push({ container: v, keys: null, index: 0, depth, wrote: false });
    } else {
      const keys = Object.keys(v);
      if (sortKeys) keys.sort();
      out += '{';
      stack.push({ container: v as Record<string, unknown>, keys, index: 0, depth, wrote: false });
    }
    return true;
  };

  if (!write(prepare(value, ''), 1)) return undefined;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { keys } = frame;
    if (keys === null) {
      const items = frame.container as unknown[];
      if (frame.index === items.length) {
        out += ']';
        stack.pop();
        continue;
      }
      const i = frame.index++;
      if (i > 0) out += ',';
      if (!write(prepare(items[i], String(i)), frame.depth + 1)) out += 'null';
      continue;
    }
    if (frame.index === keys.length) {
      out += '}';
      stack.pop();
      continue;
    }
    const key = keys[frame.index++]!;
    const item = prepare((frame.container as Record<string, unknown>)[key], key);
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += `${frame.wrote ? ',' : ''}${quote(key)}:`;
    frame.wrote = true;
    write(item, frame.depth + 1);
  }
  return out;
}

/** What JSON.stringify would write for `value` under `key`: `toJSON` applied (not for JsonNumber). */
function prepare(value: unknown, key: string): unknown {
  if (typeof value === 'object' && value !== null && !(value instanceof JsonNumber)) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return (toJSON as (k: string) => unknown).call(value, key);
  }
  return value;
}

/** True when `value` holds a container nested deeper than `limit` levels. Iterative; stops at the first. */
export function deeperThan(value: unknown, limit: number): boolean {
  if (!isContainer(value)) return false;
  const stack: Array<[unknown[] | Record<string, unknown>, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [container, depth] = stack.pop()!;
    if (depth > limit) return true;
    const items = Array.isArray(container) ? container : Object.values(container);
    for (const item of items) if (isContainer(item)) stack.push([item, depth + 1]);
  }
  return false;
}

/** A deep copy of a JSON value (arrays and plain objects copied, `JsonNumber` shared), at any depth. */
export function cloneJson<T>(value: T): T {
  if (!isContainer(value)) return value;
  const root: unknown[] | Record<string, unknown> = Array.isArray(value) ? [] : {};
  const stack: Array<[unknown[] | Record<string, unknown>, unknown[] | Record<string, unknown>]> = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const key of Object.keys(from)) {
      let item = (from as Record<string, unknown>)[key];
      if (isContainer(item)) {
        const copy: unknown[] | Record<string, unknown> = Array.isArray(item) ? [] : {};
        stack.push([item, copy]);
        item = copy;
      }
      setOwn(to as Record<string, unknown>, key, item);
    }
  }
  return root as T;
}

/** `target[key] = value` as an own data property: "__proto__" (an own key in parsed JSON) would hit the setter. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
