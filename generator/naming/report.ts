/** What the sanitisers tell the generator about names they had to change beyond plain casing. */
export type NamingEventKind = 'collision' | 'fallback' | 'reserved' | 'truncated' | 'numericStart' | 'unstorable' | 'system';

export interface NamingEvent {
  kind: NamingEventKind;
  /** `field` for NameSanitiser, `model` for ModelNameRegistry, `column`/`table` for db identifiers. */
  scope: 'field' | 'model' | 'column' | 'table';
  original: string;
  name: string;
  /** For collisions: the name that was already taken. */
  base?: string;
}

const WHY: Record<NamingEventKind, string> = {
  collision: 'collided with an earlier name',
  fallback: 'has no usable letters or digits: hash-based fallback',
  reserved: 'is a reserved word: suffixed',
  truncated: 'was too long: truncated',
  numericStart: 'starts with a digit: prefixed',
  unstorable: 'is empty or holds NUL or a lone surrogate: cleaned and hash-tagged',
  system: 'is a PostgreSQL system column name: hash-tagged',
};

/** One line per event, e.g. `field "customer-name" → customerName2 (collided with an earlier name: customerName)`. */
export function formatNamingEvents(events: readonly NamingEvent[]): string {
  return events
    .map((e) => {
      const why = e.kind === 'collision' && e.base !== undefined ? `${WHY.collision}: ${e.base}` : WHY[e.kind];
      return `${e.scope} ${JSON.stringify(e.original)} → ${e.name} (${why})`;
    })
    .join('\n');
}
