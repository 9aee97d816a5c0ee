import type { UpsertRow } from '../../runtime/db/upsert.js';
import { buildUpsert, prepareUpsert, readColumnTypes, softDeleteUnseen } from '../../runtime/db/upsert.js';
import { MAX_JSON_DEPTH, type EncodeTally } from '../../runtime/db/encode.js';
import { JsonNumber, stringifyJson } from '../../runtime/convert/json.js';
import { SchemaMismatchError } from '../../runtime/db/errors.js';
import { samplePage, unitType } from './fixtures/sample.js';
import { BACKENDS, sampleDb, type TestDb } from './support.js';

/** An object/array chain `depth` levels deep with `bottom` inside. */
function nested(depth: number, bottom: unknown): unknown {
  let v = bottom;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

/** The container `levels` steps down the chain built by `nested`. */
function descend(value: unknown, levels: number): unknown {
  let v = value;
  for (let i = 0; i < levels; i++) v = Array.isArray(v) ? v[0] : (v as { k: unknown }).k;
  return v;
}

const byId = async (t: TestDb) =>
  new Map((await t.db.query<Record<string, unknown>>('SELECT * FROM rentalunit ORDER BY "_id"')).map((r) => [r._id as string, r]));

describe.each(BACKENDS)('bulk upsert on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await sampleDb(backend);
  });
  beforeEach(async () => {
    await t.db.execute('TRUNCATE rentalunit');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  test('writes every column kind and reads it back exactly', async () => {
    const up = await prepareUpsert(t.db, unitType);
    expect(await up.run(t.db, samplePage(), 'job-1')).toBe(2);
    const rows = await byId(t);
    const a = rows.get('1700000000000x1')!;
    expect(a['Created Date']).toEqual(new Date('2024-01-02T03:04:05.678Z'));
    expect(a['Modified Date']).toEqual(new Date('2024-02-02T00:00:00.000Z'));
    expect(a['Created By']).toBe('1700000000000x9');
    expect(a.Slug).toBe('unit-a');
    expect(a['Unit name']).toBe('Unit "A" \\ {x}');
    expect(a['1st Payment %']).toBe(12.5);
    expect(a['Commission Paid?']).toBe(true);
    expect(a['Move in']).toEqual(new Date('2024-03-01T10:00:00.000Z'));
    expect(a.Address).toEqual({ address: 'Main St', lat: 1.5, lng: -2 });
    expect(a.Photos).toEqual(['//cdn.bubble.io/a.png', 'b,"c"}', '', 'NULL']);
    expect(a.Scores).toEqual([1, 2.5, -0.125]);
    expect(a.Flags).toEqual([true, false]);
    expect(a.Visits).toEqual([new Date('2024-01-01T00:00:00.000Z'), new Date('2024-12-31T23:59:59.999Z')]);
    expect(a["Quote 'it' \\ back"]).toBe("it's");
    expect(a._raw).toEqual({ _id: '1700000000000x1', 'Unit name': 'Unit "A" \\ {x}', extra: 'é 🎉' });
    expect(a._unmapped).toEqual({ extra: 'é 🎉' });
    expect(a._sync_cursor_position).toBe(0);
    expect(a._sync_job_id).toBe('job-1');
    expect(a._is_deleted).toBe(false);
    expect(typeof a.id).toBe('string');
    const b = rows.get('1700000000000x2')!;
    for (const c of unitType.columns) expect(b[c.column]).toBeNull();
    expect(b._unmapped).toBeNull();
    expect(b._raw).toEqual({ _id: '1700000000000x2' });
  });

  test('U+0000, which PostgreSQL cannot store in text or jsonb, becomes U+FFFD instead of failing the page', async () => {
    const up = await prepareUpsert(t.db, unitType);
    const nul = 'a\u0000b';
    const page: UpsertRow[] = [
      {
        bubbleId: '1700000000000x3',
        slug: nul,
        raw: { _id: '1700000000000x3', 'Unit name': nul, [`k${nul}`]: [nul, { n: nul }] },
        unmapped: { [`k${nul}`]: [nul, { n: nul }] },
        values: [nul, null, null, null, { nested: nul }, [nul, 'ok']],
      },
    ];
    expect(await up.run(t.db, page, 'job-1')).toBe(1);
    const row = (await byId(t)).get('1700000000000x3')!;
    const fixed = 'a\uFFFDb';
    expect(row.Slug).toBe(fixed);
    expect(row['Unit name']).toBe(fixed);
    expect(row.Address).toEqual({ nested: fixed });
    expect(row.Photos).toEqual([fixed, 'ok']);
    expect(row._raw).toEqual({ _id: '1700000000000x3', 'Unit name': fixed, [`k${fixed}`]: [fixed, { n: fixed }] });
    expect(row._unmapped).toEqual({ [`k${fixed}`]: [fixed, { n: fixed }] });
  });

  test("lone surrogates and U+0000 become U+FFFD in every place (text, lists, JSON values and keys at any depth, the record's keys); each changed string of the record counted once", async () => {
    const up = await prepareUpsert(t.db, unitType);
    const cut = 'Hot lead \ud83d'; // Bubble's "truncate to N characters" halving an emoji
    const low = '\ude00 tail';
    const pair = 'ok 😀';
    const nul = 'a\u0000b';
    const deep = { [`n${nul}`]: [cut, pair, { deep: low }] };
    const page: UpsertRow[] = [
      {
        bubbleId: 'x\ud800',
        slug: cut,
        createdBy: low,
        raw: { _id: 'x\ud800', 'Unit name': cut, [`k${low}`]: deep, pair },
        unmapped: { [`k${low}`]: deep },
        values: [cut, null, null, null, { [cut]: low, ok: pair }, [cut, pair, nul]],
      },
    ];
    const tally: EncodeTally = { replaced: 0 };
    expect(await up.run(t.db, page, 'job-1', tally)).toBe(1);
    // _id, 'Unit name', the key k…, the key n…, and the two lone-surrogate items: the emoji pair is intact.
    expect(tally.replaced).toBe(6);
    const row = (await byId(t)).get('x\uFFFD')!;
    const fixedDeep = { 'na\uFFFDb': ['Hot lead \uFFFD', pair, { deep: '\uFFFD tail' }] };
    expect(row.Slug).toBe('Hot lead \uFFFD');
    expect(row['Created By']).toBe('\uFFFD tail');
    expect(row['Unit name']).toBe('Hot lead \uFFFD');
    expect(row.Address).toEqual({ 'Hot lead \uFFFD': '\uFFFD tail', ok: pair });
    expect(row.Photos).toEqual(['Hot lead \uFFFD', pair, 'a\uFFFDb']);
    expect(row._raw).toEqual({ _id: 'x\uFFFD', 'Unit name': 'Hot lead \uFFFD', 'k\uFFFD tail': fixedDeep, pair });
    expect(row._unmapped).toEqual({ 'k\uFFFD tail': fixedDeep });
    // Stored as written: the same page again changes nothing.
    expect(await up.run(t.db, page, 'job-1')).toBe(0);
  });

  test(`JSON nested 10,000 deep is written: structure down to level ${MAX_JSON_DEPTH}, the part below kept as its JSON text`, async () => {
    const up = await prepareUpsert(t.db, unitType);
    const value = nested(10_000, 'bottom \ud83d');
    const page: UpsertRow[] = [{ bubbleId: 'deep', raw: { _id: 'deep', Address: value }, values: [null, null, null, null, value] }];
    expect(await up.run(t.db, page, 'job-1')).toBe(1);
    const [row] = await t.db.query<{ address: string; raw: string }>(
      `SELECT "Address"::text AS address, "_raw"::text AS raw FROM rentalunit`,
    );
    // The column's own value: levels 1..MAX_JSON_DEPTH are JSON, the container at the next level is text.
    const wellFormed = (levels: number): string =>
      stringifyJson(descend(value, levels), { mapString: (x) => x.replace('\ud83d', '\uFFFD') })!;
    const kept = descend(JSON.parse(row!.address), MAX_JSON_DEPTH);
    // Compared as booleans: a failing diff of 10,000 levels is unreadable.
    expect(typeof kept === 'string' && kept === wellFormed(MAX_JSON_DEPTH)).toBe(true);
    // In _raw the record is level 1, so the field's value is cut one level earlier.
    const raw = JSON.parse(row!.raw) as { Address: unknown };
    const keptInRaw = descend(raw.Address, MAX_JSON_DEPTH - 1);
    expect(typeof keptInRaw === 'string' && keptInRaw === wellFormed(MAX_JSON_DEPTH - 1)).toBe(true);
    expect(await up.run(t.db, page, 'job-1')).toBe(0);
  });

  test('numbers that do not survive a double keep their exact value in JSON (_raw, _unmapped, jsonb); a number column gets the nearest double', async () => {
    const up = await prepareUpsert(t.db, unitType);
    const big = new JsonNumber('9007199254740993');
    const huge = new JsonNumber('1e400');
    const precise = new JsonNumber('0.1000000000000000055511151231257827');
    const raw = { _id: 'n', big, huge, precise, Address: { lat: new JsonNumber('-1e-400') } };
    const page: UpsertRow[] = [{ bubbleId: 'n', raw, unmapped: { huge }, values: [null, big, null, null, raw.Address] }];
    expect(await up.run(t.db, page, 'job-1')).toBe(1);
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT "_raw" = $1::jsonb AS raw_same, "_unmapped" = $2::jsonb AS unmapped_same, "Address" = $3::jsonb AS address_same,
              "_raw"->>'big' AS big, "_raw"->>'precise' AS precise, ("_raw"->'huge')::numeric = 1e400 AS huge_same, "1st Payment %" AS payment
         FROM rentalunit`,
      [stringifyJson(raw), stringifyJson({ huge }), stringifyJson(raw.Address)],
    );
    expect(row).toEqual({
      raw_same: true,
      unmapped_same: true,
      address_same: true,
      big: '9007199254740993',
      precise: '0.1000000000000000055511151231257827',
      huge_same: true,
      payment: 9007199254740992,
    });
    expect(await up.run(t.db, page, 'job-1')).toBe(0);
  });

  test("dates in years 1–99 read back as written (PGlite's own parser took them for 20xx/19xx)", async () => {
    const up = await prepareUpsert(t.db, unitType);
    const early = [new Date('0001-01-01T00:00:00.037Z'), new Date('0050-06-01T12:00:00.000Z'), new Date('0099-12-31T23:59:59.999Z')];
    expect(
      await up.run(
        t.db,
        [{ bubbleId: 'early', createdAt: early[0], raw: {}, values: [null, null, null, early[1], null, null, null, null, early] }],
        'job-1',
      ),
    ).toBe(1);
    const row = (await byId(t)).get('early')!;
    expect(row['Created Date']).toEqual(early[0]);
    expect(row['Move in']).toEqual(early[1]);
    expect(row.Visits).toEqual(early);
  });

  test('the same page twice in one job rewrites nothing; a new job touches only the bookkeeping', async () => {
    const up = await prepareUpsert(t.db, unitType);
    await up.run(t.db, samplePage(), 'job-1');
    const first = await byId(t);
    expect(await up.run(t.db, samplePage(), 'job-1')).toBe(0);
    expect(await byId(t)).toEqual(first);

    expect(await up.run(t.db, samplePage(), 'job-2')).toBe(2);
    const second = await byId(t);
    for (const [id, row] of first) {
      const again = second.get(id)!;
      expect(again._sync_job_id).toBe('job-2');
      expect(again._updated_at).toEqual(row._updated_at);
      const { _sync_job_id: _a, _synced_at: _b, ...data } = again;
      const { _sync_job_id: _c, _synced_at: _d, ...before } = row;
      expect(data).toEqual(before);
    }
  });

  test('a changed value is written; unchanged rows keep their update time', async () => {
    const up = await prepareUpsert(t.db, unitType);
    await up.run(t.db, samplePage(), 'job-1');
    const before = await byId(t);
    const page = samplePage();
    page[1] = { ...page[1]!, values: ['renamed'] };
    expect(await up.run(t.db, page, 'job-1')).toBe(1);
    const after = await byId(t);
    expect(after.get('1700000000000x2')!['Unit name']).toBe('renamed');
    expect(after.get('1700000000000x1')!._updated_at).toEqual(before.get('1700000000000x1')!._updated_at);
  });

  test('a page repeating an _id keeps the last occurrence', async () => {
    const up = await prepareUpsert(t.db, unitType);
    const page: UpsertRow[] = [
      { bubbleId: 'dup', raw: {}, values: ['first'] },
      { bubbleId: 'dup', raw: {}, values: ['second'] },
    ];
    expect(await up.run(t.db, page, 'job-1')).toBe(1);
    expect((await byId(t)).get('dup')!['Unit name']).toBe('second');
  });

  test('softDeleteUnseen marks rows the job did not write, once; a row seen again comes back', async () => {
    const up = await prepareUpsert(t.db, unitType);
    await up.run(t.db, samplePage(), 'job-1');
    await up.run(t.db, samplePage().slice(0, 1), 'job-2');
    expect(await softDeleteUnseen(t.db, unitType, 'job-2')).toBe(1);
    expect(await softDeleteUnseen(t.db, unitType, 'job-2')).toBe(0);
    let gone = (await byId(t)).get('1700000000000x2')!;
    expect(gone._is_deleted).toBe(true);
    expect(gone._deleted_at).toBeInstanceOf(Date);
    expect((await byId(t)).get('1700000000000x1')!._is_deleted).toBe(false);

    expect(await up.run(t.db, samplePage().slice(1), 'job-3')).toBe(1);
    gone = (await byId(t)).get('1700000000000x2')!;
    expect(gone._is_deleted).toBe(false);
    expect(gone._deleted_at).toBeNull();
  });

  test('works inside a transaction and rolls back with it', async () => {
    const up = await prepareUpsert(t.db, unitType);
    await expect(
      t.db.transaction(async (tx) => {
        await up.run(tx, samplePage(), 'job-1');
        throw new Error('page failed');
      }),
    ).rejects.toThrow('page failed');
    expect((await byId(t)).size).toBe(0);
    await t.db.transaction((tx) => up.run(tx, samplePage(), 'job-1'));
    expect((await byId(t)).size).toBe(2);
  });

  test('a table or column missing from the database is a SchemaMismatchError naming it', async () => {
    const types = await readColumnTypes(t.db, unitType.table);
    types.delete('Slug');
    expect(() => buildUpsert(unitType, types)).toThrow(SchemaMismatchError);
    expect(() => buildUpsert(unitType, types)).toThrow('"Slug"');
    await expect(prepareUpsert(t.db, { ...unitType, table: 'no_such_table' })).rejects.toThrow(SchemaMismatchError);
  });
});
