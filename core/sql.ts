/**
 * PostgreSQL identifiers and literals as SQL text: the one place names are quoted, for the runtime's
 * raw SQL (upserts, sync state, migrations) and the generator's checks alike.
 */

/** PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1): longer names are cut silently. */
export const MAX_IDENTIFIER_BYTES = 63;

const encoder = new TextEncoder();

/** Length of `text` in UTF-8 bytes, the unit PostgreSQL's identifier limit counts in. */
export function utf8ByteLength(text: string): number {
  // Fast path: pure ASCII (the common case) is one byte per code unit.
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** Quotes an identifier (any characters, including `"`), as PostgreSQL expects. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
