/**
 * Bubble field key → Prisma field name in 8 steps (docs/naming.md):
 *  1. unicode: NFC + transliteration to ASCII, symbols spelt out (transliterate.ts)
 *  2. strip invalid characters (everything but A-Z a-z 0-9 separates words)
 *  3. empty after cleaning → fallback
 *  4. camelCase
 *  5. numeric start → prefix `f`
 *  6. reserved word → suffix `Field`
 *  7. truncate to 63 characters
 *  8. final fallback `field_` + short hash of the original — deterministic, never random
 */
import { shortHash } from './hash.js';
import { isPrismaReservedWord } from './reserved.js';
import { capitalise, decapitalise, splitWords } from './transliterate.js';

/** Longest Prisma name we emit (PostgreSQL's identifier limit; collision suffixes included). */
export const MAX_NAME_LENGTH = 63;

/** Prisma's identifier rule, as the validator applies it to fields and models. */
export const PRISMA_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What happened to a name on its way to a Prisma identifier (reported by the sanitisers). */
export type NameAdjustment = 'fallback' | 'numericStart' | 'reserved' | 'truncated';

export interface SanitisedName {
  name: string;
  adjustments: NameAdjustment[];
}

/** `field_` + short hash: the name of a key that has no usable letters or digits. */
export function fallbackFieldName(original: string): string {
  return `field_${shortHash(original)}`;
}

/** The 8 steps with a record of what was adjusted. */
export function sanitiseFieldName(original: string): SanitisedName {
  const adjustments: NameAdjustment[] = [];
  const words = splitWords(original);
  if (words.length === 0) return { name: fallbackFieldName(original), adjustments: ['fallback'] };

  let name = decapitalise(words[0]!) + words.slice(1).map(capitalise).join('');
  if (/^[0-9]/.test(name)) {
    name = `f${name}`;
    adjustments.push('numericStart');
  }
  if (isPrismaReservedWord(name)) {
    name = `${name}Field`;
    adjustments.push('reserved');
  }
  if (name.length > MAX_NAME_LENGTH) {
    name = name.slice(0, MAX_NAME_LENGTH);
    adjustments.push('truncated');
  }
  if (!PRISMA_IDENTIFIER.test(name) || isPrismaReservedWord(name)) {
    return { name: fallbackFieldName(original), adjustments: [...adjustments, 'fallback'] };
  }
  return { name, adjustments };
}

/** A valid, non-reserved Prisma field name for any string; the same input gives the same name. */
export function toSafePrismaFieldName(original: string): string {
  return sanitiseFieldName(original).name;
}

export type NameValidation = { valid: true } | { valid: false; reason: string };

/** Checks a field name against Prisma's rules and this project's reserved words. */
export function validateFieldName(name: string): NameValidation {
  if (name.length === 0) return { valid: false, reason: 'the name is empty' };
  if (name.length > MAX_NAME_LENGTH) {
    return { valid: false, reason: `the name is ${name.length} characters long (at most ${MAX_NAME_LENGTH})` };
  }
  if (!PRISMA_IDENTIFIER.test(name)) {
    return { valid: false, reason: 'the name must start with a letter and hold only letters, digits and _' };
  }
  if (isPrismaReservedWord(name)) return { valid: false, reason: `"${name}" is a reserved word` };
  return { valid: true };
}
