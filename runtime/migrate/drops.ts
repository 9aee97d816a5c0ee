/**
 * Finds what a migration script would drop. Prisma's differ writes one statement per change with
 * quoted identifiers, e.g. `DROP TABLE "x";` and `ALTER TABLE "x" DROP COLUMN "y", ADD COLUMN …;`
 * (a type change it cannot cast is also written as DROP COLUMN + ADD COLUMN, which loses the data too).
 */
export interface Drop {
  kind: 'table' | 'column' | 'type';
  table?: string;
  name: string;
}

const IDENT = String.raw`"((?:[^"]|"")*)"`;
const QUALIFIED = String.raw`(?:"(?:[^"]|"")*"\.)?${IDENT}`;

export function findDrops(sql: string): Drop[] {
  const drops: Drop[] = [];
  for (const statement of splitStatements(sql)) {
    let m = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}`, 'i').exec(statement);
    if (m) {
      drops.push({ kind: 'table', name: unquote(m[1]!) });
      continue;
    }
    m = new RegExp(String.raw`^DROP\s+TYPE\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}`, 'i').exec(statement);
    if (m) {
      drops.push({ kind: 'type', name: unquote(m[1]!) });
      continue;
    }
    m = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:ONLY\s+)?${QUALIFIED}`, 'i').exec(statement);
    if (m) {
      const table = unquote(m[1]!);
      for (const c of statement.matchAll(new RegExp(String.raw`DROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?${IDENT}`, 'gi'))) {
        drops.push({ kind: 'column', table, name: unquote(c[1]!) });
      }
    }
  }
  return drops;
}

export function describeDrop(d: Drop): string {
  return d.kind === 'column' ? `column "${d.table}"."${d.name}"` : `${d.kind} "${d.name}"`;
}

/** Statements without comment lines (Prisma puts `-- CreateTable` style comments before each). */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** True when the script holds no statement (only comments and blank lines). */
export function isEmptyScript(sql: string | null | undefined): boolean {
  return !sql || splitStatements(sql).length === 0;
}

function unquote(s: string): string {
  return s.replace(/""/g, '"');
}
