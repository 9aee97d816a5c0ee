/** `bubble-runtime introspect --out <file> [--types a,b] [--sample N] [--app-url URL] [--json]` */
import type { Command } from 'commander';
import { UsageError } from '../../../core/errors.js';
import { DEFAULT_SAMPLE } from '../../introspect/defaults.js';

interface IntrospectFlags {
  out: string;
  types?: string;
  sample?: string;
  appUrl?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('introspect')
    .description(
      "Read the app's Data API (/meta and a sample of records per type) and write the data dictionary. An existing dictionary is merged append-only: known types and fields keep their order, new ones are appended, vanished ones are marked removed.",
    )
    .option('--out <file>', 'data dictionary to write (merged into when it exists)', 'bubble/dictionary.json')
    .option('--types <list>', 'comma-separated type names (default: every exposed type)')
    .option('--sample <n>', `records sampled per type (default ${DEFAULT_SAMPLE})`)
    .option('--app-url <url>', 'app URL (overrides BUBBLE_APP_URL); the token always comes from BUBBLE_API_TOKEN')
    .option('--json', 'print the summary as one JSON document')
    .action(async (flags: IntrospectFlags) => {
      const { clientFromEnv } = await import('../../bubble/index.js');
      const { introspect, renderSummary } = await import('../../introspect/index.js');
      const { useColour } = await import('../progress/format.js');
      const sample = flags.sample === undefined ? DEFAULT_SAMPLE : Number(flags.sample);
      if (!Number.isInteger(sample) || sample < 0) throw new UsageError(`--sample must be a whole number ≥ 0, got "${flags.sample}".`);
      const types = flags.types
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (flags.types !== undefined && (!types || types.length === 0))
        throw new UsageError('--types needs at least one type name, e.g. --types user,invoice.');
      const client = clientFromEnv({ appUrl: flags.appUrl });
      const result = await introspect({ client, out: flags.out, sample, ...(types ? { types } : {}) });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ out: flags.out, ...result.summary })}\n`);
        return;
      }
      const color = useColour(process.stdout.isTTY === true);
      process.stdout.write(renderSummary(result.summary, flags.out, color ? (s) => `\u001b[1m${s}\u001b[22m` : undefined));
    });
}
