import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentAck } from '../lib/socket-events';
import type { SearchListItem } from '../lib/types';
import { connectClient, type HubClient } from './hub-test-client';
import { HISTORY_KEY_COOKIE, newHistoryKey } from './http/history-key';
import { startTestSitescan, type TestSitescan } from './test-support';


const sockets: HubClient[] = [];

function client(url: string, historyKey?: string): Promise<HubClient> {
  return connectClient(url, sockets, historyKey ? { extraHeaders: { cookie: `${HISTORY_KEY_COOKIE}=${historyKey}` } } : {});
}

function subscribeRecent(socket: HubClient, ...payload: unknown[]): Promise<RecentAck> {
  return new Promise((resolve) => (socket.emit as (...args: unknown[]) => void)('recent:subscribe', ...payload, resolve));
}

/** Every `recent:changed` a socket receives, flattened. */
function pushesTo(socket: HubClient): SearchListItem[][] {
  const pushes: SearchListItem[][] = [];
  socket.on('recent:changed', (items) => pushes.push([...items]));
  return pushes;
}

/** Resolves with the push that shows search `id` ended. */
function endOf(socket: HubClient, id: string): Promise<SearchListItem> {
  return new Promise((resolve) => {
    const listener = (items: readonly SearchListItem[]) => {
      const line = items.find((item) => item.id === id && item.status !== 'running');
      if (!line) return;
      socket.off('recent:changed', listener);
      resolve(line);
    };
    socket.on('recent:changed', listener);
  });
}

afterAll(() => {
  for (const socket of sockets) socket.close();
});

describe('recent list over Socket.IO, HISTORY_SCOPE=all', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan();
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('acks with the list now, then pushes a new search at once and its line until it ends', async () => {
    const earlier = await app.services.searches.create({ name: 'Earlier Bakery' });
    await app.services.searches.whenEnded(earlier.id);
    const socket = await client(app.url);
    const pushes = pushesTo(socket);
    const ack = await subscribeRecent(socket);
    expect(ack.ok && ack.items.map((item) => item.id)).toEqual([earlier.id]);

    const { id } = await app.services.searches.create({ name: 'Live Bakery', location: 'Springfield, IL' });
    const final = await endOf(socket, id);
    expect(final).toMatchObject({ id, query: { name: 'Live Bakery', location: 'Springfield, IL' }, status: 'completed', summary: { open: 0 } });
    const stored = await app.services.searches.get(id);
    expect(final.summary).toEqual(stored.search.summary);

    const lines = pushes.flat().filter((item) => item.id === id);
    // Its first push is the search just started; each push carries it once, never more than 8 lines.
    expect(lines[0]).toMatchObject({ status: 'running', createdAt: stored.search.createdAt });
    expect(pushes.every((items) => items.length <= 8 && new Set(items.map((item) => item.id)).size === items.length)).toBe(true);
    // Coalesced: far fewer pushes than the search had events.
    expect(lines.length).toBeLessThan(stored.events.length);
    // The open count never rises from one push to the next.
    const open = lines.map((item) => item.summary.open);
    expect(open).toEqual([...open].sort((a, b) => b - a));
  });

  it('stops pushing to a client that unsubscribed', async () => {
    const socket = await client(app.url);
    const pushes = pushesTo(socket);
    await subscribeRecent(socket);
    socket.emit('recent:unsubscribe');
    const watcher = await client(app.url);
    await subscribeRecent(watcher);
    const { id } = await app.services.searches.create({ name: 'Quiet Bakery' });
    await endOf(watcher, id);
    expect(pushes).toEqual([]);
  });

  it('refuses a payload with a message that names it', async () => {
    const socket = await client(app.url);
    const extra = await subscribeRecent(socket, { limit: 100 });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!extra.ok && extra.error.message).toMatch(/^recent:subscribe takes no payload.*limit/);
    const text = await subscribeRecent(socket, 'all of them');
    expect(!text.ok && text.error.message).toMatch(/^recent:subscribe takes no payload/);
    const two = await subscribeRecent(socket, {}, {});
    expect(!two.ok && two.error.message).toMatch(/expected at most one payload, got 2/);
    expect(await subscribeRecent(socket, {})).toMatchObject({ ok: true });
  });
});

describe('recent list over Socket.IO, HISTORY_SCOPE=owner', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan({ HISTORY_SCOPE: 'owner' });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it("pushes each client its own searches only, never another's id or query", async () => {
    const anaKey = newHistoryKey();
    const boKey = newHistoryKey();
    const boOld = await app.services.searches.create({ name: 'Bo Old Hardware' }, { historyKey: boKey });
    await app.services.searches.whenEnded(boOld.id);

    const ana = await client(app.url, anaKey);
    const bo = await client(app.url, boKey);
    const stranger = await client(app.url);
    const anaPushes = pushesTo(ana);
    const boPushes = pushesTo(bo);
    const strangerPushes = pushesTo(stranger);
    expect(await subscribeRecent(ana)).toEqual({ ok: true, items: [] });
    const boAck = await subscribeRecent(bo);
    expect(boAck.ok && boAck.items.map((item) => item.id)).toEqual([boOld.id]);
    expect(await subscribeRecent(stranger)).toEqual({ ok: true, items: [] });

    const anaSearch = await app.services.searches.create({ name: 'Ana Secret Clinic' }, { historyKey: anaKey });
    const boSearch = await app.services.searches.create({ name: 'Bo New Hardware' }, { historyKey: boKey });
    const keyless = await app.services.searches.create({ name: 'Nobody Diner' });
    const [anaFinal, boFinal] = await Promise.all([endOf(ana, anaSearch.id), endOf(bo, boSearch.id)]);
    await app.services.searches.whenEnded(keyless.id);
    expect(anaFinal.status).toBe('completed');
    expect(boFinal.status).toBe('completed');

    const seenBy = (pushes: SearchListItem[][]) => new Set(pushes.flat().map((item) => item.id));
    expect([...seenBy(anaPushes)]).toEqual([anaSearch.id]);
    // Bo's older search may still have its end on the way: his own, so his to hear.
    expect([...seenBy(boPushes)].filter((id) => id !== boOld.id)).toEqual([boSearch.id]);
    expect(strangerPushes).toEqual([]);
    // Nothing of Ana's search in anything Bo received, not even its name.
    expect(JSON.stringify(boPushes)).not.toContain('Ana Secret Clinic');
  });
});
