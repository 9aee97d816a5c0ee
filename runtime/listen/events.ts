/**
 * The request body Bubble's database triggers send, checked before anything is recorded:
 * `{"type", "id", "event"}` or an array of them. Pure: a body either becomes events for types the
 * manifest syncs, or one line saying what is wrong with it.
 */
import type { ManifestType } from '../../core/manifest/schema.js';

export type EventKind = 'created' | 'modified' | 'deleted';
const KINDS: readonly string[] = ['created', 'modified', 'deleted'];

export interface ReceivedEvent {
  /** The manifest's type name (the Data API path segment). */
  type: string;
  id: string;
  event: EventKind;
}

/** Most events one request may carry (the body size limit keeps requests small too). */
export const MAX_EVENTS_PER_REQUEST = 1_000;
/** Bubble's unique ids are about 32 characters; anything much longer is not one. */
export const MAX_ID_LENGTH = 128;
/** Printable ASCII without spaces: every Bubble unique id fits, quotes and SQL fragments with spaces do not. */
const ID_PATTERN = /^[\x21-\x7e]+$/;

/** A Data API path segment: case and spaces do not matter to Bubble. */
export function pathName(type: string): string {
  return type.replace(/\s+/g, '').toLowerCase();
}

export type Parsed = { ok: true; events: ReceivedEvent[] } | { ok: false; reason: string };

/** The types events may name: the manifest's, except those removed from the app. */
export function typeIndex(types: readonly ManifestType[]): ReadonlyMap<string, ManifestType> {
  return new Map(types.filter((t) => !t.removed).map((t) => [pathName(t.name), t]));
}

export function parseEvents(body: unknown, types: ReadonlyMap<string, ManifestType>): Parsed {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) return { ok: false, reason: 'The body is an empty array: send at least one event.' };
  if (list.length > MAX_EVENTS_PER_REQUEST)
    return { ok: false, reason: `Too many events in one request (${list.length}; at most ${MAX_EVENTS_PER_REQUEST}).` };
  const events: ReceivedEvent[] = [];
  for (const [i, item] of list.entries()) {
    const where = Array.isArray(body) ? `Event ${i + 1}` : 'The event';
    const event = one(item, types);
    if (typeof event === 'string') return { ok: false, reason: `${where}: ${event}` };
    events.push(event);
  }
  return { ok: true, events };
}

function one(item: unknown, types: ReadonlyMap<string, ManifestType>): ReceivedEvent | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'expected an object {"type", "id", "event"}.';
  const { type, id, event } = item as Record<string, unknown>;
  if (typeof type !== 'string' || type.trim() === '') return '"type" must be the type\'s name as in the Data API path (e.g. "invoice").';
  const known = types.get(pathName(type));
  if (!known)
    return `unknown type ${JSON.stringify(type.slice(0, 60))}: it is not one the mirror syncs (known: ${[...types.keys()].join(', ')}).`;
  if (typeof id !== 'string' || id === '') return '"id" must be the thing\'s unique id (a non-empty string).';
  if (id.length > MAX_ID_LENGTH || !ID_PATTERN.test(id))
    return `"id" is not a Bubble unique id (printable characters without spaces, at most ${MAX_ID_LENGTH}).`;
  if (typeof event !== 'string' || !KINDS.includes(event)) return '"event" must be "created", "modified" or "deleted".';
  return { type: known.name, id, event: event as EventKind };
}
