/**
 * Real Socket.IO clients for the hub's tests: a connection of its own per call, over WebSocket
 * as browsers use it, and the pushes it is sent until a test has seen enough.
 */
import { io as connect, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../lib/socket-events';

/** A typed client of the hub. */
export type HubClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What a push of `E` carries. */
type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * Connects a new client to `url` and adds it to `opened`, for the test file to close them all;
 * rejects when the handshake is refused.
 */
export function connectClient(url: string, opened: HubClient[], options: Partial<ManagerOptions & SocketOptions> = {}): Promise<HubClient> {
  const socket: HubClient = connect(url, { transports: ['websocket'], forceNew: true, ...options });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The pushes of `event` to `socket` from now until `done` holds for them (the last included). */
export function pushesUntil<E extends keyof ServerToClientEvents>(
  socket: HubClient,
  event: E,
  done: (pushes: readonly Payload<E>[]) => boolean,
): Promise<Payload<E>[]> {
  const pushes: Payload<E>[] = [];
  // socket.io-client's overloads do not narrow on a generic event name.
  const on = socket.on.bind(socket) as (event: E, listener: (payload: Payload<E>) => void) => void;
  const off = socket.off.bind(socket) as (event: E, listener: (payload: Payload<E>) => void) => void;
  return new Promise((resolve) => {
    const listener = (payload: Payload<E>) => {
      pushes.push(payload);
      if (!done(pushes)) return;
      off(event, listener);
      resolve(pushes);
    };
    on(event, listener);
  });
}
