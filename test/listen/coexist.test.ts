/**
 * The listener beside a sync on one PostgreSQL database: a full pass never takes a row the listener
 * wrote after the pass began for a deletion (it is not even a candidate), and an application a
 * running sync overwrites with a page it read earlier is applied again once that sync ends.
 */
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { createPageWriter } from '../../runtime/sync/page-writer.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { listenSetting, waitFor, type ListenSetting } from './support.js';

let s: ListenSetting;

beforeAll(async () => {
  s = await listenSetting({ records: 600, latencyMs: 5 });
  await s.sync();
  await s.start({ pollMs: 50 });
});

afterAll(async () => {
  await s.close();
});

const row = async (table: string, id: string) =>
  (
    await s.db.query<{ d: boolean; job: string; raw: Record<string, unknown> }>(
      `SELECT "_is_deleted" AS d, "_sync_job_id" AS job, "_raw" AS raw FROM "${table}" WHERE "_id" = $1`,
      [id],
    )
  )[0];

test('a record the listener writes while a full pass runs is live after the pass, and never a deletion candidate', async () => {
  const first = [...s.fake.allRecords('invoice')][0]!;
  const early = new Date(Date.parse(first['Created Date'] as string) - 86_400_000).toISOString();
  let added: string | undefined;
  const client = createBubbleClient({ appUrl: s.fake.url, token: s.fake.token, rateLimitRpm: 0, maxInFlight: 1, gate: createGate(0, 1) });
  const logFrom = s.fake.log.length;
  const source = pageSourceFromClient(client);
  // The pass reads its next invoice page only once the listener has written the record: the write lands mid-pass.
  const gated = {
    ...source,
    fetchPage: async (...args: Parameters<typeof source.fetchPage>) => {
      if (added !== undefined && args[0] === 'invoice')
        await waitFor('the listener to write the record', async () => (await row('invoice', added!))?.d === false);
      return source.fetchPage(...args);
    },
  };
  const { error, result } = await runSyncOnDb(
    s.db,
    s.manifest,
    {
      mode: 'full',
      concurrency: 1,
      reportDir: false,
      onProgress: (event) => {
        // After the pass has read the first invoice page: a record created "before" it, which its pages never see.
        if (event.kind === 'page-done' && event.type === 'invoice' && added === undefined) {
          added = s.fake.mutate.insert('invoice')._id as string;
          s.fake.mutate.modify('invoice', added, { 'Created Date': early });
        }
      },
    },
    { source: gated },
  );
  expect(error).toBeNull();
  expect(added).toBeDefined();
  expect(s.fake.log.slice(logFrom).filter((e) => e.kind === 'list' && e.type === 'invoice').length).toBeGreaterThan(1);
  expect(result.tables.find((t) => t.type === 'invoice')!.softDeleted).toBe(0);
  // The pass asked Bubble to confirm no id of it: the row was never a candidate.
  const asked = s.fake.log.slice(logFrom).filter((e) => e.kind === 'list' && JSON.stringify(e.constraints ?? '').includes(added!));
  expect(asked).toEqual([]);
  expect(await s.differences([{ type: 'invoice', id: added! }])).toEqual([]);
});

test.each([
  ['deleted', 'marked deleted again'],
  ['modified', 'written again as the app has it'],
] as const)(
  'a record %s while a sync runs, then overwritten by that sync with an older read, is %s when the sync ends',
  async (change, _outcome) => {
    const jobId = `job-${change}`;
    await s.db.execute(`INSERT INTO sync_jobs (id, status, mode, types, updated_at) VALUES ($1, 'RUNNING', 'incremental', '[]', now())`, [
      jobId,
    ]);
    const id = s.fake.data.idOf('payment', change === 'deleted' ? 11 : 12);
    const before = [...s.fake.allRecords('payment')].find((r) => r._id === id) as BubbleRecord;
    if (change === 'deleted') s.fake.mutate.delete('payment', id);
    else s.fake.mutate.modify('payment', id, { 'Legacy Code': 'newer' });
    await waitFor('the event to apply', async () => {
      const [e] = await s.db.query<{ status: string; watch: string | null }>(
        `SELECT status, watch_job_id AS watch FROM sync_events WHERE bubble_id = $1 ORDER BY id DESC LIMIT 1`,
        [id],
      );
      return e?.status === 'APPLIED' && e.watch === jobId;
    });
    // The running sync's page, read before the change, commits after it.
    await s.db.transaction((tx) =>
      createPageWriter().write(
        tx,
        s.manifest.types.find((t) => t.name === 'payment')!,
        [before],
        { jobId, position: 0 },
      ),
    );
    expect((await row('payment', id))!.job).toBe(jobId);
    expect(await s.differences([{ type: 'payment', id }])).not.toEqual([]);
    await s.db.execute(`UPDATE sync_jobs SET status = 'COMPLETED' WHERE id = $1`, [jobId]);
    await waitFor('the record to be applied again', async () => (await s.differences([{ type: 'payment', id }])).length === 0, 30_000);
    const events = await s.db.query<{ status: string; watch: string | null }>(
      `SELECT status, watch_job_id AS watch FROM sync_events WHERE bubble_id = $1 ORDER BY id`,
      [id],
    );
    expect(events).toEqual([
      { status: 'APPLIED', watch: null },
      { status: 'APPLIED', watch: null },
    ]);
  },
);
