/**
 * What one Socket.IO client may cost the process: connections per address, searches followed per
 * connection, and the event budget of each connection. Set by `SOCKET_*` and `ALLOWED_ORIGINS`
 * (config.ts); the hub applies them (hub.ts, with socket-guard.ts and socket-budget.ts).
 */
import { MAX_BULK_ROWS } from '../lib/bulk-csv';

/** Options of the hub's limits on its clients. */
export interface SocketLimits {
  /** Connections one client address may hold at once. Default 50; an integer >= 1. */
  readonly connectionsPerClient: number;
  /**
   * Searches one connection may follow (rooms joined by `search:subscribe`). Default
   * {@link MAX_BULK_ROWS} (1,000): the bulk page follows every search of a run over one socket.
   */
  readonly searchesPerConnection: number;
  /** Points a connection's event budget regains per second. Default 50; > 0. */
  readonly eventsPerSecond: number;
  /**
   * Points a connection holds at most, and starts with. Default 1,500: the bulk page subscribes
   * to up to 1,000 searches at once on every (re)connect. At least `searchesPerConnection`.
   */
  readonly eventBurst: number;
  /** Origins besides the instance's own from which a browser may connect. Default none. */
  readonly allowedOrigins: readonly string[];
}

/** The defaults of {@link SocketLimits}. */
export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  connectionsPerClient: 50,
  searchesPerConnection: MAX_BULK_ROWS,
  eventsPerSecond: 50,
  eventBurst: 1_500,
  allowedOrigins: [],
};

/**
 * Points every message costs. A `search:subscribe` for a search the connection already follows
 * costs {@link REPEATED_SUBSCRIBE_COST} in all: it re-sends a log the client is already being
 * pushed, which a client needs only after a gap in what it received — rare. At the defaults a
 * client can still recover from a gap twice a second, while a flood of repeats empties a full
 * budget after ~60 messages.
 */
export const MESSAGE_COST = 1;

/** Points a repeated `search:subscribe` costs in all (see {@link MESSAGE_COST}). */
export const REPEATED_SUBSCRIBE_COST = 25;
