/**
 * The whole product in one call, with nothing but this package: start the bundled sample Bubble app
 * (the fake Data API) on 127.0.0.1 with realistic latency, introspect it, generate the models and the
 * manifest, migrate the demo's embedded PGlite database, and sync it with a run report. A second run
 * replays deterministic app changes and syncs incrementally.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { startFakeBubble, type FakeBubble } from '../fake-bubble/index.js';
import { DEFAULT_SEED } from '../sample-app/index.js';
import { generate } from '../../generator/generate.js';
import type { Manifest } from '../../core/manifest/schema.js';
import type { ProgressEvent, SyncResult } from '../api.js';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { introspect } from '../introspect/introspect.js';
import { migrate } from '../migrate/migrate.js';
import { resolveSchema } from '../project/schema.js';
import type { SyncReport } from '../report/types.js';
import type { WrittenReport } from '../report/writer.js';
import { openSyncSession } from '../sync/session.js';
import { SyncStateStore } from '../sync/state-store.js';
import { resolveSyncSettings } from '../../core/settings/index.js';
import { applyDemoRounds, incrementalOverlapFor, type ChangeSummary } from './changes.js';
import { DEMO_DEFAULTS } from './defaults.js';
import { demoLayout, demoPrismaConfig, demoSchemaPrisma, type DemoLayout } from './layout.js';

export { DEMO_DEFAULTS };

export interface DemoOptions {
  dir: string;
  records?: number;
  /** Base latency per call, ms (jitter adds up to a quarter more, at least 0). */
  latencyMs?: number;
  /** Pages in flight; default SYNC_CONCURRENCY, else 3. */
  concurrency?: number;
  /** Requests per minute; default SYNC_RATE_LIMIT_RPM, else 600. */
  rateLimitRpm?: number;
  seed?: number;
  /** The sample app's token (default: random per run); tests pass one to prove it never leaks. */
  token?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Step messages ("Starting the sample app…"). */
  onStep?: (message: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface DemoOutcome {
  layout: DemoLayout;
  /** 1 for the first run on this folder, 2 for the second, … */
  run: number;
  /** The app changes replayed before this run (none on the first run). */
  changes: ChangeSummary | null;
  result: SyncResult;
  /** The run report (null when it could not be written; a warning said why). */
  report: SyncReport | null;
  written: WrittenReport | null;
  manifest: Manifest;
  /** Set when the sync stopped with an error (the result and report still describe it). */
  error: unknown;
}

interface DemoState {
  version: 1;
  seed: number;
  records: number;
  runs: number;
}

function readState(layout: DemoLayout): DemoState | null {
  try {
    const state = JSON.parse(readFileSync(layout.state, 'utf8')) as DemoState;
    return state.version === 1 ? state : null;
  } catch {
    return null;
  }
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const layout = demoLayout(options.dir);
  const env = options.env ?? process.env;
  const step = options.onStep ?? (() => undefined);
  const seed = options.seed ?? DEFAULT_SEED;
  const records = options.records ?? DEMO_DEFAULTS.records;
  const latencyMs = options.latencyMs ?? DEMO_DEFAULTS.latencyMs;
  const jitterMs = options.latencyMs === undefined ? DEMO_DEFAULTS.jitterMs : Math.round(latencyMs / 4);
  const settings = resolveSyncSettings({ options: { concurrency: options.concurrency, rateLimitRpm: options.rateLimitRpm }, env });

  // A different data set than the one the demo database holds starts the demo over (it is all demo data).
  let state = readState(layout);
  if (state && (state.seed !== seed || state.records !== records)) {
    step(`The demo folder holds a ${state.records}-record sample; starting over with ${records} records.`);
    rmSync(layout.project, { recursive: true, force: true });
    state = null;
  }
  const run = (state?.runs ?? 0) + 1;

  step(
    `Starting the sample Bubble app on 127.0.0.1 (${records.toLocaleString('en-US')} records, ~${latencyMs + jitterMs / 2} ms per call)…`,
  );
  // A throwaway token: the demo's client and server share it in memory; it is never printed or stored.
  const app = await startFakeBubble({ seed, records, latencyMs, jitterMs, token: options.token ?? randomBytes(18).toString('base64url') });
  let db: Db | null = null;
  try {
    const changes = run > 1 ? applyDemoRounds(app, run - 1) : null;
    if (changes)
      step(
        `Replaying app changes since the last demo run: ${changes.modified} records edited, ${changes.inserted} added (deterministic demo round ${run - 1}).`,
      );

    const session = openSyncSession({
      settings,
      app: { url: app.url, token: app.token },
      onProgress: options.onProgress,
      reportDir: layout.reports,
      appHost: '127.0.0.1 (sample app)',
    });

    step('Introspecting the app: /meta and a sample page of every type…');
    // The same introspect as `bubble-runtime introspect`: merged append-only into the demo's dictionary.
    const { dictionary } = await introspect({ client: session.client, out: layout.dictionary, sample: DEMO_DEFAULTS.sample });

    step('Generating Prisma models and the sync manifest…');
    mkdirSync(layout.schemaDir, { recursive: true });
    writeIfChanged(`${layout.schemaDir}/schema.prisma`, demoSchemaPrisma());
    writeIfChanged(layout.config, demoPrismaConfig());
    const generated = await generate({
      dictionary,
      dictionaryPath: layout.dictionary,
      schemaDir: layout.schemaDir,
      outputDir: layout.generated,
    });
    const manifest = generated.manifest;

    step('Migrating the embedded database (PGlite)…');
    db = await openDb({ pgliteDir: layout.database });
    const location = await resolveSchema({ schema: layout.schemaDir, cwd: layout.project });
    await migrate({ db, schemaDir: location.schemaDir, files: location.files, migrationsDir: location.migrationsDir, manifest });

    // See changes.ts: reach back to the sample app's latest edits (its calendar is not the wall clock).
    let incrementalOverlapMs: number | undefined;
    if (changes?.since) {
      const store = new SyncStateStore(db, manifest.state, manifest.types);
      const hwms = await Promise.all(manifest.types.map((t) => store.highWaterMark(t.table)));
      incrementalOverlapMs = incrementalOverlapFor(hwms, changes.since);
    }

    step(run === 1 ? 'Syncing every record (a full sync)…' : 'Syncing what changed (an incremental sync)…');
    const { result, error, report, written } = await session.run(db, manifest, {
      // The app was just introspected through this client: no separate check.
      check: false,
      // Every demo run serves the same sample app on a fresh port: one identity, so run 2 is incremental.
      appIdentity: `sample-app:${seed}`,
      incrementalOverlapMs,
      signal: options.signal,
    });
    // Only a completed run counts: an interrupted or failed one is resumed by the next demo run with the same app state.
    if (result.status === 'COMPLETED') {
      writeFileSync(layout.state, `${JSON.stringify({ version: 1, seed, records, runs: run } satisfies DemoState, null, 2)}\n`);
    }
    return { layout, run, changes, result, report, written, manifest, error };
  } finally {
    await db?.close().catch(() => undefined);
    await app.close();
  }
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}

export type { FakeBubble };
