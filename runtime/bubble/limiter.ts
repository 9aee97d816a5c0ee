/**
 * The request gate every call to one app passes: at most `maxInFlight` requests at once, and (unless
 * the cap is 0) one request per 60000/rpm ms, so the minute's budget is spread evenly instead of
 * spent in a burst. Retries pass the gate like first attempts. Shared per app so that everything
 * talking to the same app (several tables, several clients) stays under one budget.
 */
import pThrottle from 'p-throttle';

export interface Gate {
  /** Runs `fn` once a slot is free and the rate allows; resolves with the time spent waiting for the rate. */
  run<T>(fn: () => Promise<T>): Promise<{ value: T; rateWaitMs: number; queueWaitMs: number }>;
  readonly inFlight: number;
  readonly peakInFlight: number;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  get count(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

export function createGate(rateLimitRpm: number, maxInFlight: number, now: () => number = Date.now): Gate {
  const slots = new Semaphore(Math.max(1, Math.floor(maxInFlight)));
  const pass: () => Promise<void> =
    rateLimitRpm > 0
      ? pThrottle({ limit: 1, interval: 60_000 / rateLimitRpm, strict: true })(async () => undefined)
      : async () => undefined;
  let peak = 0;
  return {
    get inFlight() {
      return slots.count;
    },
    get peakInFlight() {
      return peak;
    },
    async run(fn) {
      const queued = now();
      await slots.acquire();
      const slotAt = now();
      try {
        await pass();
        // Without a cap nothing waits for the rate: a clock tick between two lines is not a wait.
        const rateWaitMs = rateLimitRpm > 0 ? now() - slotAt : 0;
        peak = Math.max(peak, slots.count);
        return { value: await fn(), rateWaitMs, queueWaitMs: slotAt - queued };
      } finally {
        slots.release();
      }
    },
  };
}

const shared = new Map<string, Gate>();

/** The gate for one app (origin), rate and in-flight cap; created on first use and then shared. */
export function sharedGate(appUrl: string, rateLimitRpm: number, maxInFlight: number): Gate {
  const key = `${new URL(appUrl).origin}|${rateLimitRpm}|${maxInFlight}`;
  let gate = shared.get(key);
  if (!gate) {
    gate = createGate(rateLimitRpm, maxInFlight);
    shared.set(key, gate);
  }
  return gate;
}
