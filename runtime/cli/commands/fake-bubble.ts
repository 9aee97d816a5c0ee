/** `bubble-runtime fake-bubble [--records N] [--latency ms] [--jitter ms] [--port P] [--rate-limit rpm] [--max-offset N] [--seed S]` */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { untilStopped } from '../until-stopped.js';

interface FakeFlags {
  records: string;
  latency: string;
  jitter: string;
  port: string;
  rateLimit: string;
  maxOffset: string;
  seed: string;
  token?: string;
}

function whole(name: string, raw: string, min = 0): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${raw}".`);
  return value;
}

export function register(program: Command): void {
  program
    .command('fake-bubble')
    .description('Serve the sample Bubble app on 127.0.0.1 through a fake Data API (for the demo and for trying things out). Runs until Ctrl-C.')
    .option('--records <n>', 'records across all seven types', '10000')
    .option('--latency <ms>', 'latency of every answer', '0')
    .option('--jitter <ms>', 'extra random latency (deterministic per seed)', '0')
    .option('--port <p>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--rate-limit <rpm>', 'answer 429 beyond this many requests per minute (0: no limit)', '0')
    .option('--max-offset <n>', 'deepest cursor a search accepts (Bubble stops near 50,000)', '50000')
    .option('--seed <s>', 'seed of the generated data', '1')
    .action(async (flags: FakeFlags) => {
      // Loaded here so other commands never pay for the fixture code.
      const { startFakeBubble } = await import('../../../fixtures/fake-bubble/index.js');
      const fake = await startFakeBubble({
        records: whole('records', flags.records, 7),
        latencyMs: whole('latency', flags.latency),
        jitterMs: whole('jitter', flags.jitter),
        port: whole('port', flags.port),
        rateLimitRpm: whole('rate-limit', flags.rateLimit),
        maxOffset: whole('max-offset', flags.maxOffset),
        seed: whole('seed', flags.seed),
      });
      process.stdout.write(
        `Fake Bubble app serving ${flags.records} records\n` +
          `  BUBBLE_APP_URL=${fake.url}\n` +
          `  BUBBLE_API_TOKEN=${fake.token}\n` +
          `  development database: ${fake.testUrl}\n` +
          'Press Ctrl-C to stop.\n',
      );
      await untilStopped();
      await fake.close();
      process.stdout.write(`Stopped after ${fake.stats.total} requests.\n`);
    });
}
