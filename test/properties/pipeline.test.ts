/**
 * Property: any hostile app — awkward names everywhere, records full of lone surrogates, U+0000, numbers
 * a double cannot hold, JSON nested past the storage limit, sparse and wrong-typed values — goes through
 * introspect → generate → `prisma validate` → tsc → migrate → sync on PostgreSQL and on PGlite, and every
 * row then equals what the app served (docs/type-mapping.md's replacements applied). Seeded and bounded
 * (three apps); `npm run properties` runs many more.
 */
import fc from 'fast-check';
import { BACKENDS } from '../db/support.js';
import { hostileApp } from './support/hostile.js';
import { runPipeline } from './support/pipeline.js';

/** `npm run properties` sets PROPERTIES_RUNS (default there: 40); PROPERTIES_SEED replays another sequence. */
const RUNS = Number(process.env.PROPERTIES_RUNS ?? 3);
const SEED = Number(process.env.PROPERTIES_SEED ?? 20251202);

test(
  'property: hostile apps generate, validate, type-check, migrate and sync on PostgreSQL and PGlite with every value equal to the app',
  async () => {
    await fc.assert(
      fc.asyncProperty(hostileApp({ maxTypes: 3, maxFields: 6, records: 12 }), async (h) => {
        expect(await runPipeline(h, { backends: BACKENDS, checkSchema: true })).toEqual([]);
      }),
      // A failing app is printed and not shrunk: each step reruns the whole product.
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  },
  120_000 * (RUNS + 2),
);
