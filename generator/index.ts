/**
 * `prisma-generator-bubble`: the naming API documented in docs/naming.md — Bubble names → Prisma
 * identifiers, database identifiers and escaped literals. The generator itself runs through the
 * `prisma-generator-bubble` bin; the sync runtime is `prisma-generator-bubble/runtime`.
 */
export {
  toSafePrismaFieldName,
  validateFieldName,
  NameSanitiser,
  CollisionTracker,
  detectCollision,
  generateUniqueFieldName,
  toSafeModelName,
  ModelNameRegistry,
  modelDelegateName,
  DbIdentifierAllocator,
  createColumnAllocator,
  createTableAllocator,
  safeDbIdentifier,
  safeTableName,
  safeConstraintName,
  assertTablePrefix,
  STANDARD_FIELD_NAMES,
  STANDARD_COLUMN_NAMES,
  prismaString,
  docComment,
  tsString,
  sqlIdent,
  NamingError,
} from './naming/index.js';
export type {
  NameAdjustment,
  NameValidation,
  NameSanitiserOptions,
  CollisionRecord,
  CollisionTrackerOptions,
  DuplicateName,
  DbIdentifierAllocatorOptions,
  NamingEvent,
  NamingEventKind,
} from './naming/index.js';
