/**
 * `Db` over a user's Prisma Client (the generated `syncAll`/`sync<Type>` path): raw SQL through
 * `$queryRawUnsafe`/`$executeRawUnsafe` and interactive `$transaction`. The client belongs to the user,
 * so `close()` leaves it connected.
 */
import type { PrismaLike, PrismaTransactionLike } from '../api.js';
import type { Db } from './types.js';
import { asDbError } from './errors.js';
import { savepoint } from './postgres.js';

/** Interactive transactions hold one page's upsert and its ledger row; the defaults (5 s) are too short for big pages on a slow link. */
const TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 10 * 60_000 };

export class PrismaDb implements Db {
  readonly kind = 'prisma' as const;
  /** The user's client (undefined on a transaction handle). */
  readonly prisma: PrismaLike | undefined;
  constructor(
    private readonly client: PrismaTransactionLike,
    private readonly root: PrismaLike | undefined,
    private readonly depth: number,
  ) {
    this.prisma = root;
  }

  async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      const rows = await this.client.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...params);
      return rows.map(normaliseRow) as T[];
    } catch (err) {
      throw asDbError(err);
    }
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    try {
      return await this.client.$executeRawUnsafe(sql, ...params);
    } catch (err) {
      throw asDbError(err);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.root) return savepoint(this, this.depth, fn, (d) => new PrismaDb(this.client, undefined, d));
    try {
      return await this.root.$transaction((tx) => fn(new PrismaDb(tx, undefined, 1)), TRANSACTION_OPTIONS);
    } catch (err) {
      throw asDbError(err);
    }
  }

  async close(): Promise<void> {
    // The user's client: they disconnect it.
  }
}

/** int8 arrives as BigInt from Prisma; the other Db kinds return a number, so this one does too. */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint') row[key] = Number(value);
  }
  return row;
}

export function dbFromPrisma(prisma: PrismaLike): Db {
  return new PrismaDb(prisma, prisma, 0);
}
