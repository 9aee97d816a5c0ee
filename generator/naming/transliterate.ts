/**
 * Step 1 of the field-name plan: turn any Unicode text into ASCII words. NFC first (so combining
 * marks compose), then `any-ascii` (`Ünïcödé` → `Unicode`, `客户` → `KeHu`, `😀` → `:grinning:`),
 * then the symbol spellings below, then split into words on everything that is not a letter or digit.
 */
import anyAscii from 'any-ascii';

/**
 * Symbols that carry meaning in Bubble field names and become a word. Every other non-alphanumeric
 * character (space, `_`, `-`, `.`, `?`, `/`, `(`, `)`, `:` …) is a word break; apostrophes vanish
 * without a break (`Owner's` → `Owners`). Documented in docs/naming.md.
 */
export const SYMBOL_WORDS: Readonly<Record<string, string>> = {
  '%': 'Percent',
  '#': 'Number',
  '&': 'And',
  $: 'Dollar',
  '+': 'Plus',
  '@': 'At',
};

const APOSTROPHES = /['`]/g;
const SYMBOLS = /[%#&$+@]/g;
const NON_ASCII = /[^\x00-\x7f]/;
const WORD = /[A-Za-z0-9]+/g;

/** ASCII transliteration (NFC + any-ascii); pure ASCII input is returned as is. */
export function toAscii(text: string): string {
  return NON_ASCII.test(text) ? anyAscii(text.normalize('NFC')) : text;
}

/**
 * The ASCII words of `text`, symbols spelt out, in order. A name written entirely in capitals
 * (`CUSTOMER NAME`) is lower-cased first so camelCase can find its words; in mixed case, capital
 * runs are kept (`Tax/VAT` → `Tax`, `VAT`).
 */
export function splitWords(text: string): string[] {
  const ascii = toAscii(text).replace(APOSTROPHES, '');
  const cased = /[a-z]/.test(ascii) ? ascii : ascii.toLowerCase();
  const spelt = cased.replace(SYMBOLS, (symbol) => ` ${SYMBOL_WORDS[symbol] ?? ''} `);
  return spelt.match(WORD) ?? [];
}

/** Upper-cases the first letter, keeps the rest (`iPhone` → `IPhone`, `VAT` stays `VAT`). */
export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Lower-cases the leading capitals of the first camelCase word: `Customer` → `customer`,
 * `VAT` → `vat`, `URLPath` → `urlPath`, `ID2` → `id2`, `iPhone` stays.
 */
export function decapitalise(word: string): string {
  const run = /^[A-Z]+/.exec(word)?.[0].length ?? 0;
  if (run === 0) return word;
  if (run === word.length || !/[a-z]/.test(word.charAt(run))) {
    // All capitals (digits may follow): the whole capital run is one word.
    return word.slice(0, run).toLowerCase() + word.slice(run);
  }
  if (run === 1) return word.charAt(0).toLowerCase() + word.slice(1);
  // `URLPath`: the last capital starts the next word.
  return word.slice(0, run - 1).toLowerCase() + word.slice(run - 1);
}
