/** The runtime's database layer: open a Db, write pages, lock a run. */
export type { Db } from './types.js';
export { openDb, openDbFromEnv, DEFAULT_PGLITE_DIR, type OpenDbOptions } from './open.js';
export { openPostgres, PostgresDb } from './postgres.js';
export { openPglite, PgliteDb } from './pglite.js';
export { dbFromPrisma, PrismaDb } from './prisma.js';
export {
  prepareUpsert,
  buildUpsert,
  readColumnTypes,
  softDeleteUnseen,
  softDeleteUnseenSql,
  type UpsertRow,
  type PreparedUpsert,
  type ColumnTypes,
} from './upsert.js';
export {
  DatabaseUnreachableError,
  DatabaseConnectionLostError,
  PgliteLockedError,
  SyncLockedError,
  SyncLockLostError,
  SchemaMismatchError,
  isConnectionError,
  asDbError,
} from './errors.js';
export { acquireSyncLock, lockKey, type SyncLock, type SyncLockOptions } from './lock.js';
export { withConnectionRetry, connectionRetryBudgetMs, DEFAULT_DB_RETRY_MS, type ConnectionRetryOptions } from './retry.js';
