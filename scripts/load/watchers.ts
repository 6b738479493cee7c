/**
 * The load run's Socket.IO clients: M connected sockets, each search watched by K of them
 * (round-robin), every event received checked and timed.
 *
 *   search created ──watch──▶ K clients ──search:subscribe──▶ backlog (ack) + live search:event
 *                                                               │
 *        push latency, search time, site outcomes ◀── notice ◀──┘
 *
 * Invariants checked at the end: every watcher's log (backlog + live) is exactly seqs 1..n, no
 * live event arrives twice, and every subscription is acknowledged.
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveSearchEvent, ServerToClientEvents, SubscribeAck } from '../../lib/socket-events';
import { isSearchEndEvent, isSiteEndEvent, type SearchEvent } from '../../lib/types';
import { reasonOf } from '../../lib/search-state';
import type { PhaseStats } from './phase-stats';
import { increment } from './samples';

/** A search the generator created, followed to its end. */
export interface TrackedSearch {
  readonly id: string;
  readonly phase: PhaseStats;
  readonly postAt: number;
  createdAt?: number;
  ended: boolean;
}

interface Subscription {
  readonly search: TrackedSearch;
  /** This watcher counts the search's site outcomes (one per search, so they are not counted K times). */
  readonly primary: boolean;
  readonly seqs: Set<number>;
  readonly liveSeqs: Set<number>;
  acked: boolean;
  endSeq?: number;
  done: boolean;
}

interface Client {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly subscriptions: Map<string, Subscription>;
  connected: boolean;
}

/** One event a watcher received (in its backlog or live), counted into the search's phase. */
function notice(sub: Subscription, event: SearchEvent, receivedAt: number): void {
  sub.seqs.add(event.seq);
  const { search } = sub;
  if (event.type === 'search:created') search.createdAt ??= event.at;
  if (isSearchEndEvent(event)) {
    sub.endSeq = event.seq;
    if (!search.ended) {
      search.ended = true;
      increment(search.phase.searchEnds, event.type.slice('search:'.length));
      search.phase.clientSearchMs.add(receivedAt - search.postAt);
      if (search.createdAt !== undefined) search.phase.serverSearchMs.add(event.at - search.createdAt);
    }
  }
  if (sub.primary && event.siteId && isSiteEndEvent(event)) {
    const outcome = event.type === 'site:done' ? `done/${event.data?.outcome ?? '?'}` : event.type.slice('site:'.length);
    increment(search.phase.siteJobs, outcome);
    if (event.type !== 'site:done') increment(search.phase.failureReasons, String(reasonOf(event) ?? 'none').replace(/\d+/g, 'N'));
  }
}

/** The connected clients and the searches they watch. */
export class Watchers {
  /** Errors outside any one phase's HTTP answers: sockets and logs. */
  readonly socketErrors: Record<string, number> = {};
  /**
   * Set once the run stops (Ctrl-C, or its end): the generator sends no more, and a socket that
   * disconnects is no longer an error.
   */
  closing = false;
  private readonly searches = new Map<string, TrackedSearch>();
  private readonly clients: Client[] = [];
  private readonly finishedSubscriptions: Subscription[] = [];
  private nextWatcher = 0;

  /** Clients connected now. */
  get connected(): number {
    return this.clients.filter((client) => client.connected).length;
  }

  /** Connects `count` clients, 100 at a time; resolves with the milliseconds it took. */
  async connect(url: string, count: number): Promise<number> {
    const started = performance.now();
    for (let batch = 0; batch < count; batch += 100) {
      await Promise.all(Array.from({ length: Math.min(100, count - batch) }, () => this.connectOne(url)));
    }
    return performance.now() - started;
  }

  /** Follows a search just created: K clients subscribe to it from its first event. */
  track(search: TrackedSearch, watchers: number): void {
    this.searches.set(search.id, search);
    const live = this.clients.filter((client) => client.connected);
    for (let k = 0; k < Math.min(watchers, live.length); k++) {
      const client = live[this.nextWatcher++ % live.length]!;
      const sub: Subscription = { search, primary: k === 0, seqs: new Set(), liveSeqs: new Set(), acked: false, done: false };
      client.subscriptions.set(search.id, sub);
      client.socket.timeout(15_000).emit('search:subscribe', { searchId: search.id, afterSeq: 0 }, (error: Error | null, ack: SubscribeAck) => {
        if (error || !ack.ok) {
          increment(this.socketErrors, error ? 'subscribe timed out' : `subscribe refused: ${ack.ok ? '' : ack.error.code}`);
          client.subscriptions.delete(search.id);
          return;
        }
        const receivedAt = Date.now();
        for (const event of ack.events) notice(sub, event, receivedAt);
        sub.acked = true;
        this.finishIfComplete(client, sub);
      });
    }
  }

  /** Whether a search of `phase` has not been seen ending yet. */
  hasUnended(phase: PhaseStats): boolean {
    return [...this.searches.values()].some((search) => search.phase === phase && !search.ended);
  }

  /** Counts, into each search's phase, the watchers whose log is not exactly 1..n; a search never seen ending is unfinished. */
  checkLogs(): void {
    const open = this.clients.flatMap((client) => [...client.subscriptions.values()]);
    for (const sub of [...this.finishedSubscriptions, ...open]) {
      const { logErrors } = sub.search.phase;
      if (!sub.acked) increment(logErrors, 'subscription never acked');
      else if (sub.endSeq === undefined) increment(logErrors, 'watcher never saw the end');
      else {
        let missing = 0;
        for (let seq = 1; seq <= sub.endSeq; seq++) if (!sub.seqs.has(seq)) missing++;
        if (missing > 0) increment(logErrors, 'missing seqs', missing);
      }
    }
  }

  /** Closes every socket; their disconnects are not counted as errors. */
  close(): void {
    this.closing = true;
    for (const client of this.clients) client.socket.close();
  }

  private connectOne(url: string): Promise<void> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
    });
    const client: Client = { socket, subscriptions: new Map(), connected: false };
    this.clients.push(client);
    socket.on('search:event', (event: LiveSearchEvent) => this.receive(client, event));
    socket.on('disconnect', (reason) => {
      client.connected = false;
      if (!this.closing) increment(this.socketErrors, `disconnect: ${reason}`);
    });
    return new Promise<void>((resolve) => {
      socket.once('connect', () => {
        client.connected = true;
        resolve();
      });
      socket.once('connect_error', (error) => {
        increment(this.socketErrors, `connect_error: ${error.message}`);
        resolve();
      });
    });
  }

  private receive(client: Client, event: LiveSearchEvent): void {
    const receivedAt = Date.now();
    const sub = client.subscriptions.get(event.searchId);
    const search = sub?.search ?? this.searches.get(event.searchId);
    if (search) {
      search.phase.messages++;
      search.phase.pushLatencyMs.add(receivedAt - event.at);
    }
    if (!sub) return;
    if (sub.liveSeqs.has(event.seq)) increment(this.socketErrors, 'live event pushed twice');
    sub.liveSeqs.add(event.seq);
    notice(sub, event, receivedAt);
    this.finishIfComplete(client, sub);
  }

  private finishIfComplete(client: Client, sub: Subscription): void {
    if (sub.done || sub.endSeq === undefined || !sub.acked || sub.seqs.size < sub.endSeq) return;
    sub.done = true;
    client.subscriptions.delete(sub.search.id);
    this.finishedSubscriptions.push(sub);
    client.socket.emit('search:unsubscribe', { searchId: sub.search.id });
  }
}
