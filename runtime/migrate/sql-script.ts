/**
 * Reading migration scripts: a PostgreSQL tokenizer that knows quoted identifiers, string literals
 * and comments, so a `;`, `--` or `"` inside a Bubble name is never taken for SQL structure, and
 * what a script does to tables (`CREATE TABLE`, `ALTER TABLE … ADD/DROP/ALTER COLUMN`, drops) as
 * Prisma's differ writes it.
 */

export interface Token {
  kind: 'ident' | 'word' | 'string' | 'number' | 'punct';
  /** Identifiers unquoted (`""` → `"`); words upper-cased; punctuation as is. */
  text: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The script's tokens, comments and whitespace left out. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === '"') {
      const [text, next] = readQuoted(sql, i, '"', false);
      tokens.push({ kind: 'ident', text });
      i = next;
    } else if (c === "'") {
      const [text, next] = readQuoted(sql, i, "'", false);
      tokens.push({ kind: 'string', text });
      i = next;
    } else if ((c === 'E' || c === 'e') && sql[i + 1] === "'") {
      const [text, next] = readQuoted(sql, i + 1, "'", true);
      tokens.push({ kind: 'string', text });
      i = next;
    } else if (c === '$' && /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end === -1 ? n : end;
      tokens.push({ kind: 'string', text: sql.slice(i + tag.length, stop) });
      i = end === -1 ? n : end + tag.length;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j]!)) j += 1;
      tokens.push({ kind: 'word', text: sql.slice(i, j).toUpperCase() });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE]/.test(sql[j]!)) j += 1;
      tokens.push({ kind: 'number', text: sql.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i += 1;
    }
  }
  return tokens;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return i;
}

/** Reads `q…q` from `start` (at the opening quote), a doubled quote standing for one. */
function readQuoted(sql: string, start: number, q: string, backslashes: boolean): [string, number] {
  let text = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashes && c === '\\' && i + 1 < sql.length) {
      text += sql[i + 1];
      i += 2;
    } else if (c === q) {
      if (sql[i + 1] === q) {
        text += q;
        i += 2;
      } else {
        return [text, i + 1];
      }
    } else {
      text += c;
      i += 1;
    }
  }
  return [text, i];
}

/** Statements as token lists, split at top-level `;` (empty statements left out). */
export function splitStatements(sql: string): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind === 'punct' && token.text === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/** What one script does to one table. Column names as in the database. */
export interface TableChange {
  table: string;
  /** Created by the script (with `columns`), rather than altered. */
  created: boolean;
  /** Columns of a created table, or columns added to an existing one. */
  added: string[];
  dropped: string[];
  /** Columns whose type changes in place (`ALTER COLUMN … TYPE`). */
  retyped: string[];
}

export interface Drop {
  kind: 'table' | 'column' | 'type';
  table?: string;
  name: string;
}

export interface ScriptSummary {
  statements: number;
  /** Tables created or altered, in order of first appearance. */
  tables: TableChange[];
  drops: Drop[];
  /** Every quoted identifier the script names. */
  identifiers: string[];
}

const TABLE_CONSTRAINTS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN', 'EXCLUDE', 'LIKE']);

export function summariseScript(sql: string): ScriptSummary {
  const statements = splitStatements(sql);
  const tables = new Map<string, TableChange>();
  const drops: Drop[] = [];
  const identifiers: string[] = [];
  const tableChange = (table: string): TableChange => {
    let change = tables.get(table);
    if (!change) tables.set(table, (change = { table, created: false, added: [], dropped: [], retyped: [] }));
    return change;
  };
  for (const tokens of statements) {
    for (const t of tokens) if (t.kind === 'ident') identifiers.push(t.text);
    const s = new Cursor(tokens);
    if (s.words('CREATE', 'TABLE')) {
      s.words('IF', 'NOT', 'EXISTS');
      const table = s.qualifiedName();
      if (table === undefined || !s.punct('(')) continue;
      const change = tableChange(table);
      change.created = true;
      for (const item of s.groupItems()) {
        const first = item[0];
        if (first?.kind === 'ident') change.added.push(first.text);
        else if (first?.kind === 'word' && !TABLE_CONSTRAINTS.has(first.text)) change.added.push(first.text.toLowerCase());
      }
    } else if (s.words('ALTER', 'TABLE')) {
      s.words('IF', 'EXISTS');
      s.words('ONLY');
      const table = s.qualifiedName();
      if (table === undefined) continue;
      for (const action of splitTopLevel(s.rest())) alterAction(action, table, tableChange, drops);
    } else if (s.words('DROP', 'TABLE')) {
      s.words('IF', 'EXISTS');
      for (const name of s.qualifiedNames()) drops.push({ kind: 'table', name });
    } else if (s.words('DROP', 'TYPE')) {
      s.words('IF', 'EXISTS');
      for (const name of s.qualifiedNames()) drops.push({ kind: 'type', name });
    }
  }
  return { statements: statements.length, tables: [...tables.values()], drops, identifiers };
}

function alterAction(action: Token[], table: string, tableChange: (t: string) => TableChange, drops: Drop[]): void {
  const a = new Cursor(action);
  if (a.words('ADD')) {
    const explicit = a.words('COLUMN');
    if (!explicit && a.peekWord(TABLE_CONSTRAINTS)) return;
    a.words('IF', 'NOT', 'EXISTS');
    const column = a.name();
    if (column !== undefined) tableChange(table).added.push(column);
  } else if (a.words('DROP')) {
    const explicit = a.words('COLUMN');
    if (!explicit && a.peekWord(new Set(['CONSTRAINT']))) return;
    a.words('IF', 'EXISTS');
    const column = a.name();
    if (column === undefined) return;
    tableChange(table).dropped.push(column);
    drops.push({ kind: 'column', table, name: column });
  } else if (a.words('ALTER')) {
    a.words('COLUMN');
    const column = a.name();
    if (column !== undefined && (a.words('TYPE') || a.words('SET', 'DATA', 'TYPE'))) tableChange(table).retyped.push(column);
  }
}

/** Splits tokens at commas outside parentheses. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') depth += 1;
    if (t.kind === 'punct' && t.text === ')') depth -= 1;
    if (depth === 0 && t.kind === 'punct' && t.text === ',') {
      parts.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** A read position in one statement's tokens. */
class Cursor {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** Consumes the words when they come next, in order; else consumes nothing. */
  words(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const t = this.tokens[this.i + k];
      if (!t || t.kind !== 'word' || t.text !== words[k]) return false;
    }
    this.i += words.length;
    return true;
  }

  peekWord(set: ReadonlySet<string>): boolean {
    const t = this.tokens[this.i];
    return t !== undefined && t.kind === 'word' && set.has(t.text);
  }

  punct(p: string): boolean {
    const t = this.tokens[this.i];
    if (!t || t.kind !== 'punct' || t.text !== p) return false;
    this.i += 1;
    return true;
  }

  /** An identifier: quoted as written, unquoted as PostgreSQL folds it (lower case). */
  name(): string | undefined {
    const t = this.tokens[this.i];
    if (!t || (t.kind !== 'ident' && t.kind !== 'word')) return undefined;
    this.i += 1;
    return t.kind === 'ident' ? t.text : t.text.toLowerCase();
  }

  /** `name` or `schema.name`: the name. */
  qualifiedName(): string | undefined {
    const first = this.name();
    if (first === undefined) return undefined;
    return this.punct('.') ? this.name() : first;
  }

  qualifiedNames(): string[] {
    const names: string[] = [];
    for (let name = this.qualifiedName(); name !== undefined; name = this.punct(',') ? this.qualifiedName() : undefined) names.push(name);
    return names;
  }

  /** Items of a parenthesised, comma-separated list the cursor is just inside of. */
  groupItems(): Token[][] {
    const inside: Token[] = [];
    let depth = 1;
    for (; this.i < this.tokens.length; this.i++) {
      const t = this.tokens[this.i]!;
      if (t.kind === 'punct' && t.text === '(') depth += 1;
      if (t.kind === 'punct' && t.text === ')' && --depth === 0) break;
      inside.push(t);
    }
    return splitTopLevel(inside);
  }

  rest(): Token[] {
    return this.tokens.slice(this.i);
  }
}
