/**
 * Compares the database with the app: every record, every field value, and nothing extra alive. What a
 * column must hold is what the value converter makes of the record (tested on its own), stored as
 * docs/type-mapping.md says PostgreSQL can hold it: lone surrogates and U+0000 as U+FFFD, JSON below
 * level 5,000 as its JSON text. JSON columns are read as text and compared by value (key order, and
 * numbers as values: jsonb prints `1e400` as a 1 and 400 zeros), so no precision is lost on the way.
 */
import type { Manifest, ManifestType } from '../../../core/manifest/schema.js';
import type { Db } from '../../../runtime/db/types.js';
import type { BubbleRecord } from '../../../runtime/sync/ports.js';
import { compileConverter } from '../../../runtime/convert/index.js';
import { quoteIdent } from '../../../core/sql.js';
import { canonicalDecimal, parseJson, stringifyJson } from '../../../runtime/convert/json.js';
import { MAX_JSON_DEPTH } from '../../../runtime/db/encode.js';

type Row = Record<string, unknown>;

/** A string as PostgreSQL can store it, written independently of the encoder: lone surrogates and NUL → U+FFFD. */
export function storedText(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed().replace(/\u0000/g, '\uFFFD');
}

/** JSON compared by value: keys sorted, numbers as canonical decimals; any depth. */
function canonical(v: unknown): string {
  return stringifyJson(v ?? null, { sortKeys: true, mapNumber: canonicalDecimal })!;
}

/** What a JSON column holds for `v`, compared by value. */
function storedJson(v: unknown): string {
  return canonical(parseJson(stringifyJson(v, { mapString: storedText, maxDepth: MAX_JSON_DEPTH })!));
}

function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string).toISOString();
}

/** A column's non-JSON value as stored: dates (also inside lists) as ISO strings, text as stored. */
function stored(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return storedText(v);
  if (Array.isArray(v)) return v.map(stored);
  return v ?? null;
}

function readable(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(readable);
  return v ?? null;
}

const isJson = (pgType: string): boolean => /^jsonb?$/.test(pgType);

/** Rows of `type` by stored `_id`, with every JSON column as its text parsed losslessly. */
async function readRows(db: Db, type: ManifestType): Promise<Map<string, { row: Row; json: Map<string, unknown> }>> {
  const q = quoteIdent;
  const s = type.standard;
  const jsonColumns = [s.raw, s.unmapped, ...type.columns.filter((c) => isJson(c.pgType)).map((c) => c.column)];
  const rows = await db.query<Row>(`SELECT * FROM ${q(type.table)}`);
  const texts = await db.query<Row>(
    `SELECT ${q(s.bubbleId)} AS k, ${jsonColumns.map((c, i) => `${q(c)}::text AS j${i}`).join(', ')} FROM ${q(type.table)}`,
  );
  const jsonById = new Map(
    texts.map((t) => [String(t.k), new Map(jsonColumns.map((c, i) => [c, t[`j${i}`] === null ? null : parseJson(String(t[`j${i}`]))]))]),
  );
  return new Map(rows.map((row) => [String(row[s.bubbleId]), { row, json: jsonById.get(String(row[s.bubbleId]))! }]));
}

export async function mismatches(db: Db, manifest: Manifest, typeName: string, records: BubbleRecord[]): Promise<string[]> {
  const type = manifest.types.find((t) => t.name === typeName)!;
  const s = type.standard;
  const rows = await readRows(db, type);
  const problems: string[] = [];
  const converter = compileConverter(type);
  // Records that cannot be keyed are not rows (they are kept in the rejects table).
  const keyed = records.filter((r) => typeof r._id === 'string' && r._id !== '');
  const wanted = new Set(keyed.map((r) => storedText(r._id)));
  for (const record of keyed) {
    const id = storedText(record._id);
    const found = rows.get(id);
    if (!found) {
      problems.push(`${typeName} ${id}: missing`);
      continue;
    }
    const { row, json } = found;
    if (row[s.isDeleted]) problems.push(`${typeName} ${id}: marked deleted`);
    if (canonical(json.get(s.raw)) !== storedJson(record)) problems.push(`${typeName} ${id}: _raw differs`);
    if (iso(row[s.bubbleCreatedAt]) !== iso(record['Created Date'])) problems.push(`${typeName} ${id}: Created Date`);
    if (iso(row[s.bubbleModifiedAt]) !== iso(record['Modified Date'])) problems.push(`${typeName} ${id}: Modified Date`);
    const converted = converter.convert(record);
    if (canonical(json.get(s.unmapped)) !== (converted.unmapped ? storedJson({ ...converted.unmapped }) : canonical(null))) {
      problems.push(`${typeName} ${id}: _unmapped differs`);
    }
    for (const [i, c] of type.columns.entries()) {
      const value = converted.values[i];
      const same = isJson(c.pgType)
        ? canonical(json.get(c.column)) === (value === null || value === undefined ? canonical(null) : storedJson(value))
        : canonical(readable(row[c.column])) === canonical(stored(value));
      if (!same) {
        const got = isJson(c.pgType) ? canonical(json.get(c.column)) : canonical(readable(row[c.column]));
        problems.push(`${typeName} ${id}: ${c.key} = ${got.slice(0, 200)}, expected ${canonical(stored(value)).slice(0, 200)}`);
      }
    }
  }
  for (const [id, { row }] of rows) {
    if (!wanted.has(id) && !row[s.isDeleted]) problems.push(`${typeName} ${id}: extra row not marked deleted`);
  }
  return problems;
}
