/**
 * The Socket.IO hub: pushes every search event to the browsers watching that search.
 *
 *   event log ──(searchId, event)──▶ hub ──room search:<id>──▶ browsers
 *
 * A client subscribes with the last seq it saw; the ack carries every event after it, then live
 * events follow in seq order. The client is joined to the room before the backlog is read, so an
 * event emitted in between reaches it twice at worst (the client drops seqs it has) and never
 * zero times.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { describeZodError, subscribePayloadSchema, searchIdSchema } from '../lib/schemas';
import { roomFor, type ClientToServerEvents, type ServerToClientEvents, type SubscribeAck } from '../lib/socket-events';
import type { EventLog } from './pipeline/event-log';
import type { SearchService } from './search-service';

/** Largest socket message accepted from a client. Subscribe payloads are tiny. */
export const MAX_SOCKET_PAYLOAD_BYTES = 16 * 1024;

/** Options of the hub. */
export interface HubOptions {
  readonly eventLog: EventLog;
  readonly searches: SearchService;
  readonly logger: Logger;
}

/** The Socket.IO server of sitescan. */
export class Hub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly stopListening: () => void;

  constructor(httpServer: HttpServer, options: HubOptions) {
    const logger = options.logger.child({ module: 'hub' });
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      serveClient: false,
    });

    this.stopListening = options.eventLog.onEvent((searchId, event) => {
      this.io.to(roomFor(searchId)).emit('search:event', { ...event, searchId });
    });

    this.io.on('connection', (socket) => {
      socket.on('search:subscribe', async (payload, ack) => {
        const reply = (answer: SubscribeAck) => {
          if (typeof ack === 'function') ack(answer);
        };
        const parsed = subscribePayloadSchema.safeParse(payload);
        if (!parsed.success) {
          reply({ ok: false, error: { code: 'invalid_request', message: describeZodError(parsed.error) } });
          return;
        }
        const { searchId, afterSeq } = parsed.data;
        try {
          await socket.join(roomFor(searchId));
          const exists = await options.searches.exists(searchId);
          if (!exists) {
            await socket.leave(roomFor(searchId));
            reply({ ok: false, error: { code: 'not_found', message: `no search with id ${searchId}` } });
            return;
          }
          reply({ ok: true, events: await options.searches.eventsAfter(searchId, afterSeq) });
        } catch (error) {
          logger.error({ err: error, searchId }, 'subscribe failed');
          reply({ ok: false, error: { code: 'internal', message: 'could not read the search' } });
        }
      });

      socket.on('search:unsubscribe', (payload) => {
        const parsed = searchIdSchema.safeParse((payload as { searchId?: unknown } | undefined)?.searchId);
        if (parsed.success) void socket.leave(roomFor(parsed.data));
      });
    });
  }

  /** Disconnects every client and stops listening to the event log. */
  close(): void {
    this.stopListening();
    this.io.disconnectSockets(true);
    // Not io.close(): that would also close the HTTP server, which the composition root owns.
    this.io.engine.close();
  }
}
