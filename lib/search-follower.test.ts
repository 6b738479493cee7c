import { describe, expect, it } from 'vitest';
import { SearchFollower, type FollowerSocket } from './search-follower';
import type { LiveSearchEvent, SubscribeAck } from './socket-events';
import type { SearchEvent } from './types';

const ID = 'A'.repeat(22);
const event = (seq: number, searchId = ID): LiveSearchEvent => ({ searchId, seq, at: seq, type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });

/** A socket the test drives by hand: it records subscribes and lets the test answer them. */
class FakeSocket implements FollowerSocket {
  connected = false;
  readonly subscribes: { searchId: string; afterSeq?: number; ack: (answer: SubscribeAck) => void }[] = [];
  readonly unsubscribes: string[] = [];
  private readonly listeners = new Map<string, Set<(...args: never[]) => void>>();

  on(name: string, listener: (...args: never[]) => void) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(listener);
    return this;
  }
  off(name: string, listener: (...args: never[]) => void) {
    this.listeners.get(name)?.delete(listener);
    return this;
  }
  emit(name: string, payload: { searchId: string; afterSeq?: number }, ack?: (answer: SubscribeAck) => void) {
    if (name === 'search:subscribe') this.subscribes.push({ ...payload, ack: ack! });
    if (name === 'search:unsubscribe') this.unsubscribes.push(payload.searchId);
    return true;
  }
  connect() {
    this.connected = true;
    for (const listener of this.listeners.get('connect') ?? []) listener();
  }
  push(live: LiveSearchEvent) {
    for (const listener of this.listeners.get('search:event') ?? []) (listener as (e: LiveSearchEvent) => void)(live);
  }
  answer(index: number, events: SearchEvent[]) {
    this.subscribes[index]!.ack({ ok: true, events });
  }
}

function setup() {
  const socket = new FakeSocket();
  const received: number[] = [];
  const errors: string[] = [];
  const follower = new SearchFollower({
    socket,
    onEvents: (_id, events) => received.push(...events.map((e) => e.seq)),
    onError: (_id, error) => errors.push(error.code),
  });
  return { socket, follower, received, errors };
}

const plain = (seq: number): SearchEvent => {
  const { searchId: _, ...rest } = event(seq);
  return rest;
};

describe('SearchFollower', () => {
  it('subscribes on connect from the seq it was given and hands the backlog on', () => {
    const { socket, follower, received } = setup();
    follower.follow(ID, { seq: 2, at: 2 });
    expect(socket.subscribes).toHaveLength(0);
    socket.connect();
    expect(socket.subscribes[0]).toMatchObject({ searchId: ID, afterSeq: 2, lastAt: 2 });
    socket.answer(0, [plain(3), plain(4)]);
    expect(received).toEqual([3, 4]);
    expect(follower.lastSeq(ID)).toBe(4);
  });

  it('holds live events that arrive before the ack and merges them by seq, without repeats', () => {
    const { socket, follower, received } = setup();
    socket.connect();
    follower.follow(ID);
    socket.push(event(3));
    socket.push(event(4));
    socket.answer(0, [plain(1), plain(2), plain(3)]);
    socket.push(event(4));
    socket.push(event(5));
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });

  it('resubscribes from its last seq on a gap and after a reconnect, missing nothing', () => {
    const { socket, follower, received } = setup();
    socket.connect();
    follower.follow(ID);
    socket.answer(0, [plain(1), plain(2)]);
    socket.push(event(4));
    expect(socket.subscribes[1]).toMatchObject({ afterSeq: 2 });
    socket.answer(1, [plain(3), plain(4)]);

    socket.connected = false;
    socket.connect();
    expect(socket.subscribes[2]).toMatchObject({ afterSeq: 4 });
    // The ack of the subscribe before the reconnect is stale and changes nothing.
    socket.answer(1, [plain(5)]);
    socket.answer(2, [plain(5), plain(6)]);
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps searches apart, reports refusals and stops after unfollow', () => {
    const { socket, follower, received, errors } = setup();
    socket.connect();
    follower.follow(ID);
    follower.follow('B'.repeat(22));
    socket.subscribes[1]!.ack({ ok: false, error: { code: 'not_found', message: 'no search' } });
    expect(errors).toEqual(['not_found']);
    socket.answer(0, []);
    socket.push(event(1, 'B'.repeat(22)));
    socket.push(event(1));
    follower.unfollow(ID);
    socket.push(event(2));
    expect(received).toEqual([1]);
    expect(socket.unsubscribes).toEqual([ID]);
  });
});

describe('SearchFollower after a server crash', () => {
  it('sends the at of its last event, and on a reset hands the whole log to onReset and carries on from it', () => {
    const socket = new FakeSocket();
    const resets: number[][] = [];
    const received: number[] = [];
    const follower = new SearchFollower({
      socket,
      onEvents: (_id, events) => received.push(...events.map((e) => e.seq)),
      onReset: (_id, events) => resets.push(events.map((e) => e.seq)),
    });
    follower.follow(ID, { seq: 3, at: 3 });
    socket.connect();
    expect(socket.subscribes[0]).toMatchObject({ searchId: ID, afterSeq: 3, lastAt: 3 });
    socket.subscribes[0]!.ack({ ok: true, reset: true, events: [plain(2), plain(1)] });
    expect(resets).toEqual([[1, 2]]);
    expect(follower.lastSeq(ID)).toBe(2);
    socket.push(event(3));
    expect(received).toEqual([3]);
  });
});
