/** The one-screen account of an introspect run: types, fields, flagged, unseen and inferred fields, changes. */
import type { Dictionary } from '../../core/dictionary/schema.js';

export interface IntrospectSummary {
  app: string;
  captions: boolean;
  types: Array<{ name: string; fields: number; sampled: number; removed: boolean }>;
  fields: number;
  /** Fields whose sampled values disagree with the declared type. */
  flagged: Array<{ type: string; key: string; declared: string; seen: string[]; mismatches: number; sampled: number }>;
  /** Fields /meta declares that no sampled record carried (empty in every sample, or keyed in a way not recognised). */
  unseen: Array<{ type: string; key: string; sampled: number }>;
  /** Fields found in records but not in /meta. */
  inferred: Array<{ type: string; key: string; type_: string }>;
  added: { types: number; fields: number };
  removed: { types: number; fields: number };
  written: boolean;
}

export function summarize(
  dictionary: Dictionary,
  before: Dictionary | undefined,
  scope: readonly string[],
  written: boolean,
): IntrospectSummary {
  const inScope = dictionary.types.filter((t) => scope.includes(t.name));
  const oldTypes = new Map((before?.types ?? []).map((t) => [t.name, t]));
  let addedTypes = 0;
  let addedFields = 0;
  let removedTypes = 0;
  let removedFields = 0;
  for (const t of inScope) {
    const old = oldTypes.get(t.name);
    if (!old) addedTypes++;
    if (t.removed && !old?.removed) removedTypes++;
    const oldKeys = new Map((old?.fields ?? []).map((f) => [f.key, f]));
    for (const f of t.fields) {
      const was = oldKeys.get(f.key);
      if (!was && before) addedFields++;
      if (f.removed && !was?.removed) removedFields++;
    }
  }
  return {
    app: dictionary.app.name,
    captions: dictionary.app.captions ?? true,
    types: inScope.map((t) => ({
      name: t.name,
      fields: t.fields.filter((f) => !f.removed).length,
      sampled: t.sampled ?? 0,
      removed: t.removed === true,
    })),
    fields: inScope.reduce((n, t) => n + t.fields.filter((f) => !f.removed).length, 0),
    flagged: inScope.flatMap((t) =>
      t.fields
        .filter((f) => f.observed?.flagged && !f.removed)
        .map((f) => ({
          type: t.name,
          key: f.key,
          declared: f.type,
          seen: f.observed?.valueTypes ?? [],
          mismatches: f.observed?.mismatches ?? 0,
          sampled: t.sampled ?? 0,
        })),
    ),
    unseen: inScope.flatMap((t) =>
      t.fields
        .filter((f) => !f.builtin && !f.inferred && !f.removed && f.observed?.present === 0)
        .map((f) => ({ type: t.name, key: f.key, sampled: t.sampled ?? 0 })),
    ),
    inferred: inScope.flatMap((t) =>
      t.fields.filter((f) => f.inferred && !f.removed).map((f) => ({ type: t.name, key: f.key, type_: f.type })),
    ),
    added: { types: before ? addedTypes : 0, fields: addedFields },
    removed: { types: removedTypes, fields: removedFields },
    written,
  };
}

/** Unseen fields named on screen; the rest are counted (all are in --json). */
const UNSEEN_SHOWN = 12;

/** Plain text for the terminal; `bold` wraps headings (identity when colour is off). */
export function renderSummary(summary: IntrospectSummary, out: string | undefined, bold: (s: string) => string = (s) => s): string {
  const lines: string[] = [];
  const where = out ? (summary.written ? ` → wrote ${out}` : ` → ${out} unchanged`) : '';
  lines.push(
    bold(`Introspected ${summary.app}: ${summary.types.filter((t) => !t.removed).length} types, ${summary.fields} fields${where}`),
  );
  const width = Math.max(...summary.types.map((t) => t.name.length), 4);
  for (const t of summary.types) {
    lines.push(
      `  ${t.name.padEnd(width)}  ${String(t.fields).padStart(3)} fields  ${String(t.sampled).padStart(4)} sampled${t.removed ? '  (no longer exposed: kept, marked removed)' : ''}`,
    );
  }
  if (summary.flagged.length > 0) {
    lines.push(bold(`Flagged: ${summary.flagged.length} field(s) whose values disagree with their declared type`));
    for (const f of summary.flagged) {
      lines.push(
        `  ${f.type}.${JSON.stringify(f.key)}  declared ${f.declared}, saw ${f.seen.join('+')} (${f.mismatches} of ${f.sampled} sampled)`,
      );
    }
  }
  if (summary.unseen.length > 0) {
    const shown = summary.unseen.slice(0, UNSEEN_SHOWN).map((f) => `${f.type}.${JSON.stringify(f.key)}`);
    const more = summary.unseen.length > UNSEEN_SHOWN ? `, and ${summary.unseen.length - UNSEEN_SHOWN} more (see --json)` : '';
    lines.push(`Not seen in any sampled record (declared in /meta; empty so far, or keyed differently): ${shown.join(', ')}${more}`);
  }
  if (summary.inferred.length > 0) {
    lines.push(
      `Inferred from records (not in /meta): ${summary.inferred.map((f) => `${f.type}.${JSON.stringify(f.key)} (${f.type_})`).join(', ')}`,
    );
  }
  const changes: string[] = [];
  if (summary.added.types || summary.added.fields) changes.push(`${summary.added.types} new type(s), ${summary.added.fields} new field(s)`);
  if (summary.removed.types || summary.removed.fields)
    changes.push(`${summary.removed.types} type(s) and ${summary.removed.fields} field(s) marked removed`);
  if (changes.length > 0) lines.push(`Changes: ${changes.join('; ')}`);
  if (!summary.captions) lines.push('Record keys are field ids (the app does not show captions).');
  return `${lines.join('\n')}\n`;
}
