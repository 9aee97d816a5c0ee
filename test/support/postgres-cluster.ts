/**
 * A throwaway PostgreSQL 15 cluster for tests and benchmarks: a temp data dir owned by `postgres`
 * (the server refuses to run as root), a temp socket dir, a free port on 127.0.0.1, trust auth.
 * A test that must take the server away (stop, restart) starts a cluster of its own with these
 * helpers instead of disturbing the shared one.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Cluster {
  url: string;
  dataDir: string;
  port: number;
  /** Started with PostgreSQL's normal durability settings (else fsync is off). */
  durable?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function asPostgresArgs(args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = isRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  return [cmd!, rest];
}

function asPostgres(args: string[]): void {
  const [cmd, rest] = asPostgresArgs(args);
  execFileSync(cmd, rest, { stdio: 'pipe' });
}

/** Without blocking the event loop: a test's own connections see the server go and come back meanwhile. */
async function asPostgresAsync(args: string[]): Promise<void> {
  const [cmd, rest] = asPostgresArgs(args);
  await promisify(execFile)(cmd, rest);
}

/** `durable`: PostgreSQL's normal settings (fsync on), for benchmarks; tests run with fsync off. */
function pgCtlStart(dataDir: string, port: number, durable = false): string[] {
  const root = join(dataDir, '..');
  return [
    'pg_ctl',
    '-D',
    dataDir,
    '-l',
    join(root, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1${durable ? '' : ' -c fsync=off'} -c max_connections=200`,
    'start',
  ];
}

export async function startCluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'pgb-pg-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const port = await freePort();
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', root]);
  asPostgres(['initdb', '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  asPostgres(pgCtlStart(dataDir, port, options.durable));
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, dataDir, port, durable: options.durable === true };
}

/** Stops the server and keeps its data (`immediate`: as a crash would; `fast`: a clean shutdown). */
export async function stopServer(cluster: Cluster, mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
  await asPostgresAsync(['pg_ctl', '-D', cluster.dataDir, '-m', mode, '-w', 'stop']);
}

/** Starts a stopped server again on the same port and data. */
export async function startServer(cluster: Cluster): Promise<void> {
  await asPostgresAsync(pgCtlStart(cluster.dataDir, cluster.port, cluster.durable));
}

/** Synchronous so it can run from an `exit` handler. */
export function stopCluster(dataDir: string): void {
  try {
    asPostgres(['pg_ctl', '-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  } catch {
    // already stopped
  }
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
}
