/** Test helpers: an injected clock that records sleeps instead of waiting, and output capture. */
import type { ClientClock } from '../../runtime/bubble/index.js';

export interface RecordingClock extends ClientClock {
  /** Every sleep the client asked for, in ms, in order. */
  readonly sleeps: number[];
}

/** Time moves only when the client sleeps; nothing waits on the wall clock. */
export function recordingClock(start = 1_700_000_000_000): RecordingClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** A fixed "random" source, so backoff jitter is predictable. */
export const half = (): number => 0.5;
