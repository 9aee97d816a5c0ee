/** `bubble-runtime serve-db [--port P] [--host H]`: the embedded database over the PostgreSQL wire protocol. */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { UsageError } from '../../../core/errors.js';
import { untilStopped } from '../until-stopped.js';

export const DEFAULT_SERVE_PORT = 5433;

export function register(program: Command): void {
  program
    .command('serve-db')
    .description(
      'Let psql or a BI tool read the embedded PGlite database (./.bubble/pglite): serves it over the PostgreSQL protocol on 127.0.0.1 until Ctrl-C, holding the folder so no sync runs meanwhile. No password is checked: keep it on loopback.',
    )
    .option('--port <port>', `TCP port (0: any free port)`, String(DEFAULT_SERVE_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (flags: { port: string; host: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(flags.port)}.`);
      const { parseVariable } = await import('../../../core/settings/index.js');
      if (parseVariable('DATABASE_URL', process.env.DATABASE_URL) !== undefined) {
        throw new UsageError(
          'serve-db serves the embedded database, but DATABASE_URL is set: that database already speaks PostgreSQL.',
          'Point psql or your BI tool at DATABASE_URL directly, or unset it to serve ./.bubble/pglite.',
        );
      }
      const { openEmbeddedDb } = await import('../../db/open.js');
      const { serveWire } = await import('../../db/wire-server.js');
      const db = await openEmbeddedDb({ cwd: process.cwd(), mustExist: true });
      try {
        const server = await serveWire(db.pglite, { host: flags.host, port });
        const url = `postgresql://postgres@${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}/postgres`;
        process.stdout.write(
          `Serving the embedded database ${relative(process.cwd(), db.dir ?? '') || '.'} at ${url}\n` +
            `  psql "${url}"\n` +
            (isLoopback(server.host) ? '' : `  Warning: ${server.host} is not a loopback address, and no password is checked.\n`) +
            'Press Ctrl-C to stop (sync cannot run on this database meanwhile).\n',
        );
        await untilStopped();
        await server.close();
        process.stdout.write('Stopped.\n');
      } finally {
        await db.close();
      }
    });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
