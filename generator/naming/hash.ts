/**
 * Short, deterministic tags for names that must be shortened or invented. The same input always
 * yields the same tag, so the same dictionary always produces the same schema (never random).
 */
import { createHash } from 'node:crypto';

/** Length of every tag `shortHash` returns. */
export const SHORT_HASH_LENGTH = 8;

/**
 * 8 lower-case base-36 characters from the first 40 bits of sha256(UTF-8 of `text`).
 * 36^8 > 2^40, so the tag is a fixed-width, zero-padded encoding of those 40 bits.
 */
export function shortHash(text: string): string {
  const hex = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 10);
  return Number.parseInt(hex, 16).toString(36).padStart(SHORT_HASH_LENGTH, '0');
}
