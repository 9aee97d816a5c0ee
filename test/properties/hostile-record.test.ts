/**
 * One record carrying everything PostgreSQL cannot store as sent — lone surrogates in a text field, a
 * list item, a JSON value, a JSON key and a record key; U+0000; a value nested 10,000 levels deep;
 * `1e400` and `9007199254740993` — served by the fake Bubble app over HTTP, then introspected, generated,
 * migrated and synced on PostgreSQL and on PGlite: every value equals the app's (U+FFFD where needed,
 * JSON below level 5,000 as its text), exact numbers are kept, and records without a usable `_id` in
 * the same page are kept in the rejects table and counted.
 */
import { stringifyJson, JsonNumber } from '../../runtime/convert/json.js';
import { BACKENDS } from '../db/support.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { nested, type HostileApp } from './support/hostile.js';
import { runPipeline } from './support/pipeline.js';

const big = new JsonNumber('9007199254740993');
const huge = new JsonNumber('1e400');
const fields = [
  ['Name', 'text'],
  ['Tags', 'list.text'],
  ['Address', 'geographic_address'],
  ['Data', 'date_range'],
  ['Amount', 'number'],
  ['Big', 'number'],
  ['Notes', 'text'],
  ['Key \udbff', 'text'],
] as const;

const app: HostileApp = {
  types: [{ name: 'lead', display: 'Lead', fields: fields.map(([display, type]) => ({ display, type, inMeta: true })) }],
  values: [
    [
      [
        'Hot lead \ud83d',
        ['ok', 'cut \ude00'],
        { address: 'x \ud83d', lat: big, lng: huge, 'key \udbff': 'v' },
        nested(10_000, 'bottom \ud83d'),
        huge,
        big,
        'a\u0000b',
        'value',
      ],
      ['Plain', ['a'], { address: 'Main St', lat: 1.5, lng: 2 }, { start: 1, end: 2 }, 12.5, 3, 'notes', 'v'],
    ],
  ],
  tablePrefix: '',
  modelPrefix: '',
  records: 2,
};

/** Records without a usable `_id`, served in the middle of the type's first page. */
const WITHOUT_ID = [
  { Name: 'no id', 'Created Date': '2023-01-01T00:00:00.000Z' },
  { _id: '', Name: 'empty id' },
  { _id: 42, Name: 'number id' },
];

test('a record with every unstorable value syncs on PostgreSQL and PGlite equal to the app; records without _id are kept and counted', async () => {
  const problems = await runPipeline(app, {
    backends: BACKENDS,
    checkSchema: false,
    beforeSync: (fake) => {
      const records = [...fake.allRecords('lead')];
      const results = [records[0], ...WITHOUT_ID, ...records.slice(1)];
      fake.faults.status(200, {
        body: stringifyJson({ response: { cursor: 0, results, count: results.length, remaining: 0 } })!,
        match: (r) => r.kind === 'list' && r.type === 'lead' && r.cursor === 0,
      });
    },
    inspect: async (db, result, manifest) => {
      const type = manifest.types[0]!;
      const column = (key: string) => `"${type.columns.find((c) => c.key === key)!.column}"`;
      const [row] = await db.query<Record<string, unknown>>(
        `SELECT "_raw"->>'Big' AS raw_big, ("_unmapped"->'Amount')::numeric = 1e400 AS amount_exact, ${column('Big')} AS big_column,
                ${column('Amount')} AS amount_column, ${column('Name')} AS name, ${column('Key \udbff')} AS lone_key, "_raw" ? 'Key \uFFFD' AS raw_key
           FROM "${type.table}" WHERE ${column('Notes')} = 'a\uFFFDb'`,
      );
      const rejects = (await db.query<{ reason: string; raw: string }>(`SELECT reason, raw FROM "${manifest.state.rejectTable}"`)).sort(
        (a, b) => (a.reason < b.reason ? -1 : 1),
      );
      const found = {
        row,
        rejected: result.tables.map((t) => t.rejected),
        rejects: rejects.map((r) => [r.reason, JSON.parse(r.raw) as BubbleRecord]),
      };
      const expected = {
        row: {
          raw_big: '9007199254740993',
          amount_exact: true,
          big_column: 9007199254740992,
          amount_column: null,
          name: 'Hot lead \uFFFD',
          lone_key: 'value',
          raw_key: true,
        },
        rejected: [3],
        rejects: [
          ['"_id" is empty', WITHOUT_ID[1]],
          ['"_id" is not a string (number)', WITHOUT_ID[2]],
          ['no "_id"', WITHOUT_ID[0]],
        ],
      };
      return JSON.stringify(found) === JSON.stringify(expected) ? [] : [`got ${JSON.stringify(found)}`];
    },
  });
  expect(problems).toEqual([]);
}, 300_000);
