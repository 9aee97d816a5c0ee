/**
 * Sync settings: explicit options win, then the environment variables DESIGN.md fixes, then defaults.
 * Pure apart from reading `env`, so the CLI and the generated `syncAll` resolve them identically.
 */
import type { SyncMode, SyncOptions } from '../api.js';
import { UsageError } from '../errors.js';

export interface SyncSettings {
  /** Pages in flight (≥ 1); null = adapt to the app's latency so the rate limit is used. */
  concurrency: number | null;
  /** Requests per minute to the app, retries included; 0 = no cap. */
  rateLimitRpm: number;
  /** Deepest offset used inside one keyset window. */
  maxOffset: number;
  /** How far before the last completed run's high-water mark an incremental run starts (clock skew, in-flight writes). */
  incrementalOverlapMs: number;
  /** Largest share of a table's live rows one full pass may mark deleted without `allowMassDelete`. */
  maxDeleteFraction: number;
  allowMassDelete: boolean;
}

export const DEFAULT_MAX_DELETE_FRACTION = 0.1;
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

function fractionFrom(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${name} must be a number from 0 to 1, got ${JSON.stringify(String(raw))}.`);
  }
  return value;
}

export function resolveSettings(options: SyncOptions & { incrementalOverlapMs?: number }, env: Env = process.env): SyncSettings {
  return {
    concurrency: (options.concurrency ?? env.SYNC_CONCURRENCY ?? '') === '' ? null : intFrom('SYNC_CONCURRENCY', options.concurrency ?? env.SYNC_CONCURRENCY, 1, 1),
    rateLimitRpm: intFrom('SYNC_RATE_LIMIT_RPM', options.rateLimitRpm ?? env.SYNC_RATE_LIMIT_RPM, DEFAULT_RATE_LIMIT_RPM, 0),
    // A window must hold at least two pages, or the overlap check between pages could never pass.
    maxOffset: intFrom('BUBBLE_MAX_OFFSET', options.maxOffset ?? env.BUBBLE_MAX_OFFSET, DEFAULT_MAX_OFFSET, 100),
    incrementalOverlapMs: intFrom(
      'SYNC_INCREMENTAL_OVERLAP_MS',
      options.incrementalOverlapMs ?? env.SYNC_INCREMENTAL_OVERLAP_MS,
      DEFAULT_INCREMENTAL_OVERLAP_MS,
      0,
    ),
    maxDeleteFraction: fractionFrom('SYNC_MAX_DELETE_FRACTION', options.maxDeleteFraction ?? env.SYNC_MAX_DELETE_FRACTION, DEFAULT_MAX_DELETE_FRACTION),
    allowMassDelete: options.allowMassDelete ?? ['1', 'true', 'yes'].includes((env.SYNC_ALLOW_MASS_DELETE ?? '').trim().toLowerCase()),
  };
}

export function parseMode(raw: string | undefined): SyncMode | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'full' || raw === 'incremental') return raw;
  throw new UsageError(`--mode must be "full" or "incremental", got ${JSON.stringify(raw)}.`);
}
