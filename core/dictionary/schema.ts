/**
 * The data dictionary (v1): what `bubble-runtime introspect` writes and the generator reads.
 * Forward-compatible within a major version: a newer release may add optional keys anywhere, and this
 * one accepts them (ignores them; introspect keeps them when it merges); a breaking change bumps
 * `version`, which older releases refuse with "upgrade".
 */
import { z } from 'zod';
import { BUILTIN_COLUMNS } from '../standard-columns.js';

/** Record keys of Bubble's built-in fields (they fill standard columns, never columns of their own). */
export const BUILTIN_KEYS: readonly string[] = BUILTIN_COLUMNS.map((c) => c.bubble.key);

export const observedSchema = z
  .object({
    /** Share of sampled records in which the field was present (0..1). */
    present: z.number().min(0).max(1),
    /** JSON value types seen: string, number, boolean, object, array, null. Sorted. */
    valueTypes: z.array(z.string()),
    /** How many sampled values did not convert to the declared type (e.g. text in a number field). */
    mismatches: z.number().int().min(0).optional(),
    /** Set when sampled values disagree with the declared type. */
    flagged: z.boolean().optional(),
  })
  .loose();

export const fieldSchema = z
  .object({
    /** The key in records: display name or id, by the app's caption setting. */
    key: z.string().min(1),
    /** Bubble's internal field id from /meta, when known. */
    id: z.string().optional(),
    display: z.string(),
    /** Bubble field type: text, number, boolean, date, date_range, number_range, geographic_address,
     * image, file, user, custom.<type>, option.<set>, list.<T>. Unknown types map to Json. */
    type: z.string().min(1),
    builtin: z.boolean().optional(),
    /** Kept (append-only dictionary) but no longer reported by the app. */
    removed: z.boolean().optional(),
    /** Where the field came from when /meta did not list it. */
    inferred: z.boolean().optional(),
    observed: observedSchema.optional(),
  })
  .loose();

export const typeSchema = z
  .object({
    /** API path of the type (lowercase, no spaces): /api/1.1/obj/<name>. */
    name: z.string().min(1),
    display: z.string(),
    removed: z.boolean().optional(),
    /** Records counted while sampling, when known. */
    sampled: z.number().int().min(0).optional(),
    fields: z.array(fieldSchema),
  })
  .loose();

export const appSchema = z.object({ name: z.string(), captions: z.boolean().optional() }).loose();

/** The dictionary format version this release reads and writes. */
export const DICTIONARY_VERSION = 1;

export const dictionarySchema = z
  .object({
    version: z.literal(DICTIONARY_VERSION),
    app: appSchema,
    types: z.array(typeSchema),
  })
  .loose();

export type Observed = z.infer<typeof observedSchema>;
export type DictionaryField = z.infer<typeof fieldSchema>;
export type DictionaryType = z.infer<typeof typeSchema>;
export type Dictionary = z.infer<typeof dictionarySchema>;

/**
 * The keys of `value` that `schema` does not define (written by a newer release), so that code
 * rebuilding an entry can carry them over.
 */
export function unknownKeys(value: object, schema: { shape: Record<string, unknown> }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !Object.prototype.hasOwnProperty.call(schema.shape, key)));
}
