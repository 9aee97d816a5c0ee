/**
 * The columns every mirrored table has besides its Bubble fields, in the order the models file lists
 * them: the row key, Bubble's built-in fields, the raw copy, and the sync bookkeeping. The generator
 * writes the models, the adapters, the reserved names and the manifest's `standard` entry from this
 * table; the runtime reads the built-ins' Bubble keys from it. The manifest records the column names
 * per type, so code that works from a manifest reads `type.standard` rather than this table.
 */

interface StandardColumnSpec {
  /** Prisma field name, and the role's key in the manifest's `standard` object. */
  readonly field: string;
  /** Database column name. */
  readonly column: string;
  /** Where the models file and the row put it: before or after the Bubble fields. */
  readonly position: 'first' | 'last';
  readonly prisma: {
    /** Prisma type, `?` when optional. */
    readonly type: string;
    /** The model's primary key, or unique (each gets its constraint name written out). */
    readonly key?: 'id' | 'unique';
    /** Attributes written before `@map`. */
    readonly attributes?: string;
    /** Native type attribute, written after `@map`. */
    readonly native?: string;
    /** The `///` comment above the field. */
    readonly doc?: string;
  };
  /** The field in the generated `<Model>Row` and how `toRow` fills it from the converted record `c`. */
  readonly row?: {
    readonly type: string;
    /** The value `toRow` writes: an expression over the converted record `c` or the `record` itself. */
    readonly from: string;
    /** Written with `as <type>` (the converter's value is wider than the row's type). */
    readonly cast?: boolean;
    /** Left out of the row when the value is null. */
    readonly optional?: boolean;
    readonly doc?: string;
  };
  /** The Bubble built-in field the column is filled from: its record key and how a dictionary lists it. */
  readonly bubble?: {
    readonly key: string;
    readonly display: string;
    /** The dictionary's field type. */
    readonly type: string;
    /** Every record has it (else only apps that use it: `Created By`, `Slug`). */
    readonly always: boolean;
    /** Declared required in `<Model>Record`: the key records are written by (records without it are rejected). */
    readonly required?: boolean;
    /** The `<Model>Record` comment (what the Data API sends). */
    readonly doc?: string;
  };
}

const TIMESTAMP = '@db.Timestamptz(3)';

const TABLE = [
  {
    field: 'id',
    column: 'id',
    position: 'first',
    prisma: { type: 'String', key: 'id', attributes: '@default(dbgenerated("(gen_random_uuid())::text"))' },
  },
  {
    field: 'bubbleId',
    column: '_id',
    position: 'first',
    prisma: { type: 'String', key: 'unique', doc: 'Bubble "_id".' },
    row: { type: 'string', from: 'c.bubbleId', doc: 'Column "_id".' },
    bubble: { key: '_id', display: 'unique ID', type: 'text', always: true, required: true, doc: 'Bubble unique id.' },
  },
  {
    field: 'bubbleCreatedAt',
    column: 'Created Date',
    position: 'first',
    prisma: { type: 'DateTime?', native: TIMESTAMP },
    row: { type: 'Date | null', from: 'c.createdAt' },
    bubble: { key: 'Created Date', display: 'Created Date', type: 'date', always: true, doc: 'ISO 8601 date-time.' },
  },
  {
    field: 'bubbleModifiedAt',
    column: 'Modified Date',
    position: 'first',
    prisma: { type: 'DateTime?', native: TIMESTAMP },
    row: { type: 'Date | null', from: 'c.modifiedAt' },
    bubble: { key: 'Modified Date', display: 'Modified Date', type: 'date', always: true, doc: 'ISO 8601 date-time.' },
  },
  {
    field: 'bubbleCreatedBy',
    column: 'Created By',
    position: 'first',
    prisma: { type: 'String?' },
    row: { type: 'string | null', from: 'c.createdBy' },
    bubble: { key: 'Created By', display: 'Created By', type: 'user', always: false, doc: 'Unique id of the User who created the record.' },
  },
  {
    field: 'bubbleSlug',
    column: 'Slug',
    position: 'first',
    prisma: { type: 'String?' },
    row: { type: 'string | null', from: 'c.slug' },
    bubble: { key: 'Slug', display: 'Slug', type: 'text', always: false },
  },
  {
    field: 'raw',
    column: '_raw',
    position: 'last',
    prisma: { type: 'Json', doc: 'The whole record as received.' },
    row: { type: 'JsonObject', from: 'record', cast: true, doc: 'The whole record as received.' },
  },
  {
    field: 'unmapped',
    column: '_unmapped',
    position: 'last',
    prisma: { type: 'Json?', doc: 'Key → value of what did not fit its column or is not in the dictionary; null when nothing.' },
    row: {
      type: 'JsonObject',
      from: 'c.unmapped',
      cast: true,
      optional: true,
      doc: 'Key → value of what did not fit its column or is not in the dictionary; absent when nothing.',
    },
  },
  { field: 'syncCursorPosition', column: '_sync_cursor_position', position: 'last', prisma: { type: 'Int?' } },
  { field: 'syncJobId', column: '_sync_job_id', position: 'last', prisma: { type: 'String?' } },
  { field: 'syncedAt', column: '_synced_at', position: 'last', prisma: { type: 'DateTime?', native: TIMESTAMP } },
  // Database-side defaults: the runtime writes with raw SQL, where Prisma Client's defaults never fire.
  {
    field: 'createdAt',
    column: '_created_at',
    position: 'last',
    prisma: { type: 'DateTime', attributes: '@default(now())', native: TIMESTAMP },
  },
  {
    field: 'updatedAt',
    column: '_updated_at',
    position: 'last',
    prisma: { type: 'DateTime', attributes: '@default(now()) @updatedAt', native: TIMESTAMP },
  },
  { field: 'isDeleted', column: '_is_deleted', position: 'last', prisma: { type: 'Boolean', attributes: '@default(false)' } },
  { field: 'deletedAt', column: '_deleted_at', position: 'last', prisma: { type: 'DateTime?', native: TIMESTAMP } },
] as const satisfies readonly StandardColumnSpec[];

/** The role of a standard column: its Prisma field name, the key in the manifest's `standard`. */
export type StandardRole = (typeof TABLE)[number]['field'];

export interface StandardColumn extends StandardColumnSpec {
  readonly field: StandardRole;
}

export type BuiltinColumn = StandardColumn & { readonly bubble: NonNullable<StandardColumnSpec['bubble']> };

export const STANDARD_COLUMN_TABLE: readonly StandardColumn[] = TABLE;

/** The roles in table order. */
export const STANDARD_ROLES: readonly StandardRole[] = TABLE.map((c) => c.field);

/** The standard columns filled from Bubble's built-in fields, in table order. */
export const BUILTIN_COLUMNS: readonly BuiltinColumn[] = STANDARD_COLUMN_TABLE.filter((c): c is BuiltinColumn => c.bubble !== undefined);

/** The Bubble record key a built-in role is filled from. */
export function builtinKey(role: StandardRole): string {
  const column = BUILTIN_COLUMNS.find((c) => c.field === role);
  if (column === undefined) throw new Error(`${role} is not filled from a Bubble built-in field`);
  return column.bubble.key;
}
