/** The demo's defaults, apart so `demo --help` can show them without loading the demo. */
export const DEMO_DEFAULTS = {
  records: 10_000,
  /** Mean latency ≈ 322 ms, what a real Bubble app answers in: 280 ms + up to 80 ms jitter. */
  latencyMs: 280,
  jitterMs: 80,
  /** Records sampled per type by introspect. */
  sample: 100,
} as const;
