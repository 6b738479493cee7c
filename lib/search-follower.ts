/**
 * Follows searches over one Socket.IO connection and hands each search's events on exactly once,
 * in seq order, with no gap — across reconnects.
 *
 *   connect ─▶ search:subscribe {searchId, afterSeq: last seq handed on} ─ack─▶ backlog ─┐
 *   search:event (live) ──────── held while that subscribe is answered ──────────────────┼─▶ onEvents
 *                                                                                      (seq order)
 * The hub joins the room before it reads the backlog, so a live event may arrive before the ack
 * that also carries it: live events are held until the ack, then both are merged by seq. A seq
 * that jumps ahead (an event lost on a flaky link) triggers a new subscribe from the last seq.
 *
 * Invariants:
 * - `onEvents` MUST receive seqs lastSeq+1, lastSeq+2 … per search: never a repeat, never a gap;
 * - on every (re)connect each followed search is subscribed again from its last seq.
 */
import type { ClientToServerEvents, LiveSearchEvent, ServerToClientEvents, SubscribeAck } from './socket-events';
import type { SearchEvent } from './types';

/** What the follower needs of a socket; a socket.io-client `Socket` is one. */
export interface FollowerSocket {
  readonly connected: boolean;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'search:event', listener: ServerToClientEvents['search:event']): unknown;
  off(event: 'connect', listener: () => void): unknown;
  off(event: 'search:event', listener: ServerToClientEvents['search:event']): unknown;
  emit(event: 'search:subscribe', ...args: Parameters<ClientToServerEvents['search:subscribe']>): unknown;
  emit(event: 'search:unsubscribe', ...args: Parameters<ClientToServerEvents['search:unsubscribe']>): unknown;
}

/** Options of a follower. */
export interface SearchFollowerOptions {
  readonly socket: FollowerSocket;
  /** Receives a search's next events: contiguous seqs, each once. */
  readonly onEvents: (searchId: string, events: readonly SearchEvent[]) => void;
  /**
   * The server's log is no longer the one handed on (a crash lost events that were shown): the
   * whole log from seq 1, to replace what the caller holds. Without it, `onEvents` gets them.
   */
  readonly onReset?: (searchId: string, events: readonly SearchEvent[]) => void;
  /** A subscribe the hub refused (unknown id, bad payload, store error); the search is dropped. */
  readonly onError?: (searchId: string, error: { readonly code: string; readonly message: string }) => void;
}

interface Followed {
  lastSeq: number;
  /** `at` of the event `lastSeq`, when known. */
  lastAt?: number;
  /** Token of the subscribe awaiting its ack; undefined when none is. */
  pending?: number;
  held: SearchEvent[];
}

/** Follows searches' events over one socket. */
export class SearchFollower {
  private readonly socket: FollowerSocket;
  private readonly onEvents: SearchFollowerOptions['onEvents'];
  private readonly onError: SearchFollowerOptions['onError'];
  private readonly onReset: SearchFollowerOptions['onReset'];
  private readonly followed = new Map<string, Followed>();
  private tokens = 0;

  constructor(options: SearchFollowerOptions) {
    this.socket = options.socket;
    this.onEvents = options.onEvents;
    this.onError = options.onError;
    this.onReset = options.onReset;
    this.socket.on('connect', this.handleConnect);
    this.socket.on('search:event', this.handleEvent);
  }

  /**
   * Follows a search from its start, or after `last`, the newest event the caller already has:
   * its `at` goes with its seq, so the hub can tell whether it still has that very event.
   */
  follow(searchId: string, last?: { readonly seq: number; readonly at: number }): void {
    if (this.followed.has(searchId)) return;
    this.followed.set(searchId, { lastSeq: last?.seq ?? 0, lastAt: last?.at, held: [] });
    if (this.socket.connected) this.subscribe(searchId);
  }

  /** Stops following a search. */
  unfollow(searchId: string): void {
    if (!this.followed.delete(searchId)) return;
    if (this.socket.connected) this.socket.emit('search:unsubscribe', { searchId });
  }

  /** The last seq handed on for a search (0 before any). */
  lastSeq(searchId: string): number {
    return this.followed.get(searchId)?.lastSeq ?? 0;
  }

  /** Stops listening to the socket; the caller owns (and closes) the socket. */
  close(): void {
    this.socket.off('connect', this.handleConnect);
    this.socket.off('search:event', this.handleEvent);
    this.followed.clear();
  }

  private readonly handleConnect = (): void => {
    for (const searchId of this.followed.keys()) this.subscribe(searchId);
  };

  private readonly handleEvent = (live: LiveSearchEvent): void => {
    const entry = this.followed.get(live.searchId);
    if (!entry) return;
    const { searchId, ...event } = live;
    if (entry.pending !== undefined) entry.held.push(event);
    else this.accept(searchId, entry, [event]);
  };

  private subscribe(searchId: string): void {
    const entry = this.followed.get(searchId)!;
    const token = ++this.tokens;
    entry.pending = token;
    entry.held = [];
    const position = { searchId, afterSeq: entry.lastSeq, ...(entry.lastAt === undefined ? {} : { lastAt: entry.lastAt }) };
    this.socket.emit('search:subscribe', position, (answer: SubscribeAck) => {
      // An ack from before a reconnect or an unfollow is stale: a newer subscribe owns the entry.
      if (this.followed.get(searchId) !== entry || entry.pending !== token) return;
      entry.pending = undefined;
      const held = entry.held;
      entry.held = [];
      if (!answer.ok) {
        // A refused search is no longer followed; the caller may follow it again.
        this.followed.delete(searchId);
        this.onError?.(searchId, answer.error);
        return;
      }
      if (answer.reset) {
        const log = [...answer.events].sort((a, b) => a.seq - b.seq);
        entry.lastSeq = log.at(-1)?.seq ?? 0;
        entry.lastAt = log.at(-1)?.at;
        if (this.onReset) this.onReset(searchId, log);
        else this.onEvents(searchId, log);
        this.accept(searchId, entry, held);
        return;
      }
      this.accept(searchId, entry, [...answer.events, ...held]);
    });
  }

  private accept(searchId: string, entry: Followed, events: readonly SearchEvent[]): void {
    const next: SearchEvent[] = [];
    let gap = false;
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      if (event.seq <= entry.lastSeq) continue;
      if (event.seq !== entry.lastSeq + 1) {
        gap = true;
        break;
      }
      next.push(event);
      entry.lastSeq = event.seq;
      entry.lastAt = event.at;
    }
    if (next.length > 0) this.onEvents(searchId, next);
    if (gap) this.subscribe(searchId);
  }
}
