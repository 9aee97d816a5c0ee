/**
 * `introspect`: read /meta, sample pages of each exposed type, build the data dictionary and merge it
 * append-only over the existing file. Nothing is written unless every step succeeded.
 */
import { type Dictionary, dictionarySchema } from '../../core/dictionary/schema.js';
import type { BubbleClient, BubbleMeta } from '../bubble/index.js';
import { BubbleError } from '../../core/errors.js';
import { buildDictionary, mergeDictionary } from './dictionary.js';
import { summarize, type IntrospectSummary } from './summary.js';
import { readDictionaryFile, serializeDictionary, writeFileAtomic } from './write.js';
import { DEFAULT_SAMPLE } from './defaults.js';

export { DEFAULT_SAMPLE };

export interface IntrospectOptions {
  client: BubbleClient;
  /** Dictionary file to merge into and write; without it nothing is read or written. */
  out?: string;
  /** Only these types (others in an existing dictionary stay untouched). Default: every exposed type. */
  types?: readonly string[];
  /** Records sampled per type (default 200; 0 reads no records). */
  sample?: number;
  signal?: AbortSignal;
}

export interface IntrospectResult {
  dictionary: Dictionary;
  /** The file's new bytes (2-space JSON, trailing newline). */
  text: string;
  /** True when `out` was given and its content changed (an unchanged app rewrites nothing). */
  written: boolean;
  summary: IntrospectSummary;
}

/** Types /meta exposes, in its order: the `get` list when present, else the described types. */
export function exposedTypes(meta: BubbleMeta): string[] {
  if (Array.isArray(meta.get) && meta.get.length > 0) return meta.get.filter((t): t is string => typeof t === 'string');
  return Object.keys(meta.types ?? {});
}

/** App name: /meta's app_data.appname, else the first label of the host (myapp.bubbleapps.io → myapp). */
export function appNameOf(meta: BubbleMeta, appUrl: string): string {
  const named = meta.app_data?.appname;
  if (typeof named === 'string' && named.trim()) return named.trim();
  return new URL(appUrl).hostname.split('.')[0] ?? 'app';
}

export async function introspect(options: IntrospectOptions): Promise<IntrospectResult> {
  const { client } = options;
  const sample = options.sample ?? DEFAULT_SAMPLE;
  const meta = await client.meta(options.signal ? { signal: options.signal } : {});
  const exposed = exposedTypes(meta);
  const types = options.types && options.types.length > 0 ? [...options.types] : exposed;
  const unknown = types.filter((t) => !exposed.includes(t));
  if (unknown.length > 0) {
    throw new BubbleError('INTROSPECT_UNKNOWN_TYPE', `The Data API does not expose ${unknown.map((t) => `"${t}"`).join(', ')}.`, {
      hint: `Exposed types: ${exposed.join(', ') || 'none'}. Tick the type in Settings → API, or fix --types.`,
      exitCode: 2,
    });
  }
  // Read the existing file first: an unreadable dictionary stops the run before any request is spent.
  const existing = options.out ? await readDictionaryFile(options.out) : undefined;

  const samples = new Map<string, Record<string, unknown>[]>();
  for (const type of types) samples.set(type, await sampleType(client, type, sample, options.signal));

  const fresh = buildDictionary({ meta, samples, types, appName: appNameOf(meta, client.appUrl) });
  const explicit = options.types && options.types.length > 0 ? types : undefined;
  const dictionary = dictionarySchema.parse(mergeDictionary(existing?.dictionary, fresh, explicit));
  const text = serializeDictionary(dictionary);
  let written = false;
  if (options.out && text !== existing?.text) {
    await writeFileAtomic(options.out, text);
    written = true;
  }
  const shown = explicit ?? dictionary.types.map((t) => t.name);
  return { dictionary, text, written, summary: summarize(dictionary, existing?.dictionary, shown, written) };
}

/**
 * The first `count` records of a type in Bubble's default order. Nothing is counted
 * (`exclude_remaining`): counting a large table's matches can time out, and sampling only needs the
 * records. A page shorter than asked is not the end. An empty page is (also past Bubble's offset cap),
 * once the same stretch asked differently (another page size) is empty too: an app may answer one exact
 * query empty while records remain.
 */
async function sampleType(
  client: BubbleClient,
  type: string,
  count: number,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  let askedAgain = false;
  while (records.length < count) {
    const limit = Math.min(100, count - records.length);
    const page = await client.page(type, {
      cursor: records.length,
      limit: askedAgain ? Math.max(1, Math.floor(limit / 2)) : limit,
      excludeRemaining: true,
      ...(signal ? { signal } : {}),
    });
    if (page.results.length === 0) {
      if (askedAgain) break;
      askedAgain = true;
      continue;
    }
    askedAgain = false;
    records.push(...page.results);
  }
  return records;
}
