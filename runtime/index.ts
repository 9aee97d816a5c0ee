/**
 * `prisma-generator-bubble/runtime`: what the generated `syncAll`/`sync<Type>` call, and what users
 * who drive a sync from their own code import.
 */
import type { PrismaLike, SyncOptions, SyncPlan, SyncResult } from './api.js';
import { dbFromPrisma } from './db/prisma.js';
import { SyncInterruptedError } from './sync/runner.js';
import { openSyncSession } from './sync/session.js';
import { resolveSettings } from './sync/settings.js';

export type {
  JobStatus,
  PrismaLike,
  PrismaTransactionLike,
  ProgressEvent,
  SyncErrorInfo,
  SyncMode,
  SyncOptions,
  SyncPlan,
  SyncResult,
  TableResult,
  TableStatus,
} from './api.js';
export { SyncFailedError, SyncInterruptedError, runSyncOnDb, selectTypes, jobResult } from './sync/runner.js';
export type { RunSyncOptions, SyncDeps, SyncRun } from './sync/runner.js';
export { SyncStateStore } from './sync/state-store.js';
export type { SyncCursorRow, SyncJobRow, SyncProgress } from './sync/state-store.js';
export { resolveSettings } from './sync/settings.js';
export type { PageSource, PageWriter, PageRequest, PageResponse, WriteResult } from './sync/ports.js';
export { pageSourceFromClient } from './sync/bubble-source.js';
export { SyncStoppedBeforeStartError } from './sync/preflight.js';

/**
 * Syncs the types of `plan` (the generated manifest's types and state tables) from the Bubble app (BUBBLE_APP_URL or `options.appUrl`, BUBBLE_API_TOKEN)
 * into the database behind `prisma`. Resolves to the run's result; an interrupted run (`signal`)
 * resolves too, with status PENDING (resumable). A run report goes to `options.reportDir` (default
 * `./.bubble/reports/<jobId>/`; `false` writes none). A failed run throws `SyncFailedError`, whose `result`
 * holds the same document; committed pages stay, and the next call resumes. Before any job exists, one
 * request checks the app URL, the token and the first type: a bad one throws its typed error (e.g.
 * `BubbleAuthError`), and a stop at that point throws `SyncStoppedBeforeStartError`.
 */
export async function runSync(prisma: PrismaLike, plan: SyncPlan, options: SyncOptions = {}): Promise<SyncResult> {
  const session = openSyncSession({
    settings: resolveSettings(options),
    appUrl: options.appUrl,
    onProgress: options.onProgress,
    reportDir: options.reportDir,
  });
  const { result, error } = await session.run(dbFromPrisma(prisma), plan, {
    mode: options.mode,
    types: options.types,
    signal: options.signal,
  });
  if (error instanceof SyncInterruptedError) return result;
  if (error !== null) throw error;
  return result;
}
// Value conversion and descriptors used by the generated adapters (`toRow`, `<Model>Descriptor`):
// generated code imports these names from `prisma-generator-bubble/runtime`; keep them exported.
export * from './convert/index.js';
export type { ColumnKind, Manifest, ManifestColumn, ManifestType, StandardColumns } from '../core/manifest/schema.js';
