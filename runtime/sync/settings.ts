/**
 * Sync settings as the runner and the generated `syncAll` see them: explicit options win, then the
 * environment, then defaults — resolved by core/settings, the one place that parses them.
 */
import type { SyncMode, SyncOptions } from '../api.js';
import { UsageError } from '../../core/errors.js';
import { resolveSyncSettings, type Env, type SyncSettings } from '../../core/settings/index.js';

export type { SyncSettings } from '../../core/settings/index.js';

export function resolveSettings(options: SyncOptions & { incrementalOverlapMs?: number }, env: Env = process.env): SyncSettings {
  return resolveSyncSettings({ options, env });
}

export function parseMode(raw: string | undefined): SyncMode | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'full' || raw === 'incremental') return raw;
  throw new UsageError(`--mode must be "full" or "incremental", got ${JSON.stringify(raw)}.`);
}
