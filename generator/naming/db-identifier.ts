/**
 * Database identifiers (columns, tables). PostgreSQL silently truncates identifiers to 63 bytes
 * (NAMEDATALEN - 1, UTF-8), so two long Bubble keys sharing their first 63 bytes would become one
 * column. The original is kept byte-exact when it fits; otherwise it is cut on a UTF-8 character
 * boundary and tagged `_` + short hash of the original. Names are unique per scope, compared
 * case-sensitively (the generator always quotes them, and quoted identifiers are case-sensitive).
 */
import { MAX_IDENTIFIER_BYTES, utf8ByteLength } from '../../core/sql.js';
import { syncStateNames } from '../emit/sync-state.js';
import { shortHash, SHORT_HASH_LENGTH } from './hash.js';
import type { NamingEvent } from './report.js';
import { formatNamingEvents } from './report.js';
import { PG_SYSTEM_COLUMN_NAMES, STANDARD_COLUMN_NAMES } from './reserved.js';
import { isWellFormedUtf16, toWellFormedUtf16 } from './unicode.js';
import { NamingError } from './errors.js';
import { tsString } from './escape.js';

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Why a name cannot be used as is: too long, holds NUL, is empty, or holds a lone surrogate. */
function needsRewrite(name: string): boolean {
  return name.length === 0 || name.includes('\u0000') || !isWellFormedUtf16(name) || utf8ByteLength(name) > MAX_IDENTIFIER_BYTES;
}

/** `truncated-original_tag`: at most 63 bytes; `attempt` > 0 varies the tag on a clash. */
function taggedIdentifier(original: string, attempt: number, withoutQuotes = false): string {
  const kept = original.replaceAll('\u0000', '');
  const clean = toWellFormedUtf16(withoutQuotes ? kept.replaceAll('"', '') : kept);
  const tag = shortHash(attempt === 0 ? original : `${original}\u0000${attempt}`);
  return `${truncateUtf8(clean, MAX_IDENTIFIER_BYTES - 1 - SHORT_HASH_LENGTH)}_${tag}`;
}

export interface DbIdentifierAllocatorOptions {
  /** Names already taken in this scope (standard columns, sync-state tables). */
  reserved?: Iterable<string>;
  scope?: 'column' | 'table';
}

/** Hands out unique, ≤63-byte identifiers within one scope (a table's columns, or a schema's tables). */
export class DbIdentifierAllocator {
  private readonly used = new Set<string>();
  private readonly byOriginal = new Map<string, string>();
  private readonly events: NamingEvent[] = [];
  private readonly scope: 'column' | 'table';

  constructor(options: DbIdentifierAllocatorOptions = {}) {
    this.scope = options.scope ?? 'column';
    for (const name of options.reserved ?? []) this.used.add(name);
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  /** The identifier for `original`: itself when it fits and is free, else truncated + hash tag. */
  allocate(original: string): string {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    const name = safeDbIdentifier(original, this.used);
    if (name !== original) {
      const kind = needsRewrite(original)
        ? utf8ByteLength(original) > MAX_IDENTIFIER_BYTES
          ? 'truncated'
          : 'unstorable'
        : this.scope === 'column' && SYSTEM_COLUMNS.has(original)
          ? 'system'
          : 'collision';
      this.events.push({ kind, scope: this.scope, original, name, ...(kind === 'collision' ? { base: original } : {}) });
    }
    this.byOriginal.set(original, name);
    return name;
  }

  report(): readonly NamingEvent[] {
    return this.events;
  }

  formatReport(): string {
    return formatNamingEvents(this.events);
  }
}

/**
 * A database identifier for `name`, unique in `used` (and added to it): `name` itself when it is
 * at most 63 UTF-8 bytes, non-empty, NUL-free and free; otherwise truncated + `_` + hash tag.
 */
export function safeDbIdentifier(name: string, used: Set<string>): string {
  let candidate = name;
  for (let attempt = 0; needsRewrite(candidate) || used.has(candidate); attempt += 1) {
    candidate = taggedIdentifier(name, attempt);
  }
  used.add(candidate);
  return candidate;
}

/**
 * A name for a constraint or index: like `safeDbIdentifier`, and also never holding `"` — Prisma's
 * schema engine writes such names into migration scripts without doubling the quote. A name that
 * has to change loses its quotes and gets the hash tag of the wanted name.
 */
export function safeConstraintName(wanted: string, used: Set<string>): string {
  let candidate = wanted;
  for (let attempt = 0; needsRewrite(candidate) || candidate.includes('"') || used.has(candidate); attempt += 1) {
    candidate = taggedIdentifier(wanted, attempt, true);
  }
  used.add(candidate);
  return candidate;
}

const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(PG_SYSTEM_COLUMN_NAMES);

/** Column allocator for one data table: the standard columns and PostgreSQL's system columns are taken up front. */
export function createColumnAllocator(): DbIdentifierAllocator {
  return new DbIdentifierAllocator({ reserved: [...STANDARD_COLUMN_NAMES, ...PG_SYSTEM_COLUMN_NAMES], scope: 'column' });
}

/** Longest `tablePrefix`: the longest sync-state table name (`sync_cursors`) plus room to grow stays ≤ 63 bytes. */
export const MAX_TABLE_PREFIX_BYTES = 40;

const PREFIX_FORBIDDEN = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/;

/**
 * A `tablePrefix` goes unchanged into every table name, the sync-state tables' included, so it must be
 * writable anywhere a table name is (Prisma strings, SQL, file headers): no `"`, no `\`, no control
 * characters or line separators, well-formed Unicode, at most 40 bytes.
 */
export function assertTablePrefix(prefix: string): void {
  const bad = PREFIX_FORBIDDEN.exec(prefix)?.[0] ?? (isWellFormedUtf16(prefix) ? undefined : 'a lone surrogate');
  if (bad !== undefined || utf8ByteLength(prefix) > MAX_TABLE_PREFIX_BYTES) {
    const why =
      bad === undefined ? `is ${utf8ByteLength(prefix)} bytes long (at most ${MAX_TABLE_PREFIX_BYTES})` : `holds ${describeChar(bad)}`;
    throw new NamingError(
      `tablePrefix ${tsString(prefix)} ${why}`,
      `any characters except " and \\ and control characters, at most ${MAX_TABLE_PREFIX_BYTES} bytes, e.g. tablePrefix = "bubble_"`,
    );
  }
}

/** `"\""` and `"\\"` as themselves; control characters and separators by code point (U+000A). */
function describeChar(c: string): string {
  if (c.length !== 1) return c;
  return c === '"' || c === '\\' ? JSON.stringify(c) : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Table allocator for one schema: the sync-state tables (with the tablePrefix) are taken up front. */
export function createTableAllocator(tablePrefix = ''): DbIdentifierAllocator {
  assertTablePrefix(tablePrefix);
  const state = syncStateNames('', tablePrefix);
  return new DbIdentifierAllocator({
    reserved: [state.jobTable, state.cursorTable, state.pageTable, state.rejectTable, state.eventTable],
    scope: 'table',
  });
}

/** A safe table name for `tablePrefix + typeName`, unique in `used` (and added to it). */
export function safeTableName(name: string, used: Set<string> = new Set()): string {
  return safeDbIdentifier(name, used);
}
