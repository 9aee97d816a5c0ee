/** Introspect's defaults, apart so the CLI can show them in `--help` without loading introspect. */

/** Records sampled per type. */
export const DEFAULT_SAMPLE = 200;
