/**
 * Record keys that differ from /meta's display name only by how Bubble sanitises a caption into a key
 * (punctuation dropped, spaces collapsed — the exact rule is not published), matched to their field.
 */

/** A key with everything but letters and digits removed, lowercased: equal for a name and its sanitised form. */
export function looseKey(key: string): string {
  return key
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Declared key → the observed key that stands for it, for declared keys the records never carry exactly.
 * A pair is matched only when its loose form is shared by exactly one such declared key and one observed
 * key nothing else claims, so two similar names are never merged by guesswork.
 */
export function matchSanitisedKeys(
  declared: readonly string[],
  observed: readonly string[],
  ignore: ReadonlySet<string>,
): Map<string, string> {
  const declaredSet = new Set(declared);
  const observedSet = new Set(observed);
  const groups = new Map<string, { declared: string[]; observed: string[] }>();
  const group = (keys: readonly string[], side: 'declared' | 'observed'): void => {
    for (const key of keys) {
      const loose = looseKey(key);
      if (!loose) continue;
      let g = groups.get(loose);
      if (!g) groups.set(loose, (g = { declared: [], observed: [] }));
      g[side].push(key);
    }
  };
  group(
    declared.filter((k) => !observedSet.has(k)),
    'declared',
  );
  group(
    observed.filter((k) => !declaredSet.has(k) && !ignore.has(k)),
    'observed',
  );
  const matched = new Map<string, string>();
  for (const g of groups.values()) if (g.declared.length === 1 && g.observed.length === 1) matched.set(g.declared[0]!, g.observed[0]!);
  return matched;
}
