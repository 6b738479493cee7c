import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveSearchEvent, ServerToClientEvents, SubscribeAck } from '../lib/socket-events';
import type { SearchEvent } from '../lib/types';
import { startTestSitescan, type TestSitescan } from './test-support';

let app: TestSitescan;
const sockets: Socket[] = [];

beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await app.dispose();
});

function client(): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(app.url, { transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function subscribe(socket: Socket<ServerToClientEvents, ClientToServerEvents>, payload: unknown): Promise<SubscribeAck> {
  return new Promise((resolve) => socket.emit('search:subscribe', payload as { searchId: string }, resolve));
}

/** Collects live events until `search:completed`. */
function untilCompleted(socket: Socket<ServerToClientEvents, ClientToServerEvents>, searchId: string): Promise<LiveSearchEvent[]> {
  const events: LiveSearchEvent[] = [];
  return new Promise((resolve) => {
    socket.on('search:event', (event) => {
      if (event.searchId !== searchId) return;
      events.push(event);
      if (event.type === 'search:completed') resolve(events);
    });
  });
}

describe('Socket.IO hub', () => {
  it('acks with the backlog after afterSeq, then pushes live events in seq order with no gap', async () => {
    const socket = await client();
    const { id } = app.services.searches.create({ name: 'Bakery' });
    const live = untilCompleted(socket, id);
    const ack = await subscribe(socket, { searchId: id, afterSeq: 0 });
    expect(ack.ok).toBe(true);
    const backlog = ack.ok ? ack.events : [];
    expect(backlog[0]).toMatchObject({ seq: 1, type: 'search:created' });
    const pushed = await live;
    // Backlog + live, deduplicated by seq, is exactly 1..n: nothing missed, order kept.
    const seen = new Map<number, SearchEvent>();
    for (const event of [...backlog, ...pushed]) seen.set(event.seq, event);
    const seqs = [...seen.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(pushed.map((e) => e.seq)).toEqual([...pushed.map((e) => e.seq)].sort((a, b) => a - b));
    expect(pushed.every((e) => e.searchId === id)).toBe(true);
    const stored = await app.services.searches.get(id);
    expect(stored.events.map((e) => e.seq)).toEqual(seqs);
  });

  it('a client that reconnects with the last seq it saw gets exactly the rest', async () => {
    const { id } = app.services.searches.create({ name: 'Dental' });
    const first = await client();
    const done = untilCompleted(first, id);
    await subscribe(first, { searchId: id, afterSeq: 0 });
    await done;
    const all = (await app.services.searches.get(id)).events;
    first.close();
    const second = await client();
    const ack = await subscribe(second, { searchId: id, afterSeq: 3 });
    expect(ack.ok && ack.events.map((e) => e.seq)).toEqual(all.slice(3).map((e) => e.seq));
  });

  it('refuses unknown ids and malformed payloads with a reason', async () => {
    const socket = await client();
    expect(await subscribe(socket, { searchId: 'A'.repeat(22), afterSeq: 0 })).toEqual({
      ok: false,
      error: { code: 'not_found', message: `no search with id ${'A'.repeat(22)}` },
    });
    const bad = await subscribe(socket, { searchId: '../etc', afterSeq: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!bad.ok && bad.error.message).toMatch(/searchId: not a search id.*afterSeq/);
    const extra = await subscribe(socket, { searchId: 'A'.repeat(22), afterSeq: 0, evil: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('drops a client whose message is larger than the cap', async () => {
    const socket = await client();
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('search:subscribe', { searchId: 'x'.repeat(100_000), afterSeq: 0 }, () => undefined);
    expect(await closed).toMatch(/transport (close|error)/);
  });
});
