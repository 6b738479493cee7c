import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSearchEvent, SubscribeAck } from '../lib/socket-events';
import type { SearchEvent, SiteInfo } from '../lib/types';
import { Hub } from './hub';
import { connectClient, pushesUntil, type HubClient } from './hub-test-client';
import { logger } from './logger';
import type { SearchService } from './search-service';
import { startTestSitescan, type TestSitescan } from './test-support';

let app: TestSitescan;
const sockets: HubClient[] = [];

beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await app.dispose();
});

function client(url = app.url): Promise<HubClient> {
  return connectClient(url, sockets);
}

function subscribe(socket: HubClient, payload: unknown): Promise<SubscribeAck> {
  return new Promise((resolve) => socket.emit('search:subscribe', payload as { searchId: string }, resolve));
}

/** Collects live events until `search:completed`. */
function untilCompleted(socket: HubClient, searchId: string): Promise<LiveSearchEvent[]> {
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
    const { id } = await app.services.searches.create({ name: 'Bakery' });
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
    const { id } = await app.services.searches.create({ name: 'Dental' });
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

  it('tells a client whose log the server no longer has to start again from seq 1', async () => {
    const { id } = await app.services.searches.create({ name: 'Reset Bakery' });
    const socket = await client();
    const done = untilCompleted(socket, id);
    await subscribe(socket, { searchId: id, afterSeq: 0 });
    await done;
    const all = (await app.services.searches.get(id)).events;
    const third = all[2]!;
    // Same seq and at: the client's log is the server's; it gets the rest.
    const kept = await subscribe(socket, { searchId: id, afterSeq: 3, lastAt: third.at });
    expect(kept).toEqual({ ok: true, events: all.slice(3) });
    // A different at (a crash gave seq 3 to another event), or a seq past the end: reset.
    const changed = await subscribe(socket, { searchId: id, afterSeq: 3, lastAt: third.at - 1 });
    expect(changed).toEqual({ ok: true, reset: true, events: all });
    const beyond = await subscribe(socket, { searchId: id, afterSeq: all.length + 5 });
    expect(beyond).toMatchObject({ ok: true, reset: true });
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


function subscribeSites(socket: HubClient): Promise<readonly SiteInfo[]> {
  return new Promise((resolve) => socket.emit('sites:subscribe', resolve));
}

/** The next `count` pushes of `sites:stats`. */
function nextStats(socket: HubClient, count = 1): Promise<(readonly SiteInfo[])[]> {
  return pushesUntil(socket, 'sites:stats', (pushes) => pushes.length >= count);
}

// Needs server/index.ts to pass `sites: () => pipeline.sites()` to the hub.
describe('Socket.IO hub: sites:subscribe in a running sitescan', () => {
  it('acks with every site and its live figures, then pushes sites:stats that follow the pipeline', async () => {
    const socket = await client();
    const sites = await subscribeSites(socket);
    expect(sites.map((site) => site.id)).toContain('brownbook.net');
    expect(sites.map((site) => site.id)).toEqual(app.services.registry.all().map((connector) => connector.definition.id));
    const active = sites.filter((site) => site.status === 'active');
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((site) => site.stats && site.stats.limitPerSec > 0)).toBe(true);

    const attemptsBefore = sites.reduce((sum, site) => sum + (site.stats?.attempts ?? 0), 0);
    const { id } = await app.services.searches.create({ name: 'Sites view bakery' });
    await app.services.searches.whenEnded(id);
    const [pushed] = await nextStats(socket);
    const attemptsAfter = pushed!.reduce((sum, site) => sum + (site.stats?.attempts ?? 0), 0);
    expect(attemptsAfter).toBeGreaterThan(attemptsBefore);
    socket.emit('sites:unsubscribe');
  });
});

describe('Socket.IO hub: the sites:stats timer', () => {
  let calls = 0;
  const site = (id: string): SiteInfo => ({
    id,
    name: id,
    kind: 'html',
    sandbox: true,
    limits: { concurrency: 1, requests: 1, perMs: 1000 },
    timeoutMs: 1000,
    retries: 0,
    hedge: true,
    status: 'active',
  });
  const httpServer = createServer();
  const hub = new Hub(httpServer, {
    // The timer needs neither: no search is subscribed to in these tests.
    eventLog: { onEvent: () => () => undefined },
    searches: { historyScope: 'all', onCreated: () => () => undefined } as unknown as SearchService,
    logger,
    sites: () => [site(`call-${++calls}.test`)],
    sitesPushMs: 50,
  });
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hub.close();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });

  it('runs only while someone is subscribed, for every subscriber, and stops when the room empties', async () => {
    expect(hub.pushingSites).toBe(false);
    const first = await client(url);
    expect(hub.pushingSites).toBe(false);
    expect(calls).toBe(0);

    const acked = await subscribeSites(first);
    expect(acked.map((s) => s.id)).toEqual(['call-1.test']);
    expect(hub.pushingSites).toBe(true);

    const second = await client(url);
    await subscribeSites(second);
    const [firstPushes, secondPushes] = await Promise.all([nextStats(first, 2), nextStats(second, 2)]);
    // One read per tick, pushed to every subscriber: both see the same figures.
    expect(firstPushes.at(-1)).toEqual(secondPushes.at(-1));
    expect(hub.sitesWatchers).toBe(2);

    second.emit('sites:unsubscribe');
    // Every socket's own room is deleted too when it disconnects: wait for the sites room.
    const adapter = hub.io.of('/').adapter;
    const roomDeleted = new Promise<void>((resolve) => {
      const onDelete = (room: string) => {
        if (room !== 'sites') return;
        adapter.off('delete-room', onDelete);
        resolve();
      };
      adapter.on('delete-room', onDelete);
    });
    first.close();
    await roomDeleted;
    expect(hub.sitesWatchers).toBe(0);
    expect(hub.pushingSites).toBe(false);
    second.close();
  });

  it('answers a subscriber that sends a payload before its ack', async () => {
    const socket = await client(url);
    const sites = await new Promise<readonly SiteInfo[]>((resolve) =>
      (socket.emit as (...args: unknown[]) => void)('sites:subscribe', { evil: true }, resolve),
    );
    expect(sites).toHaveLength(1);
    socket.close();
  });
});
