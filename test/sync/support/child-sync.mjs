/**
 * A sync in a child process, for the SIGKILL tests (plain JavaScript over the compiled runtime in
 * dist/, so it needs no TypeScript loader): MANIFEST_PATH, CHILD_DATABASE_URL, FAKE_URL, FAKE_TOKEN and
 * SYNC_CONCURRENCY set. Prints one `page` line per committed page (the parent kills it after some
 * number of them) and `done` at the end.
 */
import { readFileSync } from 'node:fs';
import { openDb } from '../../../dist/runtime/db/open.js';
import { createBubbleClient, createGate } from '../../../dist/runtime/bubble/index.js';
import { pageSourceFromClient } from '../../../dist/runtime/sync/bubble-source.js';
import { runSyncOnDb } from '../../../dist/runtime/sync/runner.js';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const manifest = JSON.parse(readFileSync(env('MANIFEST_PATH'), 'utf8'));
const concurrency = Number(env('SYNC_CONCURRENCY'));
const db = await openDb({ databaseUrl: env('CHILD_DATABASE_URL') });
const client = createBubbleClient({
  appUrl: env('FAKE_URL'),
  token: env('FAKE_TOKEN'),
  rateLimitRpm: 0,
  maxInFlight: concurrency,
  gate: createGate(0, concurrency),
});
const { error } = await runSyncOnDb(
  db,
  manifest,
  { concurrency, reportDir: false, onProgress: (e) => e.kind === 'page-done' && process.stdout.write('page\n') },
  { source: pageSourceFromClient(client) },
);
await db.close();
process.stdout.write(error === null ? 'done\n' : `error ${String(error)}\n`);
process.exit(error === null ? 0 : 1);
