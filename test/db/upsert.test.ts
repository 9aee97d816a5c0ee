import type { UpsertRow } from '../../runtime/db/upsert.js';
import { buildUpsert, prepareUpsert, readColumnTypes, softDeleteUnseen } from '../../runtime/db/upsert.js';
import { SchemaMismatchError } from '../../runtime/db/errors.js';
import { samplePage, unitType } from './fixtures/sample.js';
import { BACKENDS, sampleDb, type TestDb } from './support.js';

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
    const page: UpsertRow[] = [{
      bubbleId: '1700000000000x3',
      slug: nul,
      raw: { _id: '1700000000000x3', 'Unit name': nul, [`k${nul}`]: [nul, { n: nul }] },
      unmapped: { [`k${nul}`]: [nul, { n: nul }] },
      values: [nul, null, null, null, { nested: nul }, [nul, 'ok']],
    }];
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
