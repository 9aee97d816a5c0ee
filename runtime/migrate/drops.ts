/**
 * What a migration script would drop. Prisma's differ writes one statement per change with quoted
 * identifiers, e.g. `DROP TABLE "x";` and `ALTER TABLE "x" DROP COLUMN "y", ADD COLUMN …;` (a type
 * change it cannot cast is also written as DROP COLUMN + ADD COLUMN, which loses the data too).
 */
import type { ManifestSyncState } from '../../core/manifest/schema.js';
import { splitStatements, summariseScript, type Drop } from './sql-script.js';

export type { Drop } from './sql-script.js';

/**
 * Columns of the sync-state tables that earlier releases of the generator wrote and this one no longer
 * does (they were written and never read). `migrate` drops them without --allow-drop: no one reads what
 * they hold, and once the models file lacks them every later migration would propose the drop again.
 * Nothing else is ever dropped without the flag.
 */
export const RETIRED_STATE_COLUMNS: Readonly<Partial<Record<keyof ManifestSyncState, readonly string[]>>> = {
  jobTable: ['running', 'progress', 'current_table', 'last_sync'],
};

/** Whether `drop` removes a retired column of this schema's sync-state tables (`state` from its manifest). */
export function isRetiredStateColumn(drop: Drop, state: ManifestSyncState | undefined): boolean {
  if (drop.kind !== 'column' || state === undefined) return false;
  return Object.entries(RETIRED_STATE_COLUMNS).some(
    ([role, columns]) => state[role as keyof ManifestSyncState] === drop.table && columns.includes(drop.name),
  );
}

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
