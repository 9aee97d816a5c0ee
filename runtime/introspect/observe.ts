/**
 * What sampling saw: per field, how often it was present, which JSON value types occurred, and how
 * many values disagree with the declared Bubble type (numbers sent as text, objects in a text field).
 */
import type { Observed } from '../../core/dictionary/schema.js';
import { JsonNumber } from '../convert/json.js';

export type JsonKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export function jsonKind(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof JsonNumber) return 'number';
  const kind = typeof value;
  if (kind === 'string' || kind === 'number' || kind === 'boolean') return kind;
  return 'object';
}

const STRING_TYPES = new Set(['text', 'image', 'file', 'user']);
const OBJECT_TYPES = new Set(['date_range', 'number_range', 'geographic_address']);

/** Whether `value` has the JSON shape Bubble sends for a field of `type`. Unknown types accept anything. */
export function matchesType(type: string, value: unknown): boolean {
  if (type.startsWith('list.')) {
    const item = type.slice('list.'.length);
    return Array.isArray(value) && value.every((v) => matchesType(item, v));
  }
  if (STRING_TYPES.has(type) || type.startsWith('custom.') || type.startsWith('option.')) return typeof value === 'string';
  if (type === 'date') return typeof value === 'string' && Number.isFinite(Date.parse(value));
  if (type === 'number') return Number.isFinite(typeof value === 'number' ? value : value instanceof JsonNumber ? value.valueOf() : NaN);
  if (type === 'boolean') return typeof value === 'boolean';
  if (OBJECT_TYPES.has(type)) return jsonKind(value) === 'object';
  return true;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Bubble type for a field `/meta` did not list, from the values seen (nested lists one level per loop: any depth). */
export function inferType(values: readonly unknown[]): string {
  let lists = '';
  for (let level: readonly unknown[] = values; ;) {
    const present = level.filter((v) => v !== null && v !== undefined);
    if (present.length === 0) return `${lists}text`;
    const kinds = new Set(present.map(jsonKind));
    if (kinds.size > 1) return lists + (kinds.has('string') && !kinds.has('object') && !kinds.has('array') ? 'text' : 'object');
    const [kind] = kinds;
    switch (kind) {
      case 'string':
        return lists + (present.every((v) => ISO_DATE.test(v as string)) ? 'date' : 'text');
      case 'number':
        return `${lists}number`;
      case 'boolean':
        return `${lists}boolean`;
      case 'array':
        lists += 'list.';
        level = present.flatMap((v) => v as unknown[]);
        break;
      default:
        return lists + (present.every(isAddress) ? 'geographic_address' : 'object');
    }
  }
}

function isAddress(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['address'] === 'string' && typeof v['lat'] === 'number' && typeof v['lng'] === 'number';
}

/** Observation of one key across `records` (an empty sample yields undefined: nothing was seen). */
export function observe(records: readonly Record<string, unknown>[], key: string, type: string): Observed | undefined {
  if (records.length === 0) return undefined;
  let present = 0;
  let mismatches = 0;
  const kinds = new Set<JsonKind>();
  for (const record of records) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const value = record[key];
    present++;
    kinds.add(jsonKind(value));
    if (value !== null && !matchesType(type, value)) mismatches++;
  }
  const observed: Observed = { present: Math.round((present / records.length) * 100) / 100, valueTypes: [...kinds].sort() };
  if (mismatches > 0) {
    observed.mismatches = mismatches;
    observed.flagged = true;
  }
  return observed;
}
