/**
 * The HTTP side of `bubble-runtime listen` (Fastify): `POST /bubble/events` records Bubble's
 * database-trigger events and answers 2xx only once they are committed; `GET /bubble/status` shows the
 * event queue (with the secret too); `GET /healthz` says whether the database answers. The secret is checked before the body is read, in constant time; bodies are
 * capped in size and connections in number, so a flood costs bounded memory.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ManifestType } from '../../core/manifest/schema.js';
import type { Db } from '../db/types.js';
import { formatError } from '../../core/errors.js';
import { parseEvents, type ReceivedEvent } from './events.js';

export const EVENTS_PATH = '/bubble/events';
export const HEALTH_PATH = '/healthz';
/** The event queue as `listen --status --json` prints it (with the secret; readable while PGlite is held). */
export const STATUS_PATH = '/bubble/status';
/** Largest body accepted (a thousand events fit in about 100 KiB). */
export const BODY_LIMIT_BYTES = 128 * 1024;
/** Connections beyond this are refused by the server before any byte is read. */
export const MAX_CONNECTIONS = 512;

export interface ReceiverOptions {
  secret: string;
  /** Types events may name, by Data API path name (see events.ts). */
  types: ReadonlyMap<string, ManifestType>;
  /** Records the events durably (one transaction); rejects when it could not. */
  record(events: ReceivedEvent[]): Promise<void>;
  /** The event queue for `GET /bubble/status`. */
  status(): Promise<unknown>;
  db: Db;
  log?: (line: string) => void;
}

/** True when `header` is exactly `Bearer <secret>`; the comparison takes the same time whatever it holds. */
export function authorized(header: string | undefined, secret: string): boolean {
  const match = /^Bearer[ \t]+(.*)$/i.exec(header?.trim() ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const wanted = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, wanted) && match !== null;
}

export function createReceiver(options: ReceiverOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // A slow sender holds a connection for at most this long.
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    return503OnClosing: true,
  });
  app.server.maxConnections = MAX_CONNECTIONS;

  // Every body is read as JSON, whatever its content type says (Bubble's API Connector, curl, proxies).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch {
      done(Object.assign(new Error('The body is not valid JSON.'), { statusCode: 400 }), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== EVENTS_PATH && request.routeOptions.url !== STATUS_PATH) return;
    if (!authorized(request.headers.authorization, options.secret)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'Missing or wrong secret: send "Authorization: Bearer <BUBBLE_WEBHOOK_SECRET>".' });
    }
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ error: `The body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.` });
    if (status >= 400 && status < 500) return reply.code(status).send({ error: oneLine(error.message) });
    options.log?.(`Request failed: ${oneLine(formatError(error))}`);
    return reply.code(500).send({ error: 'Internal error.' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: `Not found: POST ${EVENTS_PATH}, GET ${STATUS_PATH} or GET ${HEALTH_PATH}.` }),
  );

  app.post(EVENTS_PATH, async (request, reply) => {
    const parsed = parseEvents(request.body, options.types);
    if (!parsed.ok) return reply.code(400).send({ error: oneLine(parsed.reason) });
    try {
      await options.record(parsed.events);
    } catch (err) {
      options.log?.(`Could not record ${parsed.events.length} event(s): ${oneLine(formatError(err))}`);
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: 'The events could not be recorded (database unavailable); nothing was accepted.' });
    }
    return reply.code(202).send({ accepted: parsed.events.length });
  });

  app.get(STATUS_PATH, async (_request, reply) => {
    try {
      return reply.code(200).send(await options.status());
    } catch {
      return reply.code(503).send({ error: 'The database does not answer.' });
    }
  });

  app.get(HEALTH_PATH, async (_request, reply) => {
    try {
      await options.db.query('SELECT 1');
      return reply.code(200).send({ status: 'ok' });
    } catch {
      return reply.code(503).send({ status: 'unavailable', error: 'The database does not answer.' });
    }
  });
  return app;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
