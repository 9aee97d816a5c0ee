/** How held-back deletions (deletions.ts) are told to people: in summaries, the report and the exit message. */

/** Held-back deletions of a run as one line per table, for summaries and reports (empty when none). */
export function heldBackLines(
  tables: ReadonlyArray<{ type: string; heldBack: number; heldBackReason?: 'guard' | 'incomplete' }>,
): string[] {
  return tables
    .filter((t) => t.heldBack > 0)
    .map((t) =>
      t.heldBackReason === 'incomplete'
        ? `${t.type}: ${t.heldBack.toLocaleString('en-US')} rows not marked deleted — the pass saw fewer records than Bubble reported.`
        : `${t.type}: ${t.heldBack.toLocaleString('en-US')} rows not marked deleted — more than SYNC_MAX_DELETE_FRACTION of the table at once.`,
    );
}

/** What to do about held-back deletions. */
export const HELD_BACK_HINT =
  'Check the app. If the records are really gone, apply the deletions with `bubble-runtime sync --mode full --allow-mass-delete`; ' +
  'if the pass was incomplete, run `bubble-runtime sync --mode full` again.';
