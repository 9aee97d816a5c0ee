/** Value conversion shared by the generated adapters (`toRow`) and the sync runtime. */
export { compileConverter, convertRecord } from './record.js';
export type { ConvertedRecord, ConvertIssue, RecordConverter } from './record.js';
export { FAIL, toBoolean, toDate, toJson, toNumber, toString, toText } from './values.js';
export { RecordWithoutIdError } from './errors.js';
export { JsonNumber, parseJson, stringifyJson } from './json.js';
export type { JsonObject, JsonValue } from './json.js';
