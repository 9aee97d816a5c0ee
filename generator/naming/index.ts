/**
 * The naming API: Bubble names → Prisma identifiers, database identifiers and escaped literals.
 * See docs/naming.md for the rules.
 */
export {
  toSafePrismaFieldName,
  sanitiseFieldName,
  fallbackFieldName,
  validateFieldName,
  MAX_NAME_LENGTH,
  PRISMA_IDENTIFIER,
} from './field-name.js';
export type { NameAdjustment, NameValidation, SanitisedName } from './field-name.js';
export { NameSanitiser } from './sanitiser.js';
export type { NameSanitiserOptions } from './sanitiser.js';
export { CollisionTracker, detectCollision, generateUniqueFieldName, withNumericSuffix } from './collisions.js';
export type { CollisionRecord, CollisionTrackerOptions, DuplicateName } from './collisions.js';
export { toSafeModelName, sanitiseModelName, ModelNameRegistry, modelDelegateName, assertModelPrefix } from './model-name.js';
export {
  isPrismaReservedWord,
  isReservedModelName,
  reservedFieldNames,
  reservedModelNames,
  STANDARD_FIELD_NAMES,
  STANDARD_COLUMN_NAMES,
  PG_SYSTEM_COLUMN_NAMES,
  JS_RESERVED_WORDS,
  OBJECT_BREAKING_NAMES,
  PRISMA_SCHEMA_WORDS,
  PRISMA_CLIENT_WORDS,
  PRISMA_RESERVED_MODEL_NAMES,
  GENERATED_MODEL_NAMES,
  FUNCTION_CLASH_MODEL_NAMES,
} from './reserved.js';
export {
  DbIdentifierAllocator,
  safeDbIdentifier,
  safeConstraintName,
  safeTableName,
  createColumnAllocator,
  createTableAllocator,
  assertTablePrefix,
  MAX_TABLE_PREFIX_BYTES,
  truncateUtf8,
} from './db-identifier.js';
export { utf8ByteLength, MAX_IDENTIFIER_BYTES } from '../../core/sql.js';
export type { DbIdentifierAllocatorOptions } from './db-identifier.js';
export { prismaString, docComment, tsString, sqlIdent } from './escape.js';
export { shortHash, SHORT_HASH_LENGTH } from './hash.js';
export { NamingError } from './errors.js';
export { formatNamingEvents } from './report.js';
export type { NamingEvent, NamingEventKind } from './report.js';
export { SYMBOL_WORDS, splitWords, toAscii } from './transliterate.js';
export { isWellFormedUtf16, toWellFormedUtf16 } from './unicode.js';
