/**
 * The Socket.IO hub: pushes every search event to the browsers watching that search.
 *
 *   event log ──(searchId, event)──▶ hub ──room search:<id>──▶ browsers
 *
 * A client subscribes with the last seq it saw; the ack carries every event after it, then live
 * events follow in seq order. The client is joined to the room before the backlog is read, so an
 * event emitted in between reaches it twice at worst (the client drops seqs it has) and never
 * zero times.
 *
 *   sites() ──every SITES_PUSH_MS while room "sites" has members──▶ sites:stats ──▶ operations view
 *
 * The sites timer runs only while someone watches: it starts on the first `sites:subscribe` and
 * stops when the room empties (last unsubscribe or disconnect).
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type ServerOptions } from 'socket.io';
import { describeZodError, subscribePayloadSchema, searchIdSchema } from '../lib/schemas';
import {
  roomFor,
  SITES_ROOM,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SubscribeAck,
} from '../lib/socket-events';
import type { SiteInfo } from '../lib/types';
import type { EventSource } from './metrics';
import type { SearchService } from './search-service';

/** Largest socket message accepted from a client. Subscribe payloads are tiny. */
export const MAX_SOCKET_PAYLOAD_BYTES = 16 * 1024;

/** How often `sites:stats` is pushed while someone is subscribed. */
export const SITES_PUSH_MS = 1_000;

/** Options of the hub. */
export interface HubOptions {
  /** The events to push: every event this process appends. */
  readonly eventLog: EventSource;
  readonly searches: SearchService;
  readonly logger: Logger;
  /**
   * Every site with its live figures (`() => pipeline.sites()`), for `sites:subscribe` and
   * `sites:stats`. Without it `sites:subscribe` acks an empty list and nothing is pushed.
   */
  readonly sites?: () => readonly SiteInfo[];
  /** Interval of `sites:stats` pushes. Default {@link SITES_PUSH_MS}; 50–60,000 ms. */
  readonly sitesPushMs?: number;
  /**
   * The Socket.IO adapter that spans the nodes of a cluster (the Redis Streams adapter). With
   * it, an event this node pushes reaches the search's watchers on every node, and each node
   * pushes `sites:stats` to its own watchers only. Default: this process's rooms alone.
   */
  readonly adapter?: ServerOptions['adapter'];
}

/** The Socket.IO server of sitescan. */
export class Hub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly stopListening: () => void;
  private readonly logger: Logger;
  private readonly sites?: () => readonly SiteInfo[];
  private readonly sitesPushMs: number;
  private readonly acrossNodes: boolean;
  private sitesTimer?: NodeJS.Timeout;

  constructor(httpServer: HttpServer, options: HubOptions) {
    const logger = options.logger.child({ module: 'hub' });
    this.logger = logger;
    this.sites = options.sites;
    this.sitesPushMs = options.sitesPushMs ?? SITES_PUSH_MS;
    if (!Number.isFinite(this.sitesPushMs) || this.sitesPushMs < 50 || this.sitesPushMs > 60_000) {
      throw new TypeError(`Expected \`sitesPushMs\` to be a number from 50 to 60000, got ${String(options.sitesPushMs)}`);
    }
    this.acrossNodes = options.adapter !== undefined;
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      serveClient: false,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });

    const rooms = this.io.of('/').adapter.rooms;
    const acrossNodes = this.acrossNodes;
    this.stopListening = options.eventLog.onEvent((searchId, event) => {
      const room = roomFor(searchId);
      // The adapter encodes a packet before it looks for members: a search nobody watches (most
      // of a bulk run) would cost a JSON encoding per event. The in-memory adapter's rooms are
      // this process's sockets; across nodes, a watcher may be on another node.
      if (!acrossNodes && !rooms.has(room)) return;
      this.io.to(room).emit('search:event', { ...event, searchId });
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
        const { searchId, afterSeq, lastAt } = parsed.data;
        try {
          await socket.join(roomFor(searchId));
          const exists = await options.searches.exists(searchId);
          if (!exists) {
            await socket.leave(roomFor(searchId));
            reply({ ok: false, error: { code: 'not_found', message: `no search with id ${searchId}` } });
            return;
          }
          // The client's event `afterSeq` must still be the server's; after a crash that lost
          // events the client was shown, that seq is gone or names another event.
          const [own] = afterSeq > 0 ? await options.searches.eventsAfter(searchId, afterSeq - 1) : [];
          const kept = afterSeq === 0 || (own?.seq === afterSeq && (lastAt === undefined || own.at === lastAt));
          if (!kept) {
            reply({ ok: true, reset: true, events: await options.searches.eventsAfter(searchId, 0) });
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

      // The ack is the last argument; a client that sends a payload as well is still answered.
      socket.on('sites:subscribe', async (...args: unknown[]) => {
        const ack = args.findLast((arg) => typeof arg === 'function') as ((sites: readonly SiteInfo[]) => void) | undefined;
        try {
          await socket.join(SITES_ROOM);
        } catch (error) {
          logger.error({ err: error }, 'joining the sites room failed');
          return;
        }
        ack?.(this.readSites() ?? []);
        this.startSitesTimer();
      });

      socket.on('sites:unsubscribe', () => {
        void socket.leave(SITES_ROOM);
      });
    });

    // Rooms are deleted by the adapter when their last member leaves, including by disconnecting.
    this.io.of('/').adapter.on('delete-room', (room: string) => {
      if (room === SITES_ROOM) this.stopSitesTimer();
    });
  }

  /** Number of clients watching the operations view. */
  get sitesWatchers(): number {
    return this.io.of('/').adapter.rooms.get(SITES_ROOM)?.size ?? 0;
  }

  /** Whether the `sites:stats` timer is running. */
  get pushingSites(): boolean {
    return this.sitesTimer !== undefined;
  }

  private readSites(): readonly SiteInfo[] | undefined {
    if (!this.sites) return undefined;
    try {
      return this.sites();
    } catch (error) {
      this.logger.error({ err: error }, 'reading the site figures failed');
      return undefined;
    }
  }

  private startSitesTimer(): void {
    if (this.sitesTimer || !this.sites || this.sitesWatchers === 0) return;
    this.sitesTimer = setInterval(() => {
      if (this.sitesWatchers === 0) return this.stopSitesTimer();
      const sites = this.readSites();
      // Every node pushes the figures to its own watchers: they are cluster-wide already.
      if (sites) this.io.local.to(SITES_ROOM).emit('sites:stats', sites);
    }, this.sitesPushMs);
    this.sitesTimer.unref();
  }

  private stopSitesTimer(): void {
    clearInterval(this.sitesTimer);
    this.sitesTimer = undefined;
  }

  /** Disconnects every client and stops listening to the event log. */
  close(): void {
    this.stopListening();
    this.stopSitesTimer();
    this.io.disconnectSockets(true);
    // Not io.close(): that would also close the HTTP server, which the composition root owns.
    this.io.engine.close();
  }
}
