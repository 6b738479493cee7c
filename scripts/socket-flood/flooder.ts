/**
 * The flooding client of `npm run load:socket-flood`, a process of its own so that its work
 * (encoding thousands of messages, decoding their acks) never delays the health probes the parent
 * times.
 *
 * Each of FLOOD_SOCKETS sockets sends FLOOD_SUBSCRIBES `search:subscribe {searchId, afterSeq: 0}`
 * at once — a round — and starts the next round when every one is acked; when the server cuts it,
 * it connects again and goes on, until FLOOD_DURATION_MS have passed. Prints `flooding` when the
 * first round starts and one JSON line `result {...}` at the end.
 */
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../lib/socket-events';

type FloodSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What one flooding socket saw over the run. */
export interface FlooderResult {
  readonly rounds: number;
  readonly sent: number;
  readonly acked: number;
  /** Acks that said `ok: false`. */
  readonly refusedAcks: number;
  /** Times the server disconnected it. */
  readonly cuts: number;
  /** Ms from its first message to its first cut; undefined if never cut. */
  readonly firstCutAfterMs?: number;
  readonly disconnectReasons: readonly string[];
  /** Connection attempts the server refused. */
  readonly refusedConnects: number;
  readonly firstAckBytes?: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new TypeError(`Expected ${name} to be set`);
  return value;
}

const url = required('FLOOD_URL');
const searchId = required('FLOOD_SEARCH');
const sockets = Number(required('FLOOD_SOCKETS'));
const subscribes = Number(required('FLOOD_SUBSCRIBES'));
const durationMs = Number(required('FLOOD_DURATION_MS'));

function open(): Promise<FloodSocket | undefined> {
  const socket: FloodSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(undefined);
    });
  });
}

/** One round on one socket: whether the server cut it, and why. */
function round(socket: FloodSocket, tally: { acked: number; refusedAcks: number; firstAckBytes?: number }): Promise<string | undefined> {
  let acks = 0;
  return new Promise((resolve) => {
    const onDisconnect = (reason: string) => resolve(reason);
    socket.once('disconnect', onDisconnect);
    for (let i = 0; i < subscribes; i++) {
      socket.emit('search:subscribe', { searchId, afterSeq: 0 }, (ack: SubscribeAck) => {
        tally.acked++;
        if (!ack.ok) tally.refusedAcks++;
        tally.firstAckBytes ??= JSON.stringify(ack).length;
        if (++acks === subscribes) {
          socket.off('disconnect', onDisconnect);
          resolve(undefined);
        }
      });
    }
  });
}

async function flood(endAt: number, started: number): Promise<FlooderResult> {
  const tally: { acked: number; refusedAcks: number; firstAckBytes?: number } = { acked: 0, refusedAcks: 0 };
  let rounds = 0;
  let cuts = 0;
  let refusedConnects = 0;
  let firstCutAfterMs: number | undefined;
  const disconnectReasons = new Set<string>();
  let socket: FloodSocket | undefined;
  while (Date.now() < endAt) {
    socket ??= await open();
    if (!socket) {
      refusedConnects++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    rounds++;
    const cut = await round(socket, tally);
    if (cut !== undefined) {
      cuts++;
      firstCutAfterMs ??= Date.now() - started;
      disconnectReasons.add(cut);
      socket = undefined;
    }
  }
  socket?.close();
  return { rounds, sent: rounds * subscribes, ...tally, cuts, firstCutAfterMs, disconnectReasons: [...disconnectReasons], refusedConnects };
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log('flooding');
  const results = await Promise.all(Array.from({ length: sockets }, () => flood(started + durationMs, started)));
  console.log(`result ${JSON.stringify(results)}`);
}

main().catch((error: unknown) => {
  console.error('flooder failed', error);
  process.exit(1);
});
