/**
 * The page pool: how many page requests of a job are in flight at once, shared by every table the job
 * reads at the same time. A waiting request with a lower priority number goes first, so the table being
 * finished keeps the slots it can use and the next tables only fill what it leaves idle (its lone first
 * page, the tail of a window). The capacity is read on every grant, so it can follow the app's latency.
 */

export interface PagePool {
  /** Waits for a slot; resolves to its release function. Rejects with the signal's reason when aborted first. */
  acquire(priority: number, signal?: AbortSignal): Promise<() => void>;
  /** Requests in flight now. */
  readonly active: number;
}

interface Waiter {
  priority: number;
  seq: number;
  grant: () => void;
}

export function createPagePool(capacity: () => number): PagePool {
  let active = 0;
  let seq = 0;
  const waiting: Waiter[] = [];

  const release = (): void => {
    active -= 1;
    pump();
  };
  const pump = (): void => {
    while (waiting.length > 0 && active < Math.max(1, capacity())) {
      let best = 0;
      for (let i = 1; i < waiting.length; i++) {
        const w = waiting[i]!;
        const b = waiting[best]!;
        if (w.priority < b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i;
      }
      const [next] = waiting.splice(best, 1);
      active += 1;
      next!.grant();
    }
  };

  return {
    get active() {
      return active;
    },
    acquire(priority, signal) {
      return new Promise<() => void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        let released = false;
        const once = (): void => {
          if (released) return;
          released = true;
          release();
        };
        const waiter: Waiter = {
          priority,
          seq: seq++,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(once);
          },
        };
        const onAbort = (): void => {
          const i = waiting.indexOf(waiter);
          if (i >= 0) waiting.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
        pump();
      });
    },
  };
}

/** The app answers about this many page queries at once with near-linear scaling; no point in more. */
export const MAX_ADAPTIVE_CONCURRENCY = 16;
/** In flight when the rate is not capped and nothing is set: enough to hide latency, gentle on the app. */
export const UNCAPPED_CONCURRENCY = 8;
/** Latency assumed until the first answer (Bubble answers a page in about 0.3–1 s). */
const ASSUMED_LATENCY_MS = 500;

/**
 * Pages to keep in flight when SYNC_CONCURRENCY is not set: enough to keep the rate limiter busy at the
 * latency the app shows (Little's law: rate × latency, plus headroom for jitter), bounded.
 */
export function adaptiveConcurrency(rateLimitRpm: number, latencyMs: number | null): number {
  if (rateLimitRpm <= 0) return UNCAPPED_CONCURRENCY;
  const perSecond = rateLimitRpm / 60;
  const needed = Math.ceil(perSecond * ((latencyMs ?? ASSUMED_LATENCY_MS) / 1000) * 1.25) + 1;
  return Math.min(MAX_ADAPTIVE_CONCURRENCY, Math.max(2, needed));
}
