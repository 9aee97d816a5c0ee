/** `bubble-runtime introspect` as a library: Data API → v1 data dictionary. */
export { introspect, exposedTypes, appNameOf, DEFAULT_SAMPLE } from './introspect.js';
export type { IntrospectOptions, IntrospectResult } from './introspect.js';
export { buildDictionary, mergeDictionary, detectCaptions } from './dictionary.js';
export type { BuildInput } from './dictionary.js';
export { observe, matchesType, inferType, jsonKind } from './observe.js';
export { summarize, renderSummary } from './summary.js';
export type { IntrospectSummary } from './summary.js';
export { serializeDictionary, readDictionaryFile, writeFileAtomic } from './write.js';
