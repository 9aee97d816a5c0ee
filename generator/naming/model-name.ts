/**
 * Bubble type display name → Prisma model name: PascalCase (`rental unit` → `RentalUnit`) after the
 * same transliteration as fields, with the optional modelPrefix, unique across the schema
 * (case-insensitively: the client generator writes one file per model, and delegates are the
 * model name with a lower-case first letter).
 */
import { CollisionTracker } from './collisions.js';
import { NamingError } from './errors.js';
import { MAX_NAME_LENGTH, PRISMA_IDENTIFIER } from './field-name.js';
import type { NameAdjustment } from './field-name.js';
import { shortHash } from './hash.js';
import type { NamingEvent } from './report.js';
import { formatNamingEvents } from './report.js';
import { GENERATED_MODEL_NAMES, isReservedModelName } from './reserved.js';
import { capitalise, splitWords } from './transliterate.js';

/** Throws unless `prefix` is empty or a valid start of a Prisma identifier. */
export function assertModelPrefix(prefix: string): void {
  if (prefix !== '' && !PRISMA_IDENTIFIER.test(prefix)) {
    throw new NamingError(
      `modelPrefix ${JSON.stringify(prefix)} is not a valid start of a Prisma model name`,
      'use letters, digits and _ only, starting with a letter (e.g. modelPrefix = "Bubble")',
    );
  }
}

export function sanitiseModelName(display: string, prefix = ''): { name: string; adjustments: NameAdjustment[] } {
  assertModelPrefix(prefix);
  const adjustments: NameAdjustment[] = [];
  const words = splitWords(display);
  let body: string;
  if (words.length === 0) {
    body = `Model_${shortHash(display)}`;
    adjustments.push('fallback');
  } else {
    body = words.map(capitalise).join('');
  }
  let name = prefix + body;
  if (/^[0-9]/.test(name)) {
    name = `M${name}`;
    adjustments.push('numericStart');
  }
  if (isReservedModelName(name, prefix)) {
    name = `${name}Model`;
    adjustments.push('reserved');
  }
  if (name.length > MAX_NAME_LENGTH) {
    name = name.slice(0, MAX_NAME_LENGTH);
    adjustments.push('truncated');
  }
  return { name, adjustments };
}

/** A valid, non-reserved Prisma model name for a Bubble type's display name. */
export function toSafeModelName(display: string, prefix = ''): string {
  return sanitiseModelName(display, prefix).name;
}

/** Model names of one schema: unique (case-insensitively), not reserved, in dictionary order. */
export class ModelNameRegistry {
  private readonly tracker = new CollisionTracker({ caseInsensitive: true });
  private readonly byOriginal = new Map<string, string>();
  private readonly events: NamingEvent[] = [];
  readonly prefix: string;

  constructor(options: { prefix?: string; reserved?: Iterable<string> } = {}) {
    this.prefix = options.prefix ?? '';
    assertModelPrefix(this.prefix);
    for (const name of GENERATED_MODEL_NAMES) this.tracker.reserve(this.prefix + name);
    for (const name of options.reserved ?? []) this.tracker.reserve(name);
  }

  reserve(name: string): void {
    this.tracker.reserve(name);
  }

  /**
   * The unique model name for a type. `original` identifies the type (its API name is a good
   * key); `display` is what the name is built from (defaults to `original`).
   */
  sanitize(original: string, display: string = original): string {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    const { name: base, adjustments } = sanitiseModelName(display, this.prefix);
    const name = this.tracker.addName(display, base);
    for (const kind of adjustments) this.events.push({ kind, scope: 'model', original: display, name });
    if (name !== base) this.events.push({ kind: 'collision', scope: 'model', original: display, name, base });
    this.byOriginal.set(original, name);
    return name;
  }

  sanitise(original: string, display: string = original): string {
    return this.sanitize(original, display);
  }

  nameOf(original: string): string | undefined {
    return this.byOriginal.get(original);
  }

  report(): readonly NamingEvent[] {
    return this.events;
  }

  formatReport(): string {
    return formatNamingEvents(this.events);
  }
}

/** Prisma Client's delegate for a model: `RentalUnit` → `rentalUnit` (`prisma.rentalUnit`). */
export function modelDelegateName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}
