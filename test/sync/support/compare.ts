/** Compares the database with the app: every record, every field value, and nothing extra alive. */
import type { Manifest } from '../../../generator/manifest/types.js';
import type { Db } from '../../../runtime/db/types.js';
import type { BubbleRecord } from '../../../runtime/sync/ports.js';
import { compileConverter } from '../../../runtime/convert/index.js';
import { quoteIdent } from '../../../runtime/db/sql.js';

type Row = Record<string, unknown>;

/** JSON with object keys sorted: jsonb does not keep key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string).toISOString();
}

/** Dates (also inside lists) as ISO strings, so database values and converted values compare. */
function norm(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(norm);
  return v ?? null;
}

export async function mismatches(db: Db, manifest: Manifest, typeName: string, records: BubbleRecord[]): Promise<string[]> {
  const type = manifest.types.find((t) => t.name === typeName)!;
  const rows = await db.query<Row>(`SELECT * FROM ${quoteIdent(type.table)}`);
  const byId = new Map(rows.map((r) => [String(r._id), r]));
  const problems: string[] = [];
  // What each column must hold is what the value converter makes of the record (tested on its own).
  const converter = compileConverter(type);
  const wanted = new Set(records.map((r) => r._id));
  for (const record of records) {
    const row = byId.get(record._id);
    if (!row) {
      problems.push(`${typeName} ${record._id}: missing`);
      continue;
    }
    if (row._is_deleted) problems.push(`${typeName} ${record._id}: marked deleted`);
    if (canonical(row._raw) !== canonical(record)) problems.push(`${typeName} ${record._id}: _raw differs`);
    if (iso(row['Created Date']) !== iso(record['Created Date'])) problems.push(`${typeName} ${record._id}: Created Date`);
    if (iso(row['Modified Date']) !== iso(record['Modified Date'])) problems.push(`${typeName} ${record._id}: Modified Date`);
    const converted = converter.convert(record);
    if (canonical(row._unmapped ?? null) !== canonical(converted.unmapped ? { ...converted.unmapped } : null)) {
      problems.push(`${typeName} ${record._id}: _unmapped differs`);
    }
    for (const [i, c] of type.columns.entries()) {
      const want = norm(converted.values[i]);
      const got = norm(row[c.column]);
      if (canonical(got ?? null) !== canonical(want)) {
        problems.push(`${typeName} ${record._id}: ${c.key} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    }
  }
  for (const row of rows) {
    if (!wanted.has(String(row._id)) && !row._is_deleted) problems.push(`${typeName} ${String(row._id)}: extra row not marked deleted`);
  }
  return problems;
}
