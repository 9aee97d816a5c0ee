/**
 * `bubble-runtime demo [--records N] [--latency ms] [--dir D] [--concurrency N] [--json]`: the whole
 * product on the bundled sample app, no token, server or network needed. See runtime/demo/run.ts.
 */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { UsageError } from '../../../core/errors.js';
import { DEMO_DEFAULTS } from '../../demo/defaults.js';

interface DemoFlags {
  records?: string;
  latency?: string;
  dir?: string;
  concurrency?: string;
  json?: boolean;
}

function wholeNumber(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} takes a whole number ≥ ${min}, got ${JSON.stringify(raw)}.`);
  return value;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole product on the bundled sample Bubble app: start it on 127.0.0.1, introspect, generate, migrate and sync into an embedded database under ./.bubble/, and write a run report. Run it twice to see an incremental sync.',
    )
    .option('--records <n>', `records in the sample app (default ${DEMO_DEFAULTS.records.toLocaleString('en-US')})`)
    .option(
      '--latency <ms>',
      `sample app latency per call (default ${DEMO_DEFAULTS.latencyMs} ms + up to ${DEMO_DEFAULTS.jitterMs} ms jitter)`,
    )
    .option('--dir <dir>', 'folder to run in (default: the current directory)')
    .option('--concurrency <n>', 'pages in flight (default SYNC_CONCURRENCY, else adaptive: enough to keep the rate limit busy)')
    .option('--json', 'print one JSON document: the sync result plus {demo: {run, changes, report, database}}')
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('../../demo/run.js');
      const { createRunOutput } = await import('../progress/run-output.js');
      const records = wholeNumber('--records', flags.records, 1);
      const latencyMs = wholeNumber('--latency', flags.latency, 0);
      const { parseVariable } = await import('../../../core/settings/index.js');
      const concurrency = parseVariable('SYNC_CONCURRENCY', flags.concurrency, '--concurrency');
      const cwd = process.cwd();
      const json = flags.json === true;
      const out = createRunOutput({ json, cwd });
      const say = (line: string): void => {
        if (!json) process.stdout.write(`${line}\n`);
      };
      const controller = new AbortController();
      // Ctrl-C: the pages in flight commit, the job stays resumable, and the next demo run resumes it.
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let outcome: Awaited<ReturnType<typeof runDemo>>;
      try {
        outcome = await runDemo({
          dir: flags.dir ?? cwd,
          ...(records !== undefined ? { records } : {}),
          ...(latencyMs !== undefined ? { latencyMs } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          onProgress: out.onProgress,
          onStep: say,
          signal: controller.signal,
        });
      } catch (err) {
        out.abort();
        throw err;
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      const { layout, result, written, changes } = outcome;
      const rel = (p: string): string => relative(cwd, p) || '.';
      if (json) {
        out.abort();
        process.stdout.write(
          `${JSON.stringify({
            ...result,
            demo: {
              run: outcome.run,
              changes,
              report: written ? rel(written.markdown) : null,
              database: rel(layout.database),
              project: rel(layout.project),
            },
          })}\n`,
        );
      } else {
        await out.finish(result, layout.reports);
        say(`  Database: ${rel(layout.database)} (embedded PGlite) · sample project: ${rel(layout.project)}`);
        say(`  Look around: cd ${rel(layout.project)} && npx bubble-runtime status`);
        if (result.status === 'COMPLETED' && outcome.run === 1) {
          say('\nRun the same command again to see an incremental sync: the sample app will have changed a few records by then.');
        } else if (result.status === 'COMPLETED') {
          say(`\nThat was incremental sync number ${outcome.run - 1}: only records modified since the last run were read.`);
        } else if (result.status === 'PENDING') {
          say('\nInterrupted: run the demo again to resume where it stopped.');
        }
      }
      if (outcome.error) throw outcome.error;
    });
}
