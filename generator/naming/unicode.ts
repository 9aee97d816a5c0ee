/** Lone UTF-16 surrogates: not encodable as UTF-8, so no file or database can hold them. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export function isWellFormedUtf16(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Replaces lone surrogates with U+FFFD (what String.prototype.toWellFormed does in ES2024). */
export function toWellFormedUtf16(text: string): string {
  return text.replace(LONE_SURROGATES, '\ufffd');
}
