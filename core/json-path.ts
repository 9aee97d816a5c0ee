/**
 * Where a JSON document breaks its schema, in one line: `$.types[3].fields[0].key: missing (expected
 * string)`. The dictionary and the manifest readers both report their first zod issue this way.
 */
import type { z } from 'zod';

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
  keys?: string[];
  values?: unknown[];
  minimum?: unknown;
  maximum?: unknown;
}

/** The first issue of a failed parse of `root`: its JSON path and what was expected there. */
export function describeFirstIssue(error: z.ZodError, root: unknown): { where: string; what: string } {
  const issue = error.issues[0];
  return issue ? { where: jsonPath(issue.path), what: describeIssue(issue, root) } : { where: '$', what: 'invalid' };
}

function describeIssue(issue: IssueLike, root: unknown): string {
  const found = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return found.present
        ? `expected ${String(issue.expected)}, found ${kindOf(found.value)}`
        : `missing (expected ${String(issue.expected)})`;
    case 'unrecognized_keys':
      return `unknown key${(issue.keys ?? []).length === 1 ? '' : 's'} ${(issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      return `expected ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(' or ')}, found ${JSON.stringify(found.value)}`;
    case 'too_small':
      return typeof found.value === 'string'
        ? 'expected a non-empty string'
        : `expected at least ${String(issue.minimum)}, found ${JSON.stringify(found.value)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}, found ${JSON.stringify(found.value)}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: PropertyKey[]): { present: boolean; value: unknown } {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: true, value };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `$.types[3].fields[0].key`; keys that are not identifiers are bracket-quoted. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
