/**
 * The data dictionary (v1): what `bubble-runtime introspect` writes and the generator reads.
 * See DESIGN.md "The data dictionary". New optional keys are fine; a breaking change bumps `version`.
 */
import { z } from 'zod';

export const BUILTIN_KEYS = ['_id', 'Created Date', 'Modified Date', 'Created By', 'Slug'] as const;

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
  .strict();

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
  .strict();

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
  .strict();

export const dictionarySchema = z
  .object({
    version: z.literal(1),
    app: z.object({ name: z.string(), captions: z.boolean().optional() }).strict(),
    types: z.array(typeSchema),
  })
  .strict();

export type Observed = z.infer<typeof observedSchema>;
export type DictionaryField = z.infer<typeof fieldSchema>;
export type DictionaryType = z.infer<typeof typeSchema>;
export type Dictionary = z.infer<typeof dictionarySchema>;
