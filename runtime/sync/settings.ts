/**
 * Sync settings: explicit options win, then the environment variables DESIGN.md fixes, then defaults.
 * Pure apart from reading `env`, so the CLI and the generated `syncAll` resolve them identically.
 */
import type { SyncMode, SyncOptions } from '../api.js';
import { UsageError } from '../errors.js';

export interface SyncSettings {
  /** Pages in flight per table (≥ 1). */
  concurrency: number;
  /** Requests per minute to the app, retries included; 0 = no cap. */
  rateLimitRpm: number;
  /** Deepest offset used inside one keyset window. */
  maxOffset: number;
  /** How far before the last completed run's high-water mark an incremental run starts (clock skew, in-flight writes). */
  incrementalOverlapMs: number;
}

export const DEFAULT_CONCURRENCY = 1;
export const DEFAULT_RATE_LIMIT_RPM = 600;
export const DEFAULT_MAX_OFFSET = 10_000;
export const DEFAULT_INCREMENTAL_OVERLAP_MS = 5 * 60_000;

type Env = Record<string, string | undefined>;

function intFrom(name: string, raw: string | number | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(String(raw))}.`);
  }
  return value;
}

export function resolveSettings(options: SyncOptions & { incrementalOverlapMs?: number }, env: Env = process.env): SyncSettings {
  return {
    concurrency: intFrom('SYNC_CONCURRENCY', options.concurrency ?? env.SYNC_CONCURRENCY, DEFAULT_CONCURRENCY, 1),
    rateLimitRpm: intFrom('SYNC_RATE_LIMIT_RPM', options.rateLimitRpm ?? env.SYNC_RATE_LIMIT_RPM, DEFAULT_RATE_LIMIT_RPM, 0),
    // A window must hold at least two pages, or the overlap check between pages could never pass.
    maxOffset: intFrom('BUBBLE_MAX_OFFSET', options.maxOffset ?? env.BUBBLE_MAX_OFFSET, DEFAULT_MAX_OFFSET, 100),
    incrementalOverlapMs: intFrom(
      'SYNC_INCREMENTAL_OVERLAP_MS',
      options.incrementalOverlapMs ?? env.SYNC_INCREMENTAL_OVERLAP_MS,
      DEFAULT_INCREMENTAL_OVERLAP_MS,
      0,
    ),
  };
}

export function parseMode(raw: string | undefined): SyncMode | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'full' || raw === 'incremental') return raw;
  throw new UsageError(`--mode must be "full" or "incremental", got ${JSON.stringify(raw)}.`);
}
