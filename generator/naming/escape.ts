/**
 * Escaping a name for each place it is written. Prisma's string lexer (7.10, checked with getDMMF)
 * accepts the JSON escapes `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` and `\uXXXX` (surrogate pairs
 * for astral characters), rejects raw tabs and other raw control characters inside a string, and
 * rejects `\u{…}`, `\0`, `\x..` and escaped lone surrogates.
 */
import { quoteIdent } from '../../core/sql.js';
import { NamingError } from './errors.js';
import { isWellFormedUtf16 } from './unicode.js';

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// C0 controls, DEL, C1 controls, and the two line/paragraph separators (which some editors and
// older JavaScript engines treat as line ends) are always written as escapes.

const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

function escapeChar(char: string): string {
  return SHORT_ESCAPES[char] ?? hex4(char.charCodeAt(0));
}

function assertWellFormed(text: string, where: string): void {
  if (!isWellFormedUtf16(text)) {
    throw new NamingError(
      `cannot write ${JSON.stringify(text)} into ${where}: it holds a lone UTF-16 surrogate, which no UTF-8 file can represent`,
      'rename the Bubble field or type so its name is valid Unicode',
    );
  }
}

/**
 * A Prisma string literal, quotes included, for `@map("…")` / `@@map("…")`: parses back to
 * exactly `text` (emoji, quotes, backslashes, newlines, tabs and comment terminators included).
 */
export function prismaString(text: string): string {
  assertWellFormed(text, 'a Prisma string');
  return `"${text.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

/**
 * The body of a `///` comment holding `text`: its JSON encoding (so a newline cannot end the
 * comment), with every star-slash written `*\/` (valid JSON) because Prisma copies `///` comments into JSDoc
 * blocks of the generated client. Write it as `/// ${docComment(key)}`.
 */
export function docComment(text: string): string {
  return JSON.stringify(text)
    .replace(/[\u2028\u2029]/g, (c) => hex4(c.charCodeAt(0)))
    .replaceAll('*/', '*\\/');
}

/** A double-quoted TypeScript/JavaScript string literal equal to `text` (valid JSON too). */
export function tsString(text: string): string {
  // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates; the line
  // separators are escaped as well so the output is safe in any JavaScript version.
  return JSON.stringify(text).replace(/[\u2028\u2029]/g, (c) => hex4(c.charCodeAt(0)));
}

/** A quoted PostgreSQL identifier: `"` doubled. Rejects what PostgreSQL cannot hold. */
export function sqlIdent(name: string): string {
  if (name.length === 0) throw new NamingError('an SQL identifier cannot be empty');
  if (name.includes('\u0000')) {
    throw new NamingError(
      `the SQL identifier ${JSON.stringify(name)} holds a NUL character, which PostgreSQL cannot store`,
      'allocate database names with DbIdentifierAllocator, which removes NUL characters',
    );
  }
  assertWellFormed(name, 'an SQL identifier');
  return quoteIdent(name);
}
