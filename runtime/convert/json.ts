/** JSON value types for Bubble records and the raw/unmapped columns (what JSON.parse can return). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
