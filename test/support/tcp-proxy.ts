/**
 * A TCP proxy in front of a server, for tests of network trouble: `cutClients()` drops the client side
 * of every open connection while the server side stays open and silent — what a dead NAT entry or a
 * restarted load balancer does. The client sees its connection end; the server does not, and its
 * sessions (with their locks) live on. New connections pass as usual.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  cutClients(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  cut: boolean;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<Pair>();
  const server = createServer((client) => {
    const pair: Pair = { client, upstream: connect(targetPort, targetHost), cut: false };
    open.add(pair);
    client.pipe(pair.upstream);
    pair.upstream.pipe(client);
    const end = (): void => {
      if (pair.cut) return;
      open.delete(pair);
      client.destroy();
      pair.upstream.destroy();
    };
    for (const socket of [client, pair.upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cutClients() {
      for (const pair of open) {
        pair.cut = true;
        // Nothing more reaches the server, and it is never told: its side stays open.
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.upstream.pause();
        pair.client.destroy();
      }
    },
    async close() {
      for (const pair of open) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
