/**
 * Turning `/meta` plus sampled records into the v1 data dictionary, and merging it append-only over an
 * existing one. Pure functions: the same inputs give the same dictionary, field for field.
 */
import { appSchema, dictionarySchema, fieldSchema, typeSchema, unknownKeys } from '../../core/dictionary/schema.js';
import type { Dictionary, DictionaryField, DictionaryType } from '../../core/dictionary/schema.js';
import { BUILTIN_COLUMNS } from '../../core/standard-columns.js';
import type { BubbleMeta, BubbleMetaField } from '../bubble/types.js';
import { looseKey, matchSanitisedKeys } from './keys.js';
import { inferType, observe } from './observe.js';

type SampleRecord = Record<string, unknown>;

/** Built-in fields: always `_id`, `Created Date`, `Modified Date`; `Created By`/`Slug` when records carry them. */
const BUILTINS = BUILTIN_COLUMNS.map((c) => c.bubble);
const BUILTIN_KEYS = new Set(BUILTINS.map((b) => b.key));
/**
 * Built-ins as /meta may list them, by id or display (`_id` shows as "unique ID", `Created By` as
 * "Creator"): described by BUILTINS, and no evidence of how the app keys its records.
 */
const BUILTIN_META = new Set([...BUILTIN_KEYS, 'unique ID', 'Creator']);
const isBuiltinMeta = (field: BubbleMetaField): boolean => BUILTIN_META.has(field.id) || BUILTIN_META.has(field.display);

export interface BuildInput {
  meta: BubbleMeta;
  /** Sampled records per type name, in the order the API returned them. */
  samples: ReadonlyMap<string, readonly SampleRecord[]>;
  /** Types to describe, in order (default: every type /meta exposes). */
  types: readonly string[];
  appName: string;
}

/**
 * Whether record keys are display names ("captions" on) or internal ids: what /meta's
 * `app_data.use_captions_for_get` says; for apps whose /meta lacks it, judged from the samples —
 * whichever of a field's display name (exact or sanitised) or id the records use, built-ins aside.
 * No evidence → display names.
 */
export function detectCaptions(meta: BubbleMeta, samples: ReadonlyMap<string, readonly SampleRecord[]>): boolean {
  const flag = meta.app_data?.use_captions_for_get;
  if (typeof flag === 'boolean') return flag;
  let byDisplay = 0;
  let byId = 0;
  for (const [type, records] of samples) {
    const fields = (meta.types?.[type]?.fields ?? []).filter((f) => f.display !== f.id && !isBuiltinMeta(f));
    for (const record of records) {
      const loose = new Set(Object.keys(record).map(looseKey));
      for (const field of fields) {
        if (Object.prototype.hasOwnProperty.call(record, field.display)) byDisplay++;
        else if (Object.prototype.hasOwnProperty.call(record, field.id)) byId++;
        else if (loose.has(looseKey(field.display))) byDisplay++;
      }
    }
  }
  return byDisplay >= byId;
}

export function buildDictionary(input: BuildInput): Dictionary {
  const captions = detectCaptions(input.meta, input.samples);
  const types = input.types.map((name) => buildType(input, name, captions));
  return { version: 1, app: { name: input.appName, captions }, types };
}

function buildType(input: BuildInput, name: string, captions: boolean): DictionaryType {
  const described = input.meta.types?.[name];
  const records = input.samples.get(name) ?? [];
  const seenKeys = keysInOrder(records);
  const fields: DictionaryField[] = [];
  const taken = new Set<string>();
  const add = (field: DictionaryField): void => {
    if (taken.has(field.key)) return;
    taken.add(field.key);
    const observed = observe(records, field.key, field.type);
    fields.push(observed ? { ...field, observed } : field);
  };

  for (const builtin of BUILTINS) {
    if (builtin.always || seenKeys.includes(builtin.key))
      add({ key: builtin.key, display: builtin.display, type: builtin.type, builtin: true });
  }
  const declared = (described?.fields ?? []).filter((f) => !isBuiltinMeta(f) && (captions ? f.display : f.id));
  const keyOf = (field: BubbleMetaField): string => (captions ? field.display : field.id);
  // A record key that is a declared name as Bubble sanitised it stands for that field, not a new one.
  const sanitised = matchSanitisedKeys(declared.map(keyOf), seenKeys, BUILTIN_KEYS);
  for (const field of declared) {
    const key = sanitised.get(keyOf(field)) ?? keyOf(field);
    add({ key, id: field.id, display: field.display, type: field.type });
  }
  // Keys the records carry that /meta did not list (or /meta listed no fields at all).
  for (const key of seenKeys) {
    if (taken.has(key) || BUILTIN_KEYS.has(key)) continue;
    add({ key, display: key, type: inferType(records.map((r) => r[key])), inferred: true });
  }
  const type: DictionaryType = { name, display: described?.display ?? name, fields };
  if (records.length > 0) type.sampled = records.length;
  return type;
}

/** Record keys in order of first appearance across the sample. */
function keysInOrder(records: readonly SampleRecord[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  return [...seen];
}

/**
 * Append-only merge. Known types and fields keep their place; new ones are appended; those the app no
 * longer reports are kept and marked `removed` (and lose the mark when they come back). Types outside
 * `scope` (when given: the types named with `--types`) are kept exactly as they were. Keys this
 * release does not know (written by a newer one) are kept on the entries that carried them.
 */
export function mergeDictionary(existing: Dictionary | undefined, fresh: Dictionary, scope?: readonly string[]): Dictionary {
  if (!existing) return fresh;
  const freshTypes = new Map(fresh.types.map((t) => [t.name, t]));
  const inScope = scope ? new Set(scope) : undefined;
  const types: DictionaryType[] = existing.types.map((old) => {
    if (inScope && !inScope.has(old.name)) return old;
    const now = freshTypes.get(old.name);
    return now ? mergeType(old, now) : { ...old, removed: true };
  });
  const known = new Set(existing.types.map((t) => t.name));
  for (const t of fresh.types) if (!known.has(t.name)) types.push(t);
  return { ...unknownKeys(existing, dictionarySchema), version: 1, app: { ...unknownKeys(existing.app, appSchema), ...fresh.app }, types };
}

function mergeType(old: DictionaryType, now: DictionaryType): DictionaryType {
  const freshFields = new Map(now.fields.map((f) => [f.key, f]));
  const fields: DictionaryField[] = old.fields.map((field) => {
    const fresh = freshFields.get(field.key);
    return fresh ? { ...unknownKeys(field, fieldSchema), ...fresh } : { ...field, removed: true };
  });
  const known = new Set(old.fields.map((f) => f.key));
  for (const field of now.fields) if (!known.has(field.key)) fields.push(field);
  const { removed: _removed, ...rest } = now;
  return { ...unknownKeys(old, typeSchema), ...rest, fields };
}
