import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { io as connect, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { roomFor, type ClientToServerEvents, type ServerToClientEvents, type SubscribeAck } from '../lib/socket-events';
import { Hub } from './hub';
import type { SearchService } from './search-service';
import { startTestSitescan, type TestSitescan } from './test-support';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const DASHBOARD = 'https://dashboard.example.com';
let app: TestSitescan;
let opened: ClientSocket[] = [];

beforeAll(async () => {
  app = await startTestSitescan({
    SOCKET_CONNECTIONS_PER_CLIENT: '3',
    SOCKET_SEARCHES_PER_CONNECTION: '2',
    SOCKET_EVENTS_PER_SECOND: '10',
    SOCKET_EVENT_BURST: '60',
    ALLOWED_ORIGINS: DASHBOARD,
  });
});
afterEach(async () => {
  for (const socket of opened) socket.close();
  opened = [];
  // The next test starts with no connection counted against its address.
  await vi.waitFor(() => expect(hub().guard.clients).toBe(0), { timeout: 5_000 });
});
afterAll(async () => {
  await app.dispose();
});

function hub(): Hub {
  const { hub } = app.services;
  if (!hub) throw new Error('the test sitescan has no hub');
  return hub;
}

/** A connected socket, or the error its connection failed with. */
function open(options: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connect(app.url, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function subscribe(socket: ClientSocket, payload: { searchId: string; afterSeq: number }): Promise<SubscribeAck> {
  return new Promise((resolve) => socket.emit('search:subscribe', payload, resolve));
}

function disconnected(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', resolve));
}

async function endedSearch(name: string): Promise<string> {
  const { id } = await app.services.searches.create({ name });
  await app.services.searches.whenEnded(id);
  return id;
}

/** A bare Engine.IO polling handshake: status and body, with the headers given. */
function handshake(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}/socket.io/?EIO=4&transport=polling`, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Socket.IO event budget', () => {
  it('cuts a socket that floods subscribes, reads the store once for identical ones, and health answers meanwhile', async () => {
    const searchId = await endedSearch('Flood Bakery');
    const reads = vi.spyOn(app.services.searches, 'eventsAfter');
    const bystander = await open();
    const flooder = await open();
    const cut = disconnected(flooder);
    let acks = 0;
    for (let i = 0; i < 3_000; i++) {
      flooder.emit('search:subscribe', { searchId, afterSeq: 0 }, (ack) => {
        acks++;
        expect(ack).toMatchObject({ ok: true });
      });
    }
    const health: { status: number; ms: number }[] = [];
    let flooding = true;
    void cut.then(() => (flooding = false));
    while (flooding || health.length === 0) {
      const started = performance.now();
      const res = await fetch(`${app.url}/api/health`);
      await res.arrayBuffer();
      health.push({ status: res.status, ms: performance.now() - started });
    }
    expect(await cut).toBe('io server disconnect');
    // Burst 60: one new subscribe (1 point) and at most 2 repeats (25 points each) are answered.
    expect(acks).toBeLessThanOrEqual(3);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
    expect(health.every((probe) => probe.status === 200)).toBe(true);
    // Before the budget, one health call waited 10.9 s behind such a flood (npm run load:socket-flood).
    expect(Math.max(...health.map((probe) => probe.ms))).toBeLessThan(1_000);
    reads.mockRestore();
    // The flood cost the bystander nothing: it is still connected and answered.
    expect(bystander.connected).toBe(true);
    expect(await subscribe(bystander, { searchId, afterSeq: 0 })).toMatchObject({ ok: true });
  });

  it('answers a repeated subscribe with the events after its afterSeq, at a higher price', async () => {
    const searchId = await endedSearch('Repeat Dental');
    const all = (await app.services.searches.get(searchId)).events;
    const socket = await open();
    expect(await subscribe(socket, { searchId, afterSeq: 0 })).toEqual({ ok: true, events: all });
    expect(await subscribe(socket, { searchId, afterSeq: 3 })).toEqual({ ok: true, events: all.slice(3) });
    expect(await subscribe(socket, { searchId, afterSeq: all.length })).toEqual({ ok: true, events: [] });
    // 1 + 25 + 25 points of 60 spent: a third repeat is over the budget, 20 cheap messages are not.
    for (let i = 0; i < 20; i++) socket.emit('sites:unsubscribe');
    expect(socket.connected).toBe(true);
    const cut = disconnected(socket);
    socket.emit('search:subscribe', { searchId, afterSeq: 0 }, () => undefined);
    expect(await cut).toBe('io server disconnect');
  });
  it('shares one store read among identical subscribes waiting on one socket', async () => {
    const searchId = await endedSearch('Shared Florist');
    const all = (await app.services.searches.get(searchId)).events;
    const reads = vi.spyOn(app.services.searches, 'eventsAfter');
    const socket = await open();
    // 3 messages + 2 repeats at 24 points more: 51 of the 60 points.
    const answers = await Promise.all([1, 2, 3].map(() => subscribe(socket, { searchId, afterSeq: 0 })));
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    for (const answer of answers) expect(answer).toEqual({ ok: true, events: all });
    expect(socket.connected).toBe(true);
  });
});

describe('Socket.IO followed-search cap', () => {
  it('refuses a subscribe past the cap with a reason, and takes one again after an unsubscribe', async () => {
    const [first, second, third] = await Promise.all([endedSearch('Cap A'), endedSearch('Cap B'), endedSearch('Cap C')]);
    const socket = await open();
    expect(await subscribe(socket, { searchId: first, afterSeq: 0 })).toMatchObject({ ok: true });
    expect(await subscribe(socket, { searchId: second, afterSeq: 0 })).toMatchObject({ ok: true });
    expect(await subscribe(socket, { searchId: third, afterSeq: 0 })).toEqual({
      ok: false,
      error: { code: 'too_many_searches', message: 'this connection follows 2 searches, the most it may; unsubscribe from one first' },
    });
    expect(hub().io.of('/').adapter.rooms.get(roomFor(third))).toBeUndefined();
    socket.emit('search:unsubscribe', { searchId: first });
    expect(await subscribe(socket, { searchId: third, afterSeq: 0 })).toMatchObject({ ok: true });
  });

  it('does not count a search the server refused as followed', async () => {
    const socket = await open();
    const unknown = 'A'.repeat(22);
    for (let i = 0; i < 3; i++) expect(await subscribe(socket, { searchId: unknown, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await subscribe(socket, { searchId: await endedSearch('Cap D'), afterSeq: 0 })).toMatchObject({ ok: true });
  });
});

describe('Socket.IO connection cap per client address', () => {
  it('refuses the connection past the cap from one address, accepts another address, and counts a close', async () => {
    const own = await Promise.all([open(), open(), open()]);
    await expect(open()).rejects.toThrow();
    expect(await handshake({})).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: 'too many connections from 127.0.0.1: 3 open, at most 3 per client address' }),
    });
    const other = await open({ localAddress: '127.0.0.9' } as Partial<ManagerOptions>);
    expect(other.connected).toBe(true);
    expect(hub().guard.connections('127.0.0.9')).toBe(1);
    own[0].close();
    await vi.waitFor(() => expect(hub().guard.connections('127.0.0.1')).toBe(2));
    expect((await open()).connected).toBe(true);
  });
});

describe('Socket.IO origins', () => {
  it('refuses a foreign Origin with the reason, at the handshake', async () => {
    const { status, body } = await handshake({ Origin: 'https://evil.example' });
    expect(status).toBe(403);
    expect(JSON.parse(body)).toEqual({
      code: 4,
      message: `origin "https://evil.example" may not connect: only pages of this site (${new URL(app.url).host}) or of an origin in ALLOWED_ORIGINS may`,
    });
    await expect(open({ extraHeaders: { Origin: 'https://evil.example' } })).rejects.toThrow();
    await expect(open({ extraHeaders: { Origin: 'null' } })).rejects.toThrow();
    expect(hub().guard.clients).toBe(0);
  });

  it('accepts its own origin, a listed origin and a client without an Origin', async () => {
    expect((await open({ extraHeaders: { Origin: app.url } })).connected).toBe(true);
    expect((await open({ extraHeaders: { Origin: DASHBOARD } })).connected).toBe(true);
    expect((await open()).connected).toBe(true);
  });
});

describe('Socket.IO budget log', () => {
  it('says which address was cut and why, without the payload', async () => {
    const lines: string[] = [];
    const httpServer = createServer();
    const standalone = new Hub(httpServer, {
      eventLog: { onEvent: () => () => undefined },
      searches: { exists: async () => false, historyScope: 'all', onCreated: () => () => undefined } as unknown as SearchService,
      logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
      limits: { eventBurst: 5, eventsPerSecond: 1, searchesPerConnection: 5 },
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const socket: ClientSocket = connect(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      opened.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const cut = disconnected(socket);
      for (let i = 0; i < 10; i++) socket.emit('search:subscribe', { searchId: `secret-${'x'.repeat(16)}`, afterSeq: 0 }, () => undefined);
      expect(await cut).toBe('io server disconnect');
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 40, address: '127.0.0.1', event: 'search:subscribe' });
      expect(line.msg).toBe('socket cut off: 127.0.0.1 spent its event budget (5 at once, 1 a second)');
      expect(lines[0]).not.toContain('secret-');
    } finally {
      standalone.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
  });
});
