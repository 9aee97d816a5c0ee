/**
 * Limits PostgreSQL enforces only when a migration runs, checked before anything is written: at most
 * 1,600 columns per table (dropped columns keep their slot), and names of at most 63 bytes (longer
 * ones are cut silently, so the database would not hold the names the schema says).
 */
import type { Manifest } from '../../core/manifest/schema.js';
import { MAX_IDENTIFIER_BYTES, utf8ByteLength } from '../../core/sql.js';
import type { Db } from '../db/types.js';
import { BubbleError } from '../../core/errors.js';
import type { ScriptSummary } from './sql-script.js';

/** PostgreSQL's MaxHeapAttributeNumber. */
export const MAX_COLUMNS = 1600;

/** The new migration would break a database limit; nothing was written. */
export class MigrationLimitError extends BubbleError {
  constructor(message: string, hint: string) {
    super('MIGRATE_LIMIT', `${message} Nothing was written.`, { hint });
  }
}

export async function checkLimits(summary: ScriptSummary, db: Db, manifest?: Manifest): Promise<void> {
  const long = summary.identifiers.find((name) => utf8ByteLength(name) > MAX_IDENTIFIER_BYTES);
  if (long !== undefined) {
    throw new MigrationLimitError(
      `The migration names ${JSON.stringify(long)} (${utf8ByteLength(long)} bytes); PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES} bytes of a name.`,
      'Shorten that @map / @@map / map: name in the schema to at most 63 bytes (names the generator writes always fit).',
    );
  }
  const altered = summary.tables.filter((t) => !t.created && t.added.length > 0).map((t) => t.table);
  const used = altered.length === 0 ? new Map<string, number>() : await usedColumnSlots(db, altered);
  for (const change of summary.tables) {
    const slots = (change.created ? 0 : (used.get(change.table) ?? 0)) + change.added.length;
    if (slots <= MAX_COLUMNS) continue;
    const type = manifest?.types.find((t) => t.table === change.table);
    const what = type ? `Bubble type ${JSON.stringify(type.name)} (table "${change.table}")` : `Table "${change.table}"`;
    const count = change.created
      ? `would have ${slots.toLocaleString('en-US')} columns`
      : `would need column number ${slots.toLocaleString('en-US')} (PostgreSQL counts dropped columns too)`;
    const over = (slots - MAX_COLUMNS).toLocaleString('en-US');
    throw new MigrationLimitError(
      `${what} ${count}; PostgreSQL allows at most ${MAX_COLUMNS.toLocaleString('en-US')} in a table.`,
      type
        ? `Remove at least ${over} of its fields from the data dictionary (their values stay in "_unmapped"), run prisma generate, then migrate again.`
        : `Remove at least ${over} of its fields from the model, then run migrate again.`,
    );
  }
}

/** Highest column number in use per table (dropped columns included), for existing tables. */
async function usedColumnSlots(db: Db, tables: string[]): Promise<Map<string, number>> {
  const rows = await db.query<{ name: string; slots: number }>(
    `SELECT c.relname::text AS name, max(a.attnum)::int AS slots
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname = ANY($1::text[]) AND a.attnum > 0
      GROUP BY c.relname`,
    [tables],
  );
  return new Map(rows.map((r) => [r.name, Number(r.slots)]));
}
