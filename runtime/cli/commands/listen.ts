/**
 * `bubble-runtime listen [--port 8787] [--host 127.0.0.1] [--app-url URL] [--schema DIR]`: receives
 * Bubble's database-trigger events and applies them until Ctrl-C/SIGTERM. `listen --status [--json]`
 * prints the event queue from the database instead.
 */
import type { Command } from 'commander';
import type { Manifest } from '../../../core/manifest/schema.js';
import type { Db } from '../../db/types.js';
import { UsageError } from '../../../core/errors.js';

interface ListenFlags {
  port: string;
  host: string;
  appUrl?: string;
  schema?: string;
  status?: boolean;
  json?: boolean;
}

/** Lines printed about applied events: at most one per this interval. */
const SUMMARY_EVERY_MS = 10_000;

export function register(program: Command): void {
  program
    .command('listen')
    .description(
      "Receive Bubble's database-trigger events (POST /bubble/events, secret in BUBBLE_WEBHOOK_SECRET) and apply them to the database: " +
        'new and changed records within seconds, deleted ones marked exactly. Runs until Ctrl-C.',
    )
    .option('--port <port>', 'port to listen on (0: any free port)', '8787')
    .option('--host <host>', 'address to listen on (put a reverse proxy with TLS in front)', '127.0.0.1')
    .option('--app-url <url>', 'the app URL (overrides BUBBLE_APP_URL)')
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .option('--status', 'print the event queue (pending, retrying, applied in the last 24 h) and exit')
    .option('--json', 'with --status: one JSON document on stdout')
    .action(async (flags: ListenFlags) => {
      if (flags.json && !flags.status) throw new UsageError('--json goes with --status.');
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError(`--port must be a port number (0–65535), got ${JSON.stringify(flags.port)}.`);
      // Loaded here so other commands never pay for the HTTP server.
      const { resolveProject } = await import('../../project/index.js');
      const { openDbFromEnv } = await import('../../db/open.js');
      const cwd = process.cwd();
      const project = await resolveProject({ schema: flags.schema, cwd });
      if (flags.status) {
        const db = await openDbFromEnv({ cwd });
        try {
          await printStatus(db, project.manifest, flags.json === true);
        } finally {
          await db.close();
        }
        return;
      }
      await serve(flags, port, project.manifest, cwd);
    });
}

async function printStatus(db: Db, manifest: Manifest, json: boolean): Promise<void> {
  const { EventStore, eventState } = await import('../../listen/index.js');
  const status = await new EventStore(db, eventState(manifest)).status();
  if (json) {
    process.stdout.write(`${JSON.stringify(status)}\n`);
    return;
  }
  const { formatInt } = await import('../../report/format.js');
  const lines = [
    `Events: ${formatInt(status.pending)} pending${status.retrying ? ` (${formatInt(status.retrying)} retrying after failures)` : ''}` +
      `${status.oldestPendingAt ? `, oldest received ${status.oldestPendingAt}` : ''}`,
    `Applied in the last 24 h: ${formatInt(status.appliedLastDay)} (${formatInt(status.deletedLastDay)} deletions)`,
    `Last received: ${status.lastReceivedAt ?? 'never'}; last applied: ${status.lastAppliedAt ?? 'never'}`,
  ];
  for (const f of status.failing) {
    lines.push(
      `  failing: ${f.type} ${f.bubbleId}, ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}, next ${f.nextAttemptAt ?? '?'}: ${f.lastError ?? ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function serve(flags: ListenFlags, port: number, manifest: Manifest, cwd: string): Promise<void> {
  const { listenSettingsFromEnv, startListener, EVENTS_PATH, HEALTH_PATH } = await import('../../listen/index.js');
  const { clientFromEnv } = await import('../../bubble/index.js');
  const { openDbFromEnv } = await import('../../db/open.js');
  const { PostgresDb } = await import('../../db/postgres.js');
  const { PgliteDb } = await import('../../db/pglite.js');
  const settings = listenSettingsFromEnv();
  // Each application is one request, retried a little by the client; past that the event itself waits and retries.
  const client = clientFromEnv({
    appUrl: flags.appUrl,
    rateLimitRpm: settings.rateLimitRpm,
    maxInFlight: settings.concurrency,
    retry: { maxAttempts: 3 },
  });
  // Each application in flight holds a connection; receiving needs a few more.
  const db = await openDbFromEnv({ cwd, poolSize: settings.concurrency + 6, holder: 'bubble-runtime listen' });
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString().slice(0, 19)}Z ${line}\n`);
  };
  let listener: Awaited<ReturnType<typeof startListener>>;
  try {
    listener = await startListener({
      db,
      manifest,
      client,
      secret: settings.secret,
      host: flags.host,
      port,
      concurrency: settings.concurrency,
      log,
    });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const where =
    db instanceof PostgresDb
      ? `PostgreSQL ${db.target.redacted}`
      : db instanceof PgliteDb
        ? `the embedded database ${db.dir ?? ''}`
        : 'the database';
  const rate = settings.rateLimitRpm === 0 ? 'no request cap' : `at most ${settings.rateLimitRpm} requests/min`;
  log(`Listening on ${listener.url}: POST ${EVENTS_PATH} (Authorization: Bearer $BUBBLE_WEBHOOK_SECRET), GET ${HEALTH_PATH}`);
  log(`Applying events from ${client.appUrl} to ${where}: ${settings.concurrency} at a time, ${rate}. Ctrl-C to stop.`);

  let reported = { ...listener.counts };
  const summary = setInterval(() => {
    const c = listener.counts;
    if (c.applied === reported.applied) return;
    const events = c.events - reported.events;
    log(
      `Applied ${events} event${events === 1 ? '' : 's'}: ${c.written - reported.written} written, ${c.deleted - reported.deleted} marked deleted.`,
    );
    reported = { ...c };
  }, SUMMARY_EVERY_MS);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second signal quits at once: every event is committed or still pending, so nothing is lost.
      const quit = (): void => process.exit(130);
      process.once('SIGINT', quit);
      process.once('SIGTERM', quit);
      log('Stopping: no new events accepted; applications in flight are cancelled and stay pending (Ctrl-C again to quit at once)…');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(summary);
  await listener.close();
  await db.close().catch(() => undefined);
  log(`Stopped after applying ${listener.counts.events} events.`);
}
