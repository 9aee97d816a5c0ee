/**
 * What a migration script would drop. Prisma's differ writes one statement per change with quoted
 * identifiers, e.g. `DROP TABLE "x";` and `ALTER TABLE "x" DROP COLUMN "y", ADD COLUMN …;` (a type
 * change it cannot cast is also written as DROP COLUMN + ADD COLUMN, which loses the data too).
 */
import { splitStatements, summariseScript, type Drop } from './sql-script.js';

export type { Drop } from './sql-script.js';

export function findDrops(sql: string): Drop[] {
  return summariseScript(sql).drops;
}

export function describeDrop(d: Drop): string {
  return d.kind === 'column' ? `column "${d.table}"."${d.name}"` : `${d.kind} "${d.name}"`;
}

/** True when the script holds no statement (only comments and blank lines). */
export function isEmptyScript(sql: string | null | undefined): boolean {
  return !sql || splitStatements(sql).length === 0;
}
