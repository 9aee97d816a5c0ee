/**
 * Collision resolution: when two originals sanitise to the same name, the
 * later one (in dictionary order) gets `name2`, then `name3`, … — deterministic, never random.
 * Suffixes count against the 63-character limit: the base is shortened to make room.
 */
import { MAX_NAME_LENGTH } from './field-name.js';

/** `base` + `n`, shortened so the result is at most `maxLength` characters. */
export function withNumericSuffix(base: string, n: number, maxLength = MAX_NAME_LENGTH): string {
  const suffix = String(n);
  return base.slice(0, Math.max(0, maxLength - suffix.length)) + suffix;
}

/**
 * The first of `baseName`, `baseName2`, `baseName3`, … not in `existingNames`
 * (compared case-sensitively; pass lower-cased names and base for a case-insensitive check).
 */
export function generateUniqueFieldName(
  baseName: string,
  existingNames: ReadonlySet<string> | Iterable<string>,
  maxLength = MAX_NAME_LENGTH,
): string {
  const taken = existingNames instanceof Set ? (existingNames as ReadonlySet<string>) : new Set(existingNames);
  if (!taken.has(baseName)) return baseName;
  for (let n = 2; ; n += 1) {
    const candidate = withNumericSuffix(baseName, n, maxLength);
    if (!taken.has(candidate)) return candidate;
  }
}

export interface DuplicateName {
  name: string;
  /** Positions in the input list, ascending. */
  indexes: number[];
}

/** Names that occur more than once in `fieldNames`, in order of first occurrence. */
export function detectCollision(fieldNames: readonly string[]): DuplicateName[] {
  const seen = new Map<string, number[]>();
  fieldNames.forEach((name, index) => {
    const indexes = seen.get(name);
    if (indexes) indexes.push(index);
    else seen.set(name, [index]);
  });
  return [...seen].filter(([, indexes]) => indexes.length > 1).map(([name, indexes]) => ({ name, indexes }));
}

export interface CollisionRecord {
  original: string;
  /** The name the original sanitised to, already taken. */
  base: string;
  /** The unique name it received instead. */
  name: string;
}

export interface CollisionTrackerOptions {
  /** Treat `Foo` and `foo` as the same name (model names: generated file names and delegates). */
  caseInsensitive?: boolean;
  maxLength?: number;
}

/** Tracks the names used in one scope (a model's fields, or the schema's models). */
export class CollisionTracker {
  private readonly usedNames = new Set<string>();
  /** Per base name: the next suffix worth trying (every lower one is taken; names are never freed). */
  private readonly collisionCounter = new Map<string, number>();
  private readonly collisionRecords: CollisionRecord[] = [];
  private readonly caseInsensitive: boolean;
  private readonly maxLength: number;

  constructor(options: CollisionTrackerOptions = {}) {
    this.caseInsensitive = options.caseInsensitive ?? false;
    this.maxLength = options.maxLength ?? MAX_NAME_LENGTH;
  }

  private key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  has(name: string): boolean {
    return this.usedNames.has(this.key(name));
  }

  /** Marks a name as taken without recording a collision (standard fields, generated models). */
  reserve(name: string): void {
    this.usedNames.add(this.key(name));
  }

  /** The first free variant of `baseName` (`baseName`, `baseName2`, …), not yet taken. */
  resolveCollision(baseName: string): string {
    return this.findFree(baseName).name;
  }

  private findFree(baseName: string): { name: string; n: number } {
    if (!this.has(baseName)) return { name: baseName, n: 1 };
    // Starting from the remembered counter keeps many originals with one base linear, not quadratic.
    for (let n = this.collisionCounter.get(this.key(baseName)) ?? 2; ; n += 1) {
      const candidate = withNumericSuffix(baseName, n, this.maxLength);
      if (!this.has(candidate)) return { name: candidate, n };
    }
  }

  /** Takes a unique variant of `sanitizedName` for `originalName`, recording a collision if any. */
  addName(originalName: string, sanitizedName: string): string {
    const { name, n } = this.findFree(sanitizedName);
    if (name !== sanitizedName) {
      this.collisionRecords.push({ original: originalName, base: sanitizedName, name });
      this.collisionCounter.set(this.key(sanitizedName), n + 1);
    }
    this.reserve(name);
    return name;
  }

  get collisions(): readonly CollisionRecord[] {
    return this.collisionRecords;
  }
}
