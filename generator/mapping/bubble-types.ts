/**
 * The type mapping: a declared Bubble field type decides its column (docs/type-mapping.md is the
 * table form of this file). Values that do not convert are kept in `_unmapped`/`_raw` by the runtime.
 */
import type { ColumnKind } from '../../core/manifest/schema.js';

export interface ColumnType {
  kind: ColumnKind;
  /** PostgreSQL array of `kind`; never set for `json`. */
  list: boolean;
  /** The referenced type's API name for `user`, `custom.<type>` and lists of them. */
  references?: string;
}

/** Bubble types whose values are strings stored as text. */
const TEXT_TYPES = new Set(['text', 'image', 'file']);
/** Bubble's built-in User type is referenced as `user`; its API name is `user` too. */
const USER_TYPE = 'user';

/** Maps one declared Bubble type (`text`, `list.custom.invoice`, …) to its column type. */
export function columnTypeOf(bubbleType: string): ColumnType {
  if (bubbleType.startsWith('list.')) {
    const item = scalarTypeOf(bubbleType.slice('list.'.length));
    // A list of json-ish values (addresses, ranges, unknown) is one jsonb value, not jsonb[].
    if (item.kind === 'json') return { kind: 'json', list: false };
    return { ...item, list: true };
  }
  return scalarTypeOf(bubbleType);
}

function scalarTypeOf(bubbleType: string): ColumnType {
  if (TEXT_TYPES.has(bubbleType)) return { kind: 'text', list: false };
  if (bubbleType === 'number') return { kind: 'number', list: false };
  if (bubbleType === 'boolean') return { kind: 'boolean', list: false };
  if (bubbleType === 'date') return { kind: 'date', list: false };
  if (bubbleType === USER_TYPE) return { kind: 'text', list: false, references: USER_TYPE };
  if (bubbleType.startsWith('custom.') && bubbleType.length > 'custom.'.length) {
    return { kind: 'text', list: false, references: bubbleType.slice('custom.'.length) };
  }
  // Option sets arrive as their display text.
  if (bubbleType.startsWith('option.') && bubbleType.length > 'option.'.length) return { kind: 'text', list: false };
  // geographic_address, date_range, number_range, nested lists and anything unknown.
  return { kind: 'json', list: false };
}

const PG_TYPES: Record<ColumnKind, string> = {
  text: 'text',
  number: 'double precision',
  boolean: 'boolean',
  date: 'timestamptz(3)',
  json: 'jsonb',
};

/** The PostgreSQL type used for casts in bulk writes (`text`, `timestamptz(3)[]`, `jsonb`, …). */
export function pgTypeOf(kind: ColumnKind, list: boolean): string {
  return list ? `${PG_TYPES[kind]}[]` : PG_TYPES[kind];
}

const PRISMA_SCALARS: Record<ColumnKind, { type: string; native: string }> = {
  text: { type: 'String', native: '' },
  number: { type: 'Float', native: '@db.DoublePrecision' },
  boolean: { type: 'Boolean', native: '' },
  date: { type: 'DateTime', native: '@db.Timestamptz(3)' },
  json: { type: 'Json', native: '' },
};

/**
 * The Prisma field type and native type attribute of a data column. Bubble fields are sparse, so
 * scalars are optional; Prisma has no optional lists, so list columns are `T[]` (nullable in the
 * database all the same: a record without the field stores NULL).
 */
export function prismaTypeOf(kind: ColumnKind, list: boolean): { type: string; native: string } {
  const scalar = PRISMA_SCALARS[kind];
  return { type: list ? `${scalar.type}[]` : `${scalar.type}?`, native: scalar.native };
}
