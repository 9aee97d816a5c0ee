/**
 * Bubble record → row values for one type. Compiled once per type (a key → slot table), then called
 * per record on the sync hot path: no closures per record, no throwing on data. Every key of the
 * record ends up in exactly one place: a standard column (built-ins), its data column, or `unmapped`
 * (the value did not convert, or the dictionary does not know the key). `null`/`undefined` values are
 * treated as absent (Bubble omits empty fields; the raw copy still has them).
 */
import type { ManifestColumn, ManifestType } from '../../core/manifest/schema.js';
import { builtinKey } from '../../core/standard-columns.js';
import { JsonNumber } from './json.js';
import { convertList, FAIL, SCALAR_CONVERTERS, toString, type ValueConverter } from './values.js';

export interface ConvertIssue {
  /** The record key whose value went to `unmapped`. */
  key: string;
  /** Why, e.g. `expected number, got string` or `not in the dictionary`. Never contains the value. */
  reason: string;
}

export interface ConvertedRecord {
  /** The record's `_id`; null when missing, empty or not a string (the row cannot be written). */
  bubbleId: string | null;
  /** Built-ins for the standard columns; null when absent or unconvertible. */
  createdAt: Date | null;
  modifiedAt: Date | null;
  createdBy: string | null;
  slug: string | null;
  /** One value per `type.columns` entry, same order: converted, or null when absent or unconvertible. */
  values: unknown[];
  /** Key → original value of everything that did not fit or is unknown; null when there is none. */
  unmapped: Record<string, unknown> | null;
  /** One entry per key in `unmapped`. A shared empty array when there are none: do not mutate. */
  issues: readonly ConvertIssue[];
}

export interface RecordConverter {
  readonly type: ManifestType;
  /** Record key → index into `values` for the data columns. */
  readonly columnIndex: ReadonlyMap<string, number>;
  convert(record: Record<string, unknown>): ConvertedRecord;
}

/** Slot targets for built-ins (negative so they never clash with column indexes). */
const BUBBLE_ID = -1;
const CREATED_AT = -2;
const MODIFIED_AT = -3;
const CREATED_BY = -4;
const SLUG = -5;

const BUILTIN_TARGETS: ReadonlyMap<string, number> = new Map([
  [builtinKey('bubbleId'), BUBBLE_ID],
  [builtinKey('bubbleCreatedAt'), CREATED_AT],
  [builtinKey('bubbleModifiedAt'), MODIFIED_AT],
  [builtinKey('bubbleCreatedBy'), CREATED_BY],
  [builtinKey('bubbleSlug'), SLUG],
]);

interface Slot {
  target: number;
  convert: ValueConverter;
  /** Null for scalars; the item converter for lists. */
  item: ValueConverter | null;
  /** What the column expects, for issue reasons (`number`, `list of date`, …). */
  expects: string;
}

const NO_ISSUES: readonly ConvertIssue[] = Object.freeze([]);
const UNKNOWN_KEY = 'not in the dictionary';

/** Builds the per-type converter; call once per type and reuse it for every record. */
export function compileConverter(type: ManifestType): RecordConverter {
  const slots = new Map<string, Slot>();
  const columnIndex = new Map<string, number>();
  for (const [key, target] of BUILTIN_TARGETS) {
    const isDate = target === CREATED_AT || target === MODIFIED_AT;
    slots.set(key, {
      target,
      convert: isDate ? SCALAR_CONVERTERS.date : target === BUBBLE_ID ? toId : toString,
      item: null,
      expects: isDate ? 'date' : target === BUBBLE_ID ? 'non-empty string' : 'string',
    });
  }
  type.columns.forEach((column, index) => {
    // Built-ins only ever fill the standard columns (the manifest never lists them as columns).
    if (BUILTIN_TARGETS.has(column.key)) return;
    const scalar = scalarConverterOf(column);
    slots.set(column.key, {
      target: index,
      convert: scalar,
      item: column.list ? scalar : null,
      expects: column.list ? `list of ${expectationOf(column)}` : expectationOf(column),
    });
    columnIndex.set(column.key, index);
  });
  const width = type.columns.length;

  function convert(record: Record<string, unknown>): ConvertedRecord {
    const values = new Array<unknown>(width).fill(null);
    let bubbleId: string | null = null;
    let createdAt: Date | null = null;
    let modifiedAt: Date | null = null;
    let createdBy: string | null = null;
    let slug: string | null = null;
    let unmapped: Record<string, unknown> | null = null;
    let issues: ConvertIssue[] | null = null;
    for (const key in record) {
      const value = record[key];
      if (value === null || value === undefined) continue;
      const slot = slots.get(key);
      let converted: unknown;
      if (slot === undefined) {
        converted = FAIL;
      } else {
        converted = slot.item === null ? slot.convert(value) : convertList(slot.item, value);
      }
      if (converted === FAIL) {
        if (unmapped === null) {
          // Null prototype: a Bubble key such as "__proto__" must stay an ordinary entry.
          unmapped = Object.create(null) as Record<string, unknown>;
          issues = [];
        }
        unmapped[key] = value;
        issues!.push({ key, reason: slot === undefined ? UNKNOWN_KEY : reasonOf(slot, value) });
        continue;
      }
      switch (slot!.target) {
        case BUBBLE_ID:
          bubbleId = converted as string;
          break;
        case CREATED_AT:
          createdAt = converted as Date;
          break;
        case MODIFIED_AT:
          modifiedAt = converted as Date;
          break;
        case CREATED_BY:
          createdBy = converted as string;
          break;
        case SLUG:
          slug = converted as string;
          break;
        default:
          values[slot!.target] = converted;
      }
    }
    return { bubbleId, createdAt, modifiedAt, createdBy, slug, values, unmapped, issues: issues ?? NO_ISSUES };
  }

  return { type, columnIndex, convert };
}

const COMPILED = new WeakMap<ManifestType, RecordConverter>();

/** Converts one record; compiles the type on first use and caches it (by descriptor identity). */
export function convertRecord(type: ManifestType, record: Record<string, unknown>): ConvertedRecord {
  let compiled = COMPILED.get(type);
  if (compiled === undefined) {
    compiled = compileConverter(type);
    COMPILED.set(type, compiled);
  }
  return compiled.convert(record);
}

/**
 * Text columns differ by Bubble type: a `text` field takes numbers and booleans as text, while ids,
 * option values and URLs must already be strings.
 */
function scalarConverterOf(column: ManifestColumn): ValueConverter {
  if (column.kind === 'text' && itemTypeOf(column.bubbleType) !== 'text') return toString;
  return SCALAR_CONVERTERS[column.kind];
}

function expectationOf(column: ManifestColumn): string {
  if (column.kind === 'text') return itemTypeOf(column.bubbleType) === 'text' ? 'text' : 'string';
  return column.kind;
}

function itemTypeOf(bubbleType: string): string {
  return bubbleType.startsWith('list.') ? bubbleType.slice('list.'.length) : bubbleType;
}

function reasonOf(slot: Slot, value: unknown): string {
  if (slot.item !== null && Array.isArray(value)) return `expected ${slot.expects}, an item did not convert`;
  return `expected ${slot.expects}, got ${jsonTypeOf(value)}`;
}

/** An `_id` is a non-empty string: an empty one cannot key a row any more than a missing one. */
function toId(value: unknown): unknown {
  return typeof value === 'string' && value !== '' ? value : FAIL;
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'non-finite number';
  if (value instanceof JsonNumber) return Number.isFinite(value.valueOf()) ? 'number' : 'number beyond double range';
  if (value === '') return 'empty string';
  return typeof value;
}
