/**
 * The runtime's one view of a database. Implementations: pg.Pool (PostgreSQL, `DATABASE_URL`), PGlite
 * (embedded default, `./.bubble/pglite`), and a user's Prisma Client (`$queryRawUnsafe`,
 * `$executeRawUnsafe`, interactive `$transaction`) for the generated `syncAll`/`sync<Type>`.
 * Parameters are positional ($1, $2, …); arrays are passed as JS arrays.
 */
export interface Db {
  readonly kind: 'postgres' | 'pglite' | 'prisma';
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Returns the affected row count. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
