/**
 * The page writer on both backends: one record never takes its page down. Records without a usable
 * `_id` and records the database refuses are kept whole in the rejects table (same transaction as the
 * page, counted, idempotent per job); the rest of the page is written; replaced strings are counted.
 */
import { renderSyncStateModels, syncStateNames } from '../../generator/emit/sync-state.js';
import { JsonNumber } from '../../runtime/convert/json.js';
import { SchemaMismatchError } from '../../runtime/db/errors.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { unitType } from './fixtures/sample.js';
import { BACKENDS, sampleDb, type TestDb } from './support.js';

const state = syncStateNames('', '');
const records = (list: unknown[]): BubbleRecord[] => list as BubbleRecord[];
const context = { jobId: 'job-1', position: 0 };

interface RejectRow {
  bubble_type: string;
  table_name: string;
  sync_job_id: string;
  bubble_id: string | null;
  raw: string;
  reason: string;
}

describe.each(BACKENDS)('page writer on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await sampleDb(backend, renderSyncStateModels(state));
  });
  beforeEach(async () => {
    await t.db.execute(`TRUNCATE rentalunit, ${state.rejectTable}`);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const rejects = () => t.db.query<RejectRow & Record<string, unknown>>(`SELECT * FROM ${state.rejectTable} ORDER BY raw COLLATE "C"`);
  const ids = async () => (await t.db.query<{ _id: string }>('SELECT "_id" FROM rentalunit ORDER BY "_id"')).map((r) => r._id);

  test('records without a non-empty string _id are kept in the rejects table with the reason and counted; repeated ids are written once', async () => {
    const writer = createPageWriter({ rejectTable: state.rejectTable });
    const page = records([
      { _id: 'a', 'Unit name': 'first', Extra: 1 },
      { 'Unit name': 'no id' },
      { _id: '', 'Unit name': 'empty id' },
      { _id: 7, 'Unit name': 'number id' },
      { _id: null, 'Unit name': 'null id' },
      { _id: 'a', 'Unit name': 'second' },
      null,
      { _id: 'b' },
    ]);
    const result = await t.db.transaction((tx) => writer.write(tx, unitType, page, context));
    expect(result).toEqual({ written: 2, rawOnly: 1, rejected: 5, replaced: 0 });
    expect(await ids()).toEqual(['a', 'b']);
    expect((await t.db.query('SELECT "Unit name" AS n FROM rentalunit WHERE "_id" = \'a\''))[0]).toEqual({ n: 'first' });
    const kept = await rejects();
    expect(kept.map((r) => [JSON.parse(r.raw), r.reason, r.bubble_id, r.bubble_type, r.table_name, r.sync_job_id])).toEqual([
      [null, 'not a JSON object (null)', null, 'rentalunit', 'rentalunit', 'job-1'],
      [{ 'Unit name': 'no id' }, 'no "_id"', null, 'rentalunit', 'rentalunit', 'job-1'],
      [{ _id: '', 'Unit name': 'empty id' }, '"_id" is empty', null, 'rentalunit', 'rentalunit', 'job-1'],
      [{ _id: 7, 'Unit name': 'number id' }, '"_id" is not a string (number)', null, 'rentalunit', 'rentalunit', 'job-1'],
      [{ _id: null, 'Unit name': 'null id' }, 'no "_id"', null, 'rentalunit', 'rentalunit', 'job-1'],
    ]);
    // The same page again in the same job adds nothing; a rolled-back page keeps nothing.
    expect(await t.db.transaction((tx) => writer.write(tx, unitType, page, context))).toEqual({
      written: 0,
      rawOnly: 1,
      rejected: 0,
      replaced: 0,
    });
    await expect(
      t.db.transaction(async (tx) => {
        await writer.write(tx, unitType, records([{ x: 'lost' }]), { jobId: 'job-2', position: 0 });
        throw new Error('page failed');
      }),
    ).rejects.toThrow('page failed');
    expect(await rejects()).toHaveLength(5);
  });

  test('a record the database refuses goes to the rejects table with the error; the rest of its page is written', async () => {
    const writer = createPageWriter({ rejectTable: state.rejectTable });
    // numeric (jsonb's number type) holds 131,072 digits before the point: 1e200000 overflows it.
    const bad = { _id: 'bad', Address: { lat: new JsonNumber('1e200000') }, 'Unit name': 'Hot lead \ud83d' };
    const page = records(Array.from({ length: 9 }, (_, i) => (i === 6 ? bad : { _id: `r${i}`, 'Unit name': `ok \ud83d ${i}` })));
    const result = await t.db.transaction((tx) => writer.write(tx, unitType, page, context));
    expect(result).toEqual({ written: 8, rawOnly: 0, rejected: 1, replaced: 9 });
    expect(await ids()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r7', 'r8']);
    const [kept] = await rejects();
    expect(kept!.bubble_id).toBe('bad');
    expect(kept!.reason).toMatch(/^could not be written \(SQLSTATE 22003\): .*numeric/);
    expect(kept!.raw).toBe('{"_id":"bad","Address":{"lat":1e200000},"Unit name":"Hot lead \uFFFD"}');
  });

  test('without a rejects table in the manifest, a record that needs one fails the page with a clear error', async () => {
    const writer = createPageWriter();
    await expect(
      t.db.transaction((tx) => writer.write(tx, unitType, records([{ _id: 'a' }, { nope: 1 }]), context)),
    ).rejects.toBeInstanceOf(SchemaMismatchError);
    expect(await ids()).toEqual([]);
  });
});
