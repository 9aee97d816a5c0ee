/**
 * A failed run's cause as data: `{code, message, hint}` for `sync --json`, the run report and `status`.
 * SyncJob.error stores it as JSON text; jobs written before that hold plain text, which still reads.
 */
import type { SyncErrorInfo } from '../api.js';
import { BubbleError } from '../../core/errors.js';

/** The code, first line and hint of any error (typed errors keep theirs; anything else is SYNC_ERROR). */
export function describeError(err: unknown): SyncErrorInfo {
  if (err instanceof BubbleError) return { code: err.code, message: firstLine(err.message), ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'SYNC_ERROR', message: firstLine(err instanceof Error ? err.message : String(err)) };
}

export function encodeJobError(info: SyncErrorInfo): string {
  return JSON.stringify(info);
}

/** SyncJob.error back as `{code, message, hint}`; a plain-text value from an older version becomes its message. */
export function decodeJobError(text: string | null): SyncErrorInfo | null {
  if (text === null || text.trim() === '') return null;
  try {
    const parsed = JSON.parse(text) as Partial<SyncErrorInfo> | null;
    if (parsed && typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      return { code: parsed.code, message: parsed.message, ...(typeof parsed.hint === 'string' ? { hint: parsed.hint } : {}) };
    }
  } catch {
    // plain text
  }
  return { code: 'SYNC_FAILED', message: text };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
