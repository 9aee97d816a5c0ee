/**
 * The pure parts of introspect that decide how record keys are read: captions from /meta or, for older
 * apps, from samples (built-ins are no evidence), and keys that are a declared name as Bubble sanitised it.
 */
import type { BubbleMeta } from '../../runtime/bubble/index.js';
import { buildDictionary, detectCaptions } from '../../runtime/introspect/index.js';
import { looseKey, matchSanitisedKeys } from '../../runtime/introspect/keys.js';

/** An app as reported: /meta lists built-ins, the only custom field is rarely set, records carry `Created By`. */
function app(flag: boolean | undefined): { meta: BubbleMeta; samples: Map<string, Record<string, unknown>[]> } {
  const meta: BubbleMeta = {
    get: ['order'],
    types: {
      order: {
        display: 'Order',
        fields: [
          { id: '_id', display: 'unique ID', type: 'text' },
          { id: 'Created By', display: 'Creator', type: 'user' },
          { id: 'note_text', display: 'Note', type: 'text' },
          { id: 'paid__boolean', display: 'Paid?', type: 'boolean' },
        ],
      },
    },
    app_data: { appname: 'shop', ...(flag === undefined ? {} : { use_captions_for_get: flag }) },
  };
  const records = Array.from({ length: 20 }, (_, i) => ({
    _id: `1x${i}`,
    'Created By': '1x0',
    'Created Date': '2024-01-01T00:00:00.000Z',
    ...(i === 0 ? { Paid: true } : {}),
  }));
  return { meta, samples: new Map([['order', records]]) };
}

test("/meta's use_captions_for_get is believed, whatever the samples look like", () => {
  expect(detectCaptions(app(true).meta, app(true).samples)).toBe(true);
  expect(detectCaptions(app(false).meta, app(true).samples)).toBe(false);
});

test('without the flag, Created By and Creator count for neither side; a sanitised display name counts for captions', () => {
  const { meta, samples } = app(undefined);
  expect(detectCaptions(meta, samples)).toBe(true);
  const idKeyed = new Map([['order', samples.get('order')!.map((r) => ({ _id: r._id, 'Created By': r['Created By'], note_text: 'x' }))]]);
  expect(detectCaptions(meta, idKeyed)).toBe(false);
});

test('the dictionary keys a sanitised field by what records carry, and lists no built-in twice', () => {
  const { meta, samples } = app(true);
  const dictionary = buildDictionary({ meta, samples, types: ['order'], appName: 'shop' });
  const fields = dictionary.types[0]!.fields;
  expect(fields.map((f) => f.key)).toEqual(['_id', 'Created Date', 'Modified Date', 'Created By', 'Note', 'Paid']);
  expect(fields.find((f) => f.key === 'Paid')).toMatchObject({ id: 'paid__boolean', display: 'Paid?', type: 'boolean' });
  expect(fields.some((f) => f.inferred)).toBe(false);
});

test('sanitised keys are matched only when the match is unambiguous', () => {
  expect(looseKey('Price ($)')).toBe(looseKey('Price'));
  expect(looseKey('Ünïcödé Notes')).toBe('ünïcödénotes');
  const none = new Set<string>();
  expect(matchSanitisedKeys(['Is Admin?', 'Price ($)', 'Name'], ['Is Admin', 'Price', 'Name'], none)).toEqual(
    new Map([
      ['Is Admin?', 'Is Admin'],
      ['Price ($)', 'Price'],
    ]),
  );
  // Two declared names with one loose form, or one declared name and two candidates: left alone.
  expect(matchSanitisedKeys(['Tax/VAT', 'Tax VAT?'], ['TaxVAT'], none)).toEqual(new Map());
  expect(matchSanitisedKeys(['Tax/VAT'], ['TaxVAT', 'tax-vat'], none)).toEqual(new Map());
  // A declared key the records carry exactly is not re-matched; ignored keys are never candidates.
  expect(matchSanitisedKeys(['Customer Name', 'customer_name'], ['Customer Name', 'customer_name'], none)).toEqual(new Map());
  expect(matchSanitisedKeys(['Slug?'], ['Slug'], new Set(['Slug']))).toEqual(new Map());
});
