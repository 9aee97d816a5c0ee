/**
 * Every reserved name, in one place. Field names are checked case-sensitively (Prisma and
 * JavaScript identifiers are case-sensitive); the sanitiser only produces field names that start
 * with a lower-case letter or `f`, so the lower-case entries are the ones that matter for fields.
 *
 * Sources, checked by experiment against Prisma 7.10 (`prisma validate` / getDMMF and the
 * `prisma-client` generator's own list, see docs/naming.md):
 * - model names the validator rejects: JS reserved words (lower-case), `PrismaClient`, scalar type
 *   names; the client generator also refuses `Prisma`, `AND`, `OR`, `NOT` and `using`.
 * - field names: the validator only rejects non-identifiers (leading `_` or digit, `-`), so the
 *   field list is about what breaks *generated code*: query arguments, object built-ins, JS words.
 */
import { STANDARD_COLUMN_TABLE } from '../../core/standard-columns.js';

/** JavaScript and TypeScript reserved and contextual words (the client generator's list plus TS). */
export const JS_RESERVED_WORDS: readonly string[] = [
  'async',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'using',
  'var',
  'void',
  'while',
  'with',
  'yield',
  // TypeScript keywords and globals that are awkward as property or type names.
  'abstract',
  'any',
  'arguments',
  'as',
  'asserts',
  'bigint',
  'boolean',
  'declare',
  'eval',
  'from',
  'get',
  'infer',
  'is',
  'keyof',
  'module',
  'namespace',
  'never',
  'number',
  'object',
  'of',
  'readonly',
  'require',
  'set',
  'string',
  'symbol',
  'type',
  'undefined',
  'unique',
  'unknown',
  'NaN',
  'Infinity',
];

/** Names that break generated objects (Object.prototype members, thenables, JSON). */
export const OBJECT_BREAKING_NAMES: readonly string[] = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'then',
  'toJSON',
];

/** Prisma's scalar type names (and `Unsupported`): reserved as field types and as model names. */
const PRISMA_TYPE_NAMES = ['String', 'Int', 'Float', 'Boolean', 'DateTime', 'Json', 'Bytes', 'Decimal', 'BigInt', 'Unsupported'] as const;

/** Prisma schema keywords, scalar types and attribute names. */
export const PRISMA_SCHEMA_WORDS: readonly string[] = [
  'model',
  'enum',
  'datasource',
  'generator',
  'view',
  'type',
  ...PRISMA_TYPE_NAMES,
  'id',
  'unique',
  'map',
  'default',
  'relation',
  'updatedAt',
  'ignore',
  'index',
  'db',
  'fulltext',
  'shardKey',
  'schema',
  'now',
  'cuid',
  'uuid',
  'autoincrement',
  'dbgenerated',
  'auto',
  'env',
];

/** Prisma Client argument and result keys: a field with one of these names shadows the API. */
export const PRISMA_CLIENT_WORDS: readonly string[] = [
  'select',
  'include',
  'omit',
  'where',
  'orderBy',
  'cursor',
  'take',
  'skip',
  'distinct',
  'data',
  'create',
  'update',
  'upsert',
  'connect',
  'connectOrCreate',
  'disconnect',
  'by',
  'having',
  'AND',
  'OR',
  'NOT',
  '_count',
  '_avg',
  '_sum',
  '_min',
  '_max',
  '_all',
  '_relevance',
];

/**
 * The Prisma field names the generator adds to every data model (Bubble's built-ins, the raw copy and
 * the sync bookkeeping: core/standard-columns.ts). A Bubble field never takes one of them.
 */
export const STANDARD_FIELD_NAMES: readonly string[] = STANDARD_COLUMN_TABLE.map((c) => c.field);

/** The database column names of the standard fields, in the same order as STANDARD_FIELD_NAMES. */
export const STANDARD_COLUMN_NAMES: readonly string[] = STANDARD_COLUMN_TABLE.map((c) => c.column);

/**
 * PostgreSQL's system column names: every table has them, so a user column cannot take them
 * ("column name "xmin" conflicts with a system column name"). `oid` is an ordinary column name
 * since PostgreSQL 12 and is not listed. Exact, lower-case: quoted `"XMIN"` is a different name.
 */
export const PG_SYSTEM_COLUMN_NAMES: readonly string[] = ['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid'];

/** Model names Prisma 7.10 or its client generator refuse (beyond JS reserved words). */
export const PRISMA_RESERVED_MODEL_NAMES: readonly string[] = ['PrismaClient', 'Prisma', 'AND', 'OR', 'NOT', ...PRISMA_TYPE_NAMES];

/**
 * Model and enum names this project generates or derives functions from. `All` because the
 * adapters export `syncAll` beside `sync<Model>`. The sync-state names get the modelPrefix too.
 */
export const GENERATED_MODEL_NAMES: readonly string[] = [
  'SyncJob',
  'SyncCursor',
  'SyncPage',
  'SyncReject',
  'SyncEvent',
  'SyncCursorStatus',
  'SyncJobStatus',
];
export const FUNCTION_CLASH_MODEL_NAMES: readonly string[] = ['All'];

const FIELD_RESERVED: ReadonlySet<string> = new Set([
  ...JS_RESERVED_WORDS,
  ...OBJECT_BREAKING_NAMES,
  ...PRISMA_SCHEMA_WORDS,
  ...PRISMA_CLIENT_WORDS,
  ...STANDARD_FIELD_NAMES,
]);

const MODEL_RESERVED: ReadonlySet<string> = new Set([
  ...JS_RESERVED_WORDS,
  ...OBJECT_BREAKING_NAMES,
  ...PRISMA_RESERVED_MODEL_NAMES,
  ...GENERATED_MODEL_NAMES,
  ...FUNCTION_CLASH_MODEL_NAMES,
]);

/** True when `name` may not be used as a Prisma field name of a generated model. */
export function isPrismaReservedWord(name: string): boolean {
  return FIELD_RESERVED.has(name);
}

/**
 * True when `name` may not be used as a model (or enum) name. With a `modelPrefix`, the
 * project's own generated names carry the prefix too (`BubbleSyncJob`), so those are reserved.
 */
export function isReservedModelName(name: string, modelPrefix = ''): boolean {
  if (MODEL_RESERVED.has(name)) return true;
  if (modelPrefix !== '' && name.startsWith(modelPrefix)) {
    const rest = name.slice(modelPrefix.length);
    return GENERATED_MODEL_NAMES.includes(rest) || FUNCTION_CLASH_MODEL_NAMES.includes(rest);
  }
  return false;
}

/** The field reserved set, for documentation and tests. */
export function reservedFieldNames(): string[] {
  return [...FIELD_RESERVED];
}

/** The model reserved set (without prefix-dependent names), for documentation and tests. */
export function reservedModelNames(): string[] {
  return [...MODEL_RESERVED];
}
