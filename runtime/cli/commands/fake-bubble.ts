/** `bubble-runtime fake-bubble [options]`: the sample app behind a fake Data API, with Bubble's paging behaviours as flags. */
import type { Command } from 'commander';
import type { FakeBubbleOptions } from '../../fake-bubble/index.js';
import { UsageError } from '../../../core/errors.js';
import { untilStopped } from '../until-stopped.js';
import { webhookSecretFromEnv } from '../../listen/settings.js';

export interface FakeFlags {
  records: string;
  latency: string;
  jitter: string;
  port: string;
  rateLimit: string;
  seed: string;
  offsetCap: string;
  offsetCapAnswer: string;
  countTimeoutAbove?: string;
  countTimeoutDelay: string;
  countTimeoutStatus: string;
  shortPages?: string;
  shortPagesRemaining: string;
  shortPageSize?: string;
  emptyPages?: string;
  typeRecords?: string;
  bulkImports?: string;
  fieldIds?: boolean;
  sanitisedKeys?: boolean;
  captionsFlag: boolean;
  webhookUrl?: string;
  changesEvery?: string;
}

function whole(name: string, raw: string, min = 0): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${raw}".`);
  return value;
}

function fraction(name: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value <= 1)) throw new UsageError(`--${name} must be a fraction between 0 and 1, got "${raw}".`);
  return value;
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}".`);
  return raw as T;
}

/** `invoice=60000,payment=60000` */
function typeRecords(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [type, count, extra] = part.split('=');
    if (!type || count === undefined || extra !== undefined)
      throw new UsageError(`--type-records takes type=count pairs separated by commas, got "${part}".`);
    out[type] = whole('type-records', count, 1);
  }
  return out;
}

/** `invoice:1000:5000,payment:0:300` (type:from:count) */
function bulkImports(raw: string): Array<{ type: string; from: number; count: number }> {
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const [type, from, count, extra] = part.split(':');
      if (!type || from === undefined || count === undefined || extra !== undefined) {
        throw new UsageError(`--bulk-imports takes type:from:count triples separated by commas, got "${part}".`);
      }
      return { type, from: whole('bulk-imports', from), count: whole('bulk-imports', count, 2) };
    });
}

/** The server options the flags describe (pure, so the mapping is tested without a server). */
export function fakeOptionsFromFlags(flags: FakeFlags, env: Record<string, string | undefined> = process.env): FakeBubbleOptions {
  const options: FakeBubbleOptions = {
    records: whole('records', flags.records, 7),
    latencyMs: whole('latency', flags.latency),
    jitterMs: whole('jitter', flags.jitter),
    port: whole('port', flags.port),
    rateLimitRpm: whole('rate-limit', flags.rateLimit),
    seed: whole('seed', flags.seed),
    offsetCap: {
      limit: whole('offset-cap', flags.offsetCap, 1),
      answer: oneOf('offset-cap-answer', flags.offsetCapAnswer, ['empty', 'error'] as const),
    },
    captions: flags.fieldIds !== true,
    captionKeys: flags.sanitisedKeys ? 'sanitised' : 'display',
    meta: { omitCaptionsFlag: !flags.captionsFlag },
  };
  if (flags.countTimeoutAbove !== undefined) {
    options.countTimeout = {
      above: whole('count-timeout-above', flags.countTimeoutAbove),
      delayMs: whole('count-timeout-delay', flags.countTimeoutDelay),
      status: whole('count-timeout-status', flags.countTimeoutStatus, 100),
    };
  }
  if (flags.shortPages !== undefined) {
    options.shortPages = {
      fraction: fraction('short-pages', flags.shortPages),
      remaining: oneOf('short-pages-remaining', flags.shortPagesRemaining, ['after-returned', 'after-limit'] as const),
      ...(flags.shortPageSize === undefined ? {} : { size: whole('short-page-size', flags.shortPageSize, 1) }),
    };
  }
  if (flags.emptyPages !== undefined) options.emptyPages = { fraction: fraction('empty-pages', flags.emptyPages) };
  if (flags.typeRecords !== undefined) options.typeRecords = typeRecords(flags.typeRecords);
  if (flags.bulkImports !== undefined) options.bulkImports = bulkImports(flags.bulkImports);
  if (flags.webhookUrl !== undefined) options.webhook = { url: webhookUrl(flags.webhookUrl), secret: webhookSecretFromEnv(env) };
  return options;
}

function webhookUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // reported below
  }
  throw new UsageError(`--webhook-url must be an http(s) URL, e.g. http://127.0.0.1:8787/bubble/events, got "${raw}".`);
}

export function register(program: Command): void {
  program
    .command('fake-bubble')
    .description(
      'Serve the sample Bubble app on 127.0.0.1 through a fake Data API (for the demo and for trying things out). Runs until Ctrl-C.',
    )
    .option('--records <n>', 'records across all seven types', '10000')
    .option('--type-records <list>', 'exact counts of some types, e.g. invoice=60000,payment=60000 (they count towards --records)')
    .option('--bulk-imports <list>', 'runs of records sharing one Created Date, as type:from:count, e.g. invoice:1000:5000')
    .option('--latency <ms>', 'latency of every answer', '0')
    .option('--jitter <ms>', 'extra random latency (deterministic per seed)', '0')
    .option('--port <p>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--rate-limit <rpm>', 'answer 429 beyond this many requests per minute (0: no limit)', '0')
    .option('--offset-cap <n>', 'deepest read: a page whose cursor + limit is above this is not served (Bubble: about 50,000)', '50000')
    .option(
      '--offset-cap-answer <how>',
      'past the cap: empty (HTTP 200, no results, remaining > 0, as Bubble) or error (HTTP 400)',
      'empty',
    )
    .option('--count-timeout-above <n>', 'a query that counts remaining and matches more records than this times out')
    .option('--count-timeout-delay <ms>', 'how long a timing-out query takes to answer', '0')
    .option('--count-timeout-status <code>', 'the status a timing-out query answers', '504')
    .option('--short-pages <fraction>', 'share of full pages (with records after them) that return fewer records than limit')
    .option('--short-pages-remaining <how>', 'remaining of a short page: after-returned or after-limit', 'after-returned')
    .option('--short-page-size <n>', 'records a short page returns (default: a deterministic 1..limit-1)')
    .option('--empty-pages <fraction>', 'share of full pages (with records after them) that return no records while remaining > 0')
    .option('--field-ids', 'record keys are field ids (the app does not use captions)')
    .option('--sanitised-keys', 'record keys are display names as Bubble sanitises them (e.g. "Is Admin?" → "Is Admin")')
    .option('--no-captions-flag', 'leave app_data.use_captions_for_get out of /meta (older apps)')
    .option('--seed <s>', 'seed of the generated data', '1')
    .option(
      '--webhook-url <url>',
      "database triggers: POST each change's {type, id, event} here (secret from BUBBLE_WEBHOOK_SECRET), e.g. http://127.0.0.1:8787/bubble/events",
    )
    .option('--changes-every <ms>', 'make a change on its own this often (inserts, edits, deletions in turn), e.g. to feed listen')
    .action(async (flags: FakeFlags) => {
      const options = fakeOptionsFromFlags(flags);
      const every = flags.changesEvery === undefined ? undefined : whole('changes-every', flags.changesEvery, 1);
      // Loaded here so other commands never pay for the fixture code.
      const { startFakeBubble } = await import('../../fake-bubble/index.js');
      const fake = await startFakeBubble(options);
      process.stdout.write(
        `Fake Bubble app serving ${fake.data.total} records\n` +
          `  BUBBLE_APP_URL=${fake.url}\n` +
          `  BUBBLE_API_TOKEN=${fake.token}\n` +
          `  development database: ${fake.testUrl}\n` +
          (options.webhook ? `  database triggers POST to ${options.webhook.url}\n` : '') +
          'Press Ctrl-C to stop.\n',
      );
      const { makeChange } = await import('../../fake-bubble/changes.js');
      let n = 0;
      const changes =
        every === undefined
          ? undefined
          : setInterval(() => {
              const change = makeChange(fake, n++);
              process.stdout.write(`${change.event} ${change.type} ${change.id}\n`);
            }, every);
      await untilStopped();
      clearInterval(changes);
      await fake.webhook.idle();
      await fake.close();
      process.stdout.write(`Stopped after ${fake.stats.total} requests.\n`);
    });
}
