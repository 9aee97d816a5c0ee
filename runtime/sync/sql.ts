/** Small SQL helpers for the sync-state tables (raw SQL: the runtime supplies ids and timestamps). */
import { randomUUID } from 'node:crypto';

/** Quotes an identifier for PostgreSQL. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Prisma's `DateTime` is `timestamp(3)` holding UTC. Write through `timestamptz AT TIME ZONE 'UTC'` and
 * read back the same way, so the session's time zone can never shift a value.
 */
export function utcParam(n: number): string {
  return `($${n}::timestamptz AT TIME ZONE 'UTC')`;
}
export const UTC_NOW = `(now() AT TIME ZONE 'UTC')`;
export function readUtc(column: string, alias: string): string {
  return `(${ident(column)} AT TIME ZONE 'UTC') AS ${ident(alias)}`;
}

/** Ids for state rows (Prisma's cuid() default does not fire for raw SQL). */
export function newId(): string {
  return randomUUID();
}

/** Coerces a count/int column (pg returns bigint aggregates as strings) to a number. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
