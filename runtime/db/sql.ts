/** SQL text helpers shared by the upsert, the lock and the migrations. */

/** Quotes an identifier (any bytes, including `"`), as PostgreSQL expects. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
