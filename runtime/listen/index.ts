/**
 * `bubble-runtime listen` as a library: the receiver and the applying worker over one database.
 * Events are recorded by the HTTP side and applied by the worker in the same process; several such
 * processes on one PostgreSQL database share the work.
 */
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../../core/manifest/schema.js';
import type { BubbleClient } from '../bubble/index.js';
import type { Db } from '../db/types.js';
import { EventStore, eventState } from './event-store.js';
import { typeIndex } from './events.js';
import { createReceiver } from './server.js';
import { EventWorker, type WorkerCounts } from './worker.js';

export { EventStore, eventState, APPLIED_RETENTION_DAYS, retryDelayMs, type EventQueueStatus, type EventState } from './event-store.js';
export { listenSettingsFromEnv, webhookSecretFromEnv, type ListenSettings } from './settings.js';
export { EVENTS_PATH, HEALTH_PATH, STATUS_PATH, BODY_LIMIT_BYTES } from './server.js';
export { MAX_EVENTS_PER_REQUEST } from './events.js';

export interface ListenerOptions {
  db: Db;
  manifest: Manifest;
  client: BubbleClient;
  secret: string;
  host?: string;
  /** 0 = any free port (the listener's `url` says which). */
  port?: number;
  /** Records applied at once. */
  concurrency: number;
  /** Start applying at once (default true); tests start the worker themselves. */
  apply?: boolean;
  holdLocks?: boolean;
  pollMs?: number;
  log?: (line: string) => void;
}

export interface Listener {
  /** http://host:port */
  readonly url: string;
  readonly worker: EventWorker;
  readonly counts: WorkerCounts;
  /** Stops receiving, then stops applying (events in flight stay pending). */
  close(): Promise<void>;
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const store = new EventStore(options.db, eventState(options.manifest));
  // A database without the table fails here with the "run migrate" hint, not at the first event.
  await store.check();
  const worker = new EventWorker({
    db: options.db,
    manifest: options.manifest,
    client: options.client,
    concurrency: options.concurrency,
    ...(options.holdLocks === undefined ? {} : { holdLocks: options.holdLocks }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.log ? { log: options.log } : {}),
  });
  const app = createReceiver({
    secret: options.secret,
    types: typeIndex(options.manifest.types),
    db: options.db,
    record: async (events) => {
      await store.record(events);
      worker.wake();
    },
    status: () => store.status(),
    ...(options.log ? { log: options.log } : {}),
  });
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8787 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (options.apply !== false) worker.start();
  return {
    url: `http://${host}:${address.port}`,
    worker,
    counts: worker.counts,
    async close() {
      await app.close();
      await worker.stop();
    },
  };
}
