/**
 * The PostgreSQL wire protocol over an embedded PGlite database, so psql and BI tools can read the
 * mirror. PGlite is one backend session shared by every client: a client's messages run as one unit
 * up to a point where it waits for answers (Query, Sync, Flush, the startup message), one unit at a
 * time; while a client holds a transaction open, only that client's units run. There is no
 * authentication (any user name and password are accepted), hence loopback by default.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_MAJOR_3 = 3;
/** Message types after which the client waits for answers: Query, Sync, Flush. */
const UNIT_ENDS = new Set(['Q', 'S', 'H'].map((c) => c.charCodeAt(0)));
const TERMINATE = 'X'.charCodeAt(0);

export interface WireServer {
  host: string;
  port: number;
  /** Stops accepting, closes the open connections (rolling back a transaction left open) and resolves when done. */
  close(): Promise<void>;
}

interface Unit {
  client: Client;
  messages: Uint8Array[];
}

class Client {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private pending: Uint8Array[] = [];
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly submit: (unit: Unit) => void,
  ) {}

  receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (let message = this.take(); message !== null && !this.closed; message = this.take()) this.handle(message);
  }

  write(data: Uint8Array): void {
    if (!this.closed && this.socket.writable) this.socket.write(data);
  }

  /** The next whole message: untyped (length first) until the startup message, typed after it. */
  private take(): Buffer | null {
    const offset = this.started ? 1 : 0;
    if (this.buffer.length < offset + 4) return null;
    const length = offset + this.buffer.readInt32BE(offset);
    if (length < offset + 4) {
      this.socket.destroy();
      this.closed = true;
      return null;
    }
    if (this.buffer.length < length) return null;
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  private handle(message: Buffer): void {
    if (!this.started) {
      const code = message.length >= 8 ? message.readInt32BE(4) : 0;
      // Encryption is not offered: 'N' tells the client to go on in plain text (on loopback).
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) return void this.write(Buffer.from('N'));
      // PGlite has no query to cancel on another backend; the request ends its connection.
      if (code === CANCEL_REQUEST || code >>> 16 !== PROTOCOL_MAJOR_3) return void this.socket.end();
      this.started = true;
      return this.submit({ client: this, messages: [message] });
    }
    if (message[0] === TERMINATE) return void this.socket.end();
    this.pending.push(message);
    if (UNIT_ENDS.has(message[0]!)) this.submit({ client: this, messages: this.pending.splice(0) });
  }
}

/** Serves `db` on `host:port` (port 0: any free port) until `close()`. */
export async function serveWire(db: PGlite, options: { host: string; port: number }): Promise<WireServer> {
  const queue: Unit[] = [];
  const clients = new Set<Client>();
  /** The client whose transaction is open: only its units may run until it ends. */
  let owner: Client | null = null;
  /** The drain loop while it runs. */
  let running: Promise<void> | null = null;

  const next = (): Unit | undefined => {
    const index = owner === null ? 0 : queue.findIndex((u) => u.client === owner);
    return index >= 0 ? queue.splice(index, 1)[0] : undefined;
  };

  const drain = (): Promise<void> => {
    running ??= runUnits().finally(() => {
      running = null;
    });
    return running;
  };

  const runUnits = async (): Promise<void> => {
    for (let unit = next(); unit !== undefined; unit = next()) {
      const { client, messages } = unit;
      try {
        await db.runExclusive(async () => {
          for (const message of messages) await db.execProtocolRawStream(message, { onRawData: (data) => client.write(data) });
        });
      } catch {
        client.socket.destroy();
      }
      owner = db.isInTransaction() ? client : null;
      if (owner !== null && owner.closed) await release(owner);
    }
  };

  /** A client that left with its transaction open: roll it back so the others can run. */
  const release = async (client: Client): Promise<void> => {
    if (owner !== client) return;
    owner = null;
    if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
  };

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const client = new Client(socket, (unit) => {
      queue.push(unit);
      void drain();
    });
    clients.add(client);
    socket.on('data', (chunk: Buffer) => client.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      client.closed = true;
      clients.delete(client);
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.client === client) queue.splice(i, 1);
      if (running === null) void release(client).then(drain);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    host: options.host,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of clients) client.socket.destroy();
      await closed;
      await running;
      if (owner !== null) await release(owner);
    },
  };
}
