/**
 * The listener's test setting: the sample app served by the fake Data API (its database triggers
 * pointed at the listener), the generated manifest, and a PostgreSQL database with the generated
 * tables. `start()` runs the listener in this process; the CLI tests run it as a child instead.
 */
import { randomBytes } from 'node:crypto';
import type { FakeBubble, FakeBubbleOptions } from '../../runtime/fake-bubble/index.js';
import type { Manifest } from '../../core/manifest/schema.js';
import { createBubbleClient, createGate } from '../../runtime/bubble/index.js';
import { openDb } from '../../runtime/db/open.js';
import type { Db } from '../../runtime/db/types.js';
import { startListener, type Listener, type ListenerOptions } from '../../runtime/listen/index.js';
import type { BubbleRecord } from '../../runtime/sync/ports.js';
import { pageSourceFromClient } from '../../runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../runtime/sync/runner.js';
import { createTestDatabase } from '../support/database.js';
import { mismatches } from '../sync/support/compare.js';
import { startSampleApp } from '../sync/support/sample-project.js';
import { createSchema } from '../sync/support/schema.js';

export const SECRET = `test-secret-${randomBytes(12).toString('hex')}`;

export interface EventRow extends Record<string, unknown> {
  id: string;
  bubble_type: string;
  bubble_id: string;
  event: string;
  status: string;
  attempts: number;
  outcome: string | null;
  last_error: string | null;
  watch_job_id: string | null;
}

export interface ListenSetting {
  fake: FakeBubble;
  manifest: Manifest;
  db: Db;
  databaseUrl: string;
  /** Starts the listener in this process on a free port, the fake app's triggers pointed at it. */
  start(options?: Partial<ListenerOptions> & { rateLimitRpm?: number }): Promise<Listener>;
  /** POSTs a body (a string is sent as is) to the running listener. */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  events(): Promise<EventRow[]>;
  /** A full sync of the app into the database, in this process. */
  sync(): Promise<void>;
  /** Differences between the database and the app for these records (ids per type), empty when equal. */
  differences(ids: ReadonlyArray<{ type: string; id: string }>): Promise<string[]>;
  close(): Promise<void>;
}

export async function listenSetting(options: FakeBubbleOptions = {}): Promise<ListenSetting> {
  const { fake, manifest } = await startSampleApp({ records: 300, ...options });
  const database = await createTestDatabase('listen');
  const db = await openDb({ databaseUrl: database.url, poolSize: 16 });
  await createSchema(db, manifest);
  let listener: Listener | undefined;
  const setting: ListenSetting = {
    fake,
    manifest,
    db,
    databaseUrl: database.url,
    async start(extra = {}) {
      const { rateLimitRpm = 0, ...rest } = extra;
      const concurrency = rest.concurrency ?? 4;
      const client = createBubbleClient({
        appUrl: fake.url,
        token: fake.token,
        rateLimitRpm,
        maxInFlight: concurrency,
        gate: createGate(rateLimitRpm, concurrency),
        retry: { maxAttempts: 2 },
      });
      listener = await startListener({ db, manifest, client, secret: SECRET, port: 0, concurrency, ...rest });
      fake.setWebhook({ url: `${listener.url}/bubble/events`, secret: SECRET });
      return listener;
    },
    async post(body, headers = { authorization: `Bearer ${SECRET}` }) {
      if (!listener) throw new Error('start() the listener first');
      const response = await fetch(`${listener.url}/bubble/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async sync() {
      const client = createBubbleClient({ appUrl: fake.url, token: fake.token, rateLimitRpm: 0, maxInFlight: 4, gate: createGate(0, 4) });
      const { error } = await runSyncOnDb(
        db,
        manifest,
        { mode: 'full', concurrency: 4, reportDir: false },
        { source: pageSourceFromClient(client) },
      );
      if (error !== null) throw error;
    },
    events: () =>
      db.query<EventRow>(
        'SELECT id::text AS id, bubble_type, bubble_id, event, status, attempts, outcome, last_error, watch_job_id FROM sync_events ORDER BY id',
      ),
    async differences(ids) {
      const problems: string[] = [];
      for (const { type, id } of ids) {
        const record = [...fake.allRecords(type)].find((r) => r._id === id) as BubbleRecord | undefined;
        const t = manifest.types.find((m) => m.name === type)!;
        if (record) {
          const rows = await mismatches(db, manifest, type, [record]);
          problems.push(...rows.filter((p) => p.startsWith(`${type} ${id}:`)));
        } else {
          const [row] = await db.query<{ _is_deleted: boolean; _deleted_at: unknown }>(
            `SELECT "_is_deleted", "_deleted_at" FROM "${t.table}" WHERE "_id" = $1`,
            [id],
          );
          if (row && (!row._is_deleted || row._deleted_at === null))
            problems.push(`${type} ${id}: deleted in the app, live in the database`);
        }
      }
      return problems;
    },
    async close() {
      fake.setWebhook(null);
      await listener?.close();
      await fake.webhook.idle();
      await fake.close();
      await db.close();
      await database.drop();
    },
  };
  return setting;
}

/** Waits until `condition` holds, checking every 20 ms; fails after `timeoutMs` (the failure, not a pace). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
