/**
 * `listen` on the embedded PGlite database, which one process at a time may open: listen applies
 * events there like on PostgreSQL (its queue readable over HTTP meanwhile), a `sync` started while
 * listen runs is refused with a line naming listen, and listen is refused while a sync holds the folder.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { openDb } from '../../runtime/db/open.js';
import type { EventQueueStatus } from '../../runtime/listen/index.js';
import { cliProject, type CliProject } from '../sync/support/cli-project.js';
import { createSchema } from '../sync/support/schema.js';
import { SECRET, waitFor } from './support.js';

let p: CliProject;
const children: ChildProcessWithoutNullStreams[] = [];
/** No DATABASE_URL: the embedded database in <project>/.bubble/pglite. */
const PGLITE_ENV = { DATABASE_URL: '', BUBBLE_WEBHOOK_SECRET: SECRET, LISTEN_RATE_LIMIT_RPM: '0' };

beforeAll(async () => {
  p = await cliProject({ records: 200, latencyMs: 2 });
  const db = await openDb({ pgliteDir: join(p.dir, '.bubble', 'pglite') });
  await createSchema(db, p.manifest);
  await db.close();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  p.fake.setWebhook(null);
  await p.fake.webhook.idle();
  await p.close();
});

function start(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = p.start(args, PGLITE_ENV);
  children.push(child);
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text, exited: new Promise((done) => child.on('close', (code) => done(code))) };
}

test('listen applies events into PGlite; a sync meanwhile is refused naming listen, and runs once listen stops', async () => {
  expect((await p.cli(['sync', '--mode', 'full'], PGLITE_ENV)).code).toBe(0);
  const listen = start(['listen', '--port', '0']);
  await waitFor('listen to start', () => /Listening on http:\/\/\S+:/.test(listen.output()) || listen.child.exitCode !== null);
  const url = /Listening on (http:\/\/\S+):/.exec(listen.output())![1]!;
  p.fake.setWebhook({ url: `${url}/bubble/events`, secret: SECRET });
  const id = p.fake.data.idOf('invoice', 4);
  p.fake.mutate.delete('invoice', id);
  const added = p.fake.mutate.insert('invoice')._id as string;
  const status = async () =>
    (await (await fetch(`${url}/bubble/status`, { headers: { authorization: `Bearer ${SECRET}` } })).json()) as EventQueueStatus;
  await waitFor('both events to apply', async () => (await status()).appliedLastDay === 2 && (await status()).pending === 0);

  const refused = await p.cli(['sync'], PGLITE_ENV);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/The embedded database .* is in use by bubble-runtime listen, process \d+ on /);
  expect(refused.stderr).toMatch(/PGlite is single-process: wait for that process to finish \(or stop it\), or set DATABASE_URL/);

  listen.child.kill('SIGTERM');
  expect(await listen.exited).toBe(0);
  p.fake.setWebhook(null);
  const db = await openDb({ pgliteDir: join(p.dir, '.bubble', 'pglite') });
  try {
    expect(
      await db.query(`SELECT "_id" AS id, "_is_deleted" AS d FROM invoice WHERE "_id" = ANY($1::text[]) ORDER BY "_is_deleted"`, [
        [id, added],
      ]),
    ).toEqual([
      { id: added, d: false },
      { id, d: true },
    ]);
  } finally {
    await db.close();
  }
  expect((await p.cli(['sync'], PGLITE_ENV)).code).toBe(0);
  expect(listen.output()).not.toContain(SECRET);
});

test('listen is refused while a sync holds the embedded database', async () => {
  // A sync that stays running: the app stops answering after its first requests.
  p.fake.faults.hang({ skip: 2, times: Infinity });
  const sync = start(['sync', '--mode', 'full']);
  const from = p.fake.log.length;
  await waitFor('the sync to be under way', () => p.fake.log.slice(from).some((e) => e.fault === 'hang'));
  const refused = await p.cli(['listen', '--port', '0'], PGLITE_ENV);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/The embedded database .* is in use by process \d+ on /);
  expect(refused.stderr).toMatch(/set DATABASE_URL to a PostgreSQL server to run several at once \(e\.g\. listen beside a nightly sync\)/);
  sync.child.kill('SIGTERM');
  await sync.exited;
  p.fake.faults.clear();
});
