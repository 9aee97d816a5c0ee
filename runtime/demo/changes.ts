/**
 * The demo's deterministic "the app changed since last night": round r edits a few records of every
 * type (a text field gets a suffix, Modified Date moves forward) and adds a couple of new ones. The
 * fake app starts from the same seed on every demo run, so run k replays rounds 1..k-1 in order: the
 * app then looks exactly as it would had it kept running, and the incremental sync has real work.
 *
 * The sample app keeps its own calendar (its history ends in December 2024 and its edits are stamped
 * just after), while the sync's high-water mark is the wall-clock start of the last completed pass.
 * `incrementalOverlapFor` bridges the two: it sizes the incremental look-back so that it reaches the
 * latest round's first edit — the sample app's "since last night".
 */
import type { FakeBubble } from '../fake-bubble/index.js';
import type { TypeDef } from '../sample-app/index.js';

export const EDITS_PER_TYPE = 3;
export const INSERTS_PER_TYPE = 2;

export interface ChangeSummary {
  rounds: number;
  /** Records the latest round edited and added. */
  modified: number;
  inserted: number;
  /** The earliest Modified Date the latest round gave a record (ISO). */
  since: string | null;
}

/** The first plain text field of a type that the Data API lists: the one the demo edits. */
function editableField(def: TypeDef): string | undefined {
  return def.fields.find((f) => f.type === 'text' && f.inMeta !== false)?.display;
}

/** Applies rounds 1..`rounds` to a freshly started fake app; returns what the last round changed. */
export function applyDemoRounds(app: FakeBubble, rounds: number): ChangeSummary {
  let last: ChangeSummary = { rounds, modified: 0, inserted: 0, since: null };
  for (let round = 1; round <= rounds; round++) {
    let modified = 0;
    let inserted = 0;
    let since: string | null = null;
    const note = (record: { 'Modified Date'?: unknown }): void => {
      const at = record['Modified Date'];
      if (typeof at === 'string' && (since === null || at < since)) since = at;
    };
    for (const type of app.data.typeNames()) {
      const def = app.data.typeDef(type);
      const field = editableField(def);
      const count = app.data.count(type);
      const start = (round * 7919) % Math.max(1, count);
      for (let j = 0; j < Math.min(EDITS_PER_TYPE, count); j++) {
        // Distinct records, starting somewhere else each round.
        const index = (start + j) % count;
        const id = app.data.idOf(type, index);
        const before = [...app.allRecords(type)].find((r) => r._id === id);
        if (!before) continue;
        const old = field !== undefined && typeof before[field] === 'string' ? (before[field] as string) : '';
        note(app.mutate.modify(type, id, field === undefined ? {} : { [field]: `${old} (edited, demo round ${round})`.trim() }));
        modified += 1;
      }
      for (let j = 0; j < INSERTS_PER_TYPE; j++) {
        note(app.mutate.insert(type));
        inserted += 1;
      }
    }
    last = { rounds, modified, inserted, since };
  }
  return last;
}

/**
 * The look-back (ms) that makes an incremental pass whose tables' high-water marks are `hwms` read
 * every record modified at or after `since`. The largest mark decides, so no table starts after
 * `since`; tables with earlier marks may re-read a few older edits (idempotent).
 */
export function incrementalOverlapFor(hwms: ReadonlyArray<string | null>, since: string): number {
  const marks = hwms.filter((h): h is string => h !== null).map((h) => Date.parse(h));
  if (marks.length === 0) return 0;
  return Math.max(0, Math.max(...marks) - Date.parse(since));
}
