/**
 * NameSanitiser: the field names of ONE model. Each original gets toSafePrismaFieldName, then a
 * numeric suffix if an earlier original (in call order = dictionary order) already has that name.
 */
import { CollisionTracker } from './collisions.js';
import { sanitiseFieldName } from './field-name.js';
import type { NamingEvent } from './report.js';
import { formatNamingEvents } from './report.js';
import { STANDARD_FIELD_NAMES } from './reserved.js';

export interface NameSanitiserOptions {
  /** Extra names no field may take (e.g. relation fields the generator adds). */
  reserved?: Iterable<string>;
}

export class NameSanitiser {
  private readonly tracker = new CollisionTracker();
  private readonly byOriginal = new Map<string, string>();
  private readonly events: NamingEvent[] = [];

  constructor(options: NameSanitiserOptions = {}) {
    // Standard fields are already reserved words (toSafePrismaFieldName never returns them);
    // reserving them here too keeps collision suffixes away from them.
    for (const name of STANDARD_FIELD_NAMES) this.tracker.reserve(name);
    for (const name of options.reserved ?? []) this.tracker.reserve(name);
  }

  /** Marks `name` as taken in this model. */
  reserve(name: string): void {
    this.tracker.reserve(name);
  }

  /**
   * The unique Prisma field name for `original` within this instance. Asking again for the same
   * original returns the same name (it is that key's name, not a new field).
   */
  sanitize(original: string): string {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    const { name: base, adjustments } = sanitiseFieldName(original);
    const name = this.tracker.addName(original, base);
    for (const kind of adjustments) this.events.push({ kind, scope: 'field', original, name });
    if (name !== base) this.events.push({ kind: 'collision', scope: 'field', original, name, base });
    this.byOriginal.set(original, name);
    return name;
  }

  /** British spelling alias of `sanitize`. */
  sanitise(original: string): string {
    return this.sanitize(original);
  }

  /** The name already given to `original`, if any. */
  nameOf(original: string): string | undefined {
    return this.byOriginal.get(original);
  }

  /** Every collision, fallback, reserved-word suffix, truncation and digit prefix, in order. */
  report(): readonly NamingEvent[] {
    return this.events;
  }

  /** `report()` as printable lines (empty string when nothing was adjusted). */
  formatReport(): string {
    return formatNamingEvents(this.events);
  }
}
