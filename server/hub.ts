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
 *
 *   ChartSampler (chart-sampler.ts) ──a sample a second──▶ room "charts" (this node's) ──▶ /sites charts
 *   hub: each search:event handed to the sockets ──pushed(event.at)──▶ ChartSampler (push latency)
 *
 * `charts:subscribe` acks with the samples kept, so the charts draw the last five minutes at once;
 * a sample is pushed only while the room has members, each node to its own.
 *
 *   event log ──▶ RecentSearches (recent-searches.ts) ──≤ 1/s per list──▶ recent:changed ──▶ home pages
 *   search service: created(id, owner) ──▶ place the search in its list's room
 *
 * The home page's recent list: `recent:subscribe` joins the room of the client's list — everyone's
 * with HISTORY_SCOPE=all, else its handshake's history key's own (`recentRoomFor(owner digest)`)
 * — then acks with the list read from the store. A search is pushed only to the room of the list
 * it was started in, so with HISTORY_SCOPE=owner no client ever hears of another's search; a
 * client with no key joins no room and lists nothing. Across nodes, the node that started a
 * search pushes its line through the adapter: its start at once, its end when every node hears
 * it (`whenEnded`); the counts in between need events other nodes appended, so they are not
 * pushed there.
 *
 * What one client may cost (socket-limits.ts):
 *
 *   handshake ──SocketGuard: Origin, connections per address──▶ refused (403/400 + reason)
 *   message ──SocketBudget.take(1)──▶ over budget: logged with the address, socket cut
 *   search:subscribe ──repeat of a followed search? take(REPEATED_SUBSCRIBE_COST − 1) more
 *                   ──followed searches at the cap? refused {ok: false, too_many_searches}
 *                   ──identical one already waiting on this socket? shares its answer
 *                   ──in turn: one store read per socket per turn of the event loop──▶ ack
 *
 * Invariants:
 * - a socket's subscribes are answered one at a time, each after a turn of the event loop, so
 *   that no socket can hold the loop for a burst of reads (`/api/health` answers in between);
 * - a subscribe shares the answer of an identical one only on the same socket, which is in the
 *   room since before that answer's read began — the join-before-read rule above still holds;
 * - a refused subscribe leaves the room: a client that is told no is not pushed events.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { describeZodError, recentSubscribePayloadSchema, subscribePayloadSchema, searchIdSchema } from '../lib/schemas';
import type { ChartHistory } from '../lib/chart-samples';
import {
  CHARTS_ROOM,
  RECENT_LIMIT,
  recentRoomFor,
  roomFor,
  SITES_ROOM,
  type ClientToServerEvents,
  type RecentAck,
  type ServerToClientEvents,
  type SubscribeAck,
} from '../lib/socket-events';
import type { SiteInfo } from '../lib/types';
import type { ChartSampler } from './chart-sampler';
import { historyKeyOf, ownerOfKey } from './http/history-key';
import type { EventSource } from './metrics';
import { RecentSearches } from './recent-searches';
import type { SearchService } from './search-service';
import { SocketBudget } from './socket-budget';
import { socketHasAccess } from './http/access-token';
import { clientAddress } from './http/client-address';
import { SocketGuard } from './socket-guard';
import { DEFAULT_SOCKET_LIMITS, MESSAGE_COST, REPEATED_SUBSCRIBE_COST, type SocketLimits } from './socket-limits';

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
  /** The samples of the live charts on `/sites`; without it `charts:subscribe` acks no samples. */
  readonly charts?: ChartSampler;
  /** Interval of `sites:stats` pushes. Default {@link SITES_PUSH_MS}; 50–60,000 ms. */
  readonly sitesPushMs?: number;
  /**
   * The Socket.IO adapter that spans the nodes of a cluster (the Redis Streams adapter). With
   * it, an event this node pushes reaches the search's watchers on every node, and each node
   * pushes `sites:stats` to its own watchers only. Default: this process's rooms alone.
   */
  readonly adapter?: ServerOptions['adapter'];
  /** Least time between two `recent:changed` pushes to one list, ms. Default 1,000; 0–60,000. */
  readonly recentPushMs?: number;
  /** What one client may cost. Default {@link DEFAULT_SOCKET_LIMITS}; each field on its own. */
  readonly limits?: Partial<SocketLimits>;
  /** The clock of the event budgets, in ms. Default `performance.now`. */
  readonly now?: () => number;
  /** Proxies whose `X-Forwarded-For` names the client (TRUST_PROXY). Default: none. */
  readonly trustedProxies?: ReadonlySet<string>;
  /** The token the whole instance is behind (ACCESS_TOKEN): a handshake without it is refused. */
  readonly accessToken?: string;
}

type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** What the hub uses of an Engine.IO connection (the transport under a Socket.IO socket). */
interface EngineConnection {
  readonly remoteAddress: string;
  readonly request: IncomingMessage;
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** One connection's state: its budget, the searches it follows, its turn for store reads. */
interface Connection {
  readonly socket: HubSocket;
  readonly budget: SocketBudget;
  /** Followed searches, each with the answers to its subscribes still waiting, by position. */
  readonly followed: Map<string, Map<string, Promise<SubscribeAck>>>;
  /** Runs `work` after this connection's earlier work and a turn of the event loop. */
  readonly inTurn: <T>(work: () => Promise<T>) => Promise<T>;
  /** Disconnects the socket for spending its budget, and logs why. */
  readonly cut: (event: unknown) => void;
}

/** Lets the event loop take a turn (I/O, timers) before the caller goes on. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The Socket.IO server of sitescan. */
export class Hub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly stopListening: () => void;
  private readonly logger: Logger;
  private readonly sites?: () => readonly SiteInfo[];
  private readonly sitesPushMs: number;
  private readonly acrossNodes: boolean;
  private sitesTimer?: NodeJS.Timeout;
  /** The home pages' recent lists, live. */
  readonly recent: RecentSearches;
  private readonly stopPlacing: () => void;
  private readonly stopCharting?: () => void;
  /** Admits handshakes and counts connections per client address. */
  readonly guard: SocketGuard;
  readonly limits: SocketLimits;
  private readonly options: HubOptions;

  constructor(httpServer: HttpServer, options: HubOptions) {
    const logger = options.logger.child({ module: 'hub' });
    this.logger = logger;
    this.options = options;
    this.limits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
    const { searchesPerConnection, eventBurst, eventsPerSecond } = this.limits;
    if (!Number.isInteger(searchesPerConnection) || searchesPerConnection < 1) {
      throw new TypeError(`Expected \`limits.searchesPerConnection\` to be an integer >= 1, got ${String(searchesPerConnection)}`);
    }
    // Checks the budget's options once here rather than at a client's first connection.
    new SocketBudget({ burst: eventBurst, perSecond: eventsPerSecond });
    this.guard = new SocketGuard({
      connectionsPerClient: this.limits.connectionsPerClient,
      allowedOrigins: this.limits.allowedOrigins,
    });
    this.sites = options.sites;
    this.sitesPushMs = options.sitesPushMs ?? SITES_PUSH_MS;
    if (!Number.isFinite(this.sitesPushMs) || this.sitesPushMs < 50 || this.sitesPushMs > 60_000) {
      throw new TypeError(`Expected \`sitesPushMs\` to be a number from 50 to 60000, got ${String(options.sitesPushMs)}`);
    }
    this.acrossNodes = options.adapter !== undefined;
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      serveClient: false,
      allowRequest: (req, callback) => {
        if (!socketHasAccess(options.accessToken, req.headers)) return callback('this sitescan needs an access token', false);
        const address = this.clientOf(req);
        const admission = this.guard.admit({ address, origin: req.headers.origin, host: req.headers.host });
        if (admission.ok) return callback(null, true);
        // Debug, not warn: each refusal is one request a hostile client can repeat at will.
        logger.debug({ address, code: admission.code }, `socket handshake refused: ${admission.message}`);
        callback(admission.message, false);
      },
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    this.io.engine.on('connection', (connection: EngineConnection) => {
      const address = this.clientOf(connection.request);
      if (!this.guard.opened(address)) {
        logger.warn({ address }, `socket closed at once: too many connections from ${address} (at most ${this.guard.connectionsPerClient})`);
        connection.close();
        return;
      }
      connection.once('close', () => this.guard.closed(address));
    });

    const rooms = this.io.of('/').adapter.rooms;
    const acrossNodes = this.acrossNodes;
    this.recent = new RecentSearches({
      limit: RECENT_LIMIT,
      intervalMs: options.recentPushMs,
      push: (list, items) => {
        if (!acrossNodes && !rooms.has(list)) return;
        this.io.to(list).emit('recent:changed', items);
      },
    });
    const ownerScope = options.searches.historyScope === 'owner';
    this.stopPlacing = options.searches.onCreated((searchId, owner) => {
      if (!ownerScope) return;
      if (owner === undefined) this.recent.forget(searchId);
      else this.placeRecent(searchId, recentRoomFor(owner));
    });
    this.stopListening = options.eventLog.onEvent((searchId, event) => {
      // Across nodes this node hears only the events it appended: its counts would be wrong.
      if (!acrossNodes || event.type === 'search:created') this.recent.observe(searchId, event);
      if (event.type === 'search:created' && !ownerScope) this.placeRecent(searchId, recentRoomFor());
      const room = roomFor(searchId);
      // The adapter encodes a packet before it looks for members: a search nobody watches (most
      // of a bulk run) would cost a JSON encoding per event. The in-memory adapter's rooms are
      // this process's sockets; across nodes, a watcher may be on another node.
      if (!acrossNodes && !rooms.has(room)) return;
      this.io.to(room).emit('search:event', { ...event, searchId });
      options.charts?.pushed(event.at);
    });
    this.stopCharting = options.charts?.onSample((sample) => {
      if (rooms.has(CHARTS_ROOM)) this.io.local.to(CHARTS_ROOM).emit('charts:sample', sample);
    });

    this.io.on('connection', (socket) => this.handleConnection(socket));

    // Rooms are deleted by the adapter when their last member leaves, including by disconnecting.
    this.io.of('/').adapter.on('delete-room', (room: string) => {
      if (room === SITES_ROOM) this.stopSitesTimer();
    });
  }

  /**
   * Puts a search in a recent list. Across nodes, its end is heard from whichever node ends it
   * and read back whole, since the events that led there were appended elsewhere.
   */
  private placeRecent(searchId: string, list: string): void {
    this.recent.place(searchId, list);
    if (!this.acrossNodes) return;
    this.options.searches.whenEnded(searchId).then(
      (snapshot) => this.recent.ended(snapshot.search),
      (error: unknown) => this.logger.error({ err: error, searchId }, 'the end of a search in a recent list could not be read'),
    );
  }

  /** The client a handshake comes from: its peer, or what a trusted proxy forwarded for. */
  private clientOf(request: IncomingMessage): string {
    return clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], this.options.trustedProxies ?? new Set());
  }

  /** The handlers of one connection, behind its event budget. */
  private handleConnection(socket: HubSocket): void {
    const { logger } = this;
    const { eventBurst, eventsPerSecond } = this.limits;
    const address = this.clientOf(socket.conn.request);
    const budget = new SocketBudget({ burst: eventBurst, perSecond: eventsPerSecond, now: this.options.now });
    const followed = new Map<string, Map<string, Promise<SubscribeAck>>>();
    let turn: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
      const next = turn.then(yieldToIo).then(work);
      turn = next.catch(() => undefined);
      return next;
    };
    const cut = (event: unknown) => {
      if (socket.disconnected) return;
      // The address and the event's name (cut short), never the payload: that is the client's.
      logger.warn(
        { address, event: String(event).slice(0, 64), burst: eventBurst, perSecond: eventsPerSecond },
        `socket cut off: ${address} spent its event budget (${eventBurst} at once, ${eventsPerSecond} a second)`,
      );
      socket.disconnect(true);
    };
    socket.use(([event], next) => {
      if (budget.take(MESSAGE_COST)) next();
      else cut(event);
    });

    const connection: Connection = { socket, budget, followed, inTurn, cut };
    socket.on('search:subscribe', (payload, ack) => void this.subscribe(connection, payload, ack));

    socket.on('search:unsubscribe', (payload) => {
      const parsed = searchIdSchema.safeParse((payload as { searchId?: unknown } | undefined)?.searchId);
      if (!parsed.success) return;
      followed.delete(parsed.data);
      void socket.leave(roomFor(parsed.data));
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

    socket.on('charts:subscribe', async (...args: unknown[]) => {
      const ack = args.findLast((arg) => typeof arg === 'function') as ((history: ChartHistory) => void) | undefined;
      try {
        // Joined before the history is read: no sample falls between the two.
        await socket.join(CHARTS_ROOM);
      } catch (error) {
        logger.error({ err: error }, 'joining the charts room failed');
        return;
      }
      ack?.(this.options.charts?.history() ?? { intervalMs: 0, rateWindowMs: 0, scope: 'process', samples: [] });
    });

    socket.on('charts:unsubscribe', () => {
      void socket.leave(CHARTS_ROOM);
    });

    socket.on('recent:subscribe', (...args: unknown[]) => void this.subscribeRecent(connection, args));

    socket.on('recent:unsubscribe', () => {
      const list = this.recentListOf(socket);
      if (list !== undefined) void socket.leave(list);
    });
  }

  /**
   * The recent list a connection may follow: everyone's, or with HISTORY_SCOPE=owner the one of
   * the history key its handshake carried (the cookie, sent by the browser with the handshake);
   * none without a key.
   */
  private recentListOf(socket: HubSocket): string | undefined {
    if (this.options.searches.historyScope === 'all') return recentRoomFor();
    const key = historyKeyOf(socket.handshake.headers.cookie);
    return key === undefined ? undefined : recentRoomFor(ownerOfKey(key));
  }

  /** `recent:subscribe`: joins the connection's list, then acks with it read in the socket's turn. */
  private async subscribeRecent(connection: Connection, args: readonly unknown[]): Promise<void> {
    const { socket, budget, inTurn, cut } = connection;
    // The ack is the last argument, as for `sites:subscribe`; anything before it is the payload.
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (answer: RecentAck) => void) : undefined;
    const payload = ack ? args.slice(0, -1) : args;
    const parsed = payload.length <= 1 ? recentSubscribePayloadSchema.safeParse(payload[0]) : undefined;
    if (!parsed?.success) {
      const why = parsed ? describeZodError(parsed.error) : `expected at most one payload, got ${payload.length}`;
      ack?.({ ok: false, error: { code: 'invalid_request', message: `recent:subscribe takes no payload (an empty object at most): ${why}` } });
      return;
    }
    const list = this.recentListOf(socket);
    // Each subscribe reads the store: a repeat costs what a repeated search:subscribe does.
    if (list !== undefined && socket.rooms.has(list) && !budget.take(REPEATED_SUBSCRIBE_COST - MESSAGE_COST)) return cut('recent:subscribe');
    const answer = await inTurn(async (): Promise<RecentAck> => {
      if (socket.disconnected) return { ok: false, error: { code: 'disconnected', message: 'the connection closed first' } };
      // No key with HISTORY_SCOPE=owner: no history, so nothing to list or push.
      if (list === undefined) return { ok: true, items: [] };
      try {
        // Joined before the read: a search started in between is pushed, never missed.
        await socket.join(list);
        const key = historyKeyOf(socket.handshake.headers.cookie);
        const { items } = await this.options.searches.list({ limit: RECENT_LIMIT }, key);
        return { ok: true, items };
      } catch (error) {
        this.logger.error({ err: error }, 'reading the recent searches failed');
        try {
          await socket.leave(list);
        } catch (leaveError) {
          this.logger.error({ err: leaveError }, 'leaving the recent list of a refused subscribe failed');
        }
        return { ok: false, error: { code: 'internal', message: 'could not read the recent searches' } };
      }
    });
    ack?.(answer);
  }

  /** `search:subscribe` on one connection: its limits, then its answer in the socket's turn. */
  private async subscribe(connection: Connection, payload: unknown, ack: unknown): Promise<void> {
    const { budget, followed, inTurn, cut, socket } = connection;
    const reply = (answer: SubscribeAck) => {
      if (typeof ack === 'function') (ack as (answer: SubscribeAck) => void)(answer);
    };
    const parsed = subscribePayloadSchema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'invalid_request', message: describeZodError(parsed.error) } });
      return;
    }
    const { searchId, afterSeq, lastAt } = parsed.data;
    let answers = followed.get(searchId);
    if (answers) {
      if (!budget.take(REPEATED_SUBSCRIBE_COST - MESSAGE_COST)) return cut('search:subscribe');
    } else {
      if (followed.size >= this.limits.searchesPerConnection) {
        reply({
          ok: false,
          error: {
            code: 'too_many_searches',
            message: `this connection follows ${followed.size} searches, the most it may; unsubscribe from one first`,
          },
        });
        return;
      }
      answers = new Map();
      followed.set(searchId, answers);
    }
    const own = answers;
    const position = `${afterSeq}:${lastAt ?? ''}`;
    let answer = own.get(position);
    if (!answer) {
      answer = inTurn(() => this.answerSubscribe(socket, searchId, afterSeq, lastAt, () => followed.get(searchId) === own));
      own.set(position, answer);
      const settled = answer;
      void settled.then(() => {
        if (own.get(position) === settled) own.delete(position);
      });
    }
    const answered = await answer;
    if (!answered.ok && followed.get(searchId) === own) followed.delete(searchId);
    reply(answered);
  }

  /**
   * The answer to one subscribe, read in the socket's turn. `wanted` says whether the search is
   * still followed (an unsubscribe may have come while this one waited). Never throws.
   */
  private async answerSubscribe(
    socket: HubSocket,
    searchId: string,
    afterSeq: number,
    lastAt: number | undefined,
    wanted: () => boolean,
  ): Promise<SubscribeAck> {
    const { searches } = this.options;
    // Nobody would read the answer: the socket is gone (cut, perhaps), or unsubscribed meanwhile.
    if (socket.disconnected) return { ok: false, error: { code: 'disconnected', message: 'the connection closed first' } };
    if (!wanted()) {
      return { ok: false, error: { code: 'unsubscribed', message: `search ${searchId} was unsubscribed before it was answered` } };
    }
    try {
      await socket.join(roomFor(searchId));
      const exists = await searches.exists(searchId);
      if (!exists) {
        await socket.leave(roomFor(searchId));
        return { ok: false, error: { code: 'not_found', message: `no search with id ${searchId}` } };
      }
      // The client's event `afterSeq` must still be the server's; after a crash that lost
      // events the client was shown, that seq is gone or names another event.
      const [own] = afterSeq > 0 ? await searches.eventsAfter(searchId, afterSeq - 1) : [];
      const kept = afterSeq === 0 || (own?.seq === afterSeq && (lastAt === undefined || own.at === lastAt));
      if (!kept) return { ok: true, reset: true, events: await searches.eventsAfter(searchId, 0) };
      return { ok: true, events: await searches.eventsAfter(searchId, afterSeq) };
    } catch (error) {
      this.logger.error({ err: error, searchId }, 'subscribe failed');
      try {
        await socket.leave(roomFor(searchId));
      } catch (leaveError) {
        this.logger.error({ err: leaveError, searchId }, 'leaving the room of a refused subscribe failed');
      }
      return { ok: false, error: { code: 'internal', message: 'could not read the search' } };
    }
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
    this.stopPlacing();
    this.stopCharting?.();
    this.recent.close();
    this.stopSitesTimer();
    this.io.disconnectSockets(true);
    // Not io.close(): that would also close the HTTP server, which the composition root owns.
    this.io.engine.close();
  }
}
