/**
 * The event log: every state change of every search goes through `emit`, which numbers it,
 * applies it to the search's live state, and queues it for the store, where it lands in batches.
 * With a journal (`event-journal.ts`, the server always has one), the tick's events are written
 * there first and only then told to listeners (the Socket.IO hub): nothing is shown that a crash
 * could take back. Without one (unit tests), listeners are told at once.
 *
 *   pipeline ──emit──▶ [ event log ] ──end of tick──▶ journal ──then──▶ listeners (hub → browsers)
 *                          │   ▲                         ▲
 *                          │   │                         └── released once the store holds them
 *                          │   └── batch rejected (not taken): kept in front, sent again after
 *                          │       the store's `retryAfterMs`, or FLUSH_MS
 *                          └──batched (≤ FLUSH_MS or FLUSH_EVENTS)──▶ store
 *
 * Example: the Elasticsearch store's buffer is full while Elasticsearch is down, so `write`
 * rejects a batch of 120 events with `OverloadedError` and `retryAfterMs` 800 (its next retry).
 * The 120 events go back in front of the 30 emitted since; 800 ms later one batch carries all
 * 150, in seq order. A SQLite write that fails (its writer thread died) is sent again 25 ms later.
 *
 * Example (journal): the last site's answer emits `site:done` (seq 57), and the pipeline, seeing
 * every site answered, emits `search:completed` (seq 58) in the same tick. At the end of
 * the tick both go to the journal in one write, then the hub pushes both. The store gets them
 * up to 25 ms later; when it says they are durable the journal lets them go.
 *
 * Invariants:
 * - Each search's events MUST carry seq 1, 2, 3 … with no gap or repeat, in emit order.
 * - Listeners MUST see events in seq order, and with a journal only once it holds them: at the
 *   end of the tick that emitted them, or sooner when a read needs them. Without one, at once.
 * - What is served from the log to readers (`snapshot`, `eventsAfter`) MUST already be in the
 *   journal: such a read publishes what is waiting first. The pipeline's own reads (`search`, to
 *   word its next event) do not, or each would cost a write of its own mid-tick.
 * - A running search's state is answered from memory (it includes what the store has not yet
 *   received); once a search is terminal and flushed it is answered by the store. The store's
 *   search row is written at birth and when final, its result rows once, in the batch that
 *   ends the search (in the search's site order); events always.
 * - A batch the store rejects was not taken (see `Store.write`): it MUST be kept, in front of what
 *   came since (newer states win), and sent again; nothing queued is ever dropped, and each
 *   search's events reach the store in seq order.
 * - The log MUST NOT add a backoff of its own: a store that buffers retries transient faults
 *   itself, with backoff, and says when to come back (`retryAfterMs` of an `OverloadedError`);
 *   the log waits that long, or one FLUSH_MS when the store did not say, and no sooner.
 *
 * Cost: `emit` runs several times per site job, so a live search is kept mutable — its results
 * replaced element by element (each element stays immutable), its summary counted only when
 * someone reads the search — and readers get copies. With one listener for all `whenEnded`
 * waiters, this took the throughput run's shape from 17,000 to 21,000 site jobs/s (store
 * writing nothing, this machine).
 */
import type { Logger } from 'pino';
import { applyEventToResult, applyEventToResults, applyEventToSearch, summarize } from '../../lib/search-state';
import {
  isSearchEndEvent,
  type Search,
  type SearchEvent,
  type SearchEventDraft,
  type SearchSnapshot,
  type SiteResult,
} from '../../lib/types';
import { OverloadedError } from '../errors';
import type { Store, StoreBatch, StoredEvent, StoredSiteResult } from '../store/store';

/**
 * Longest an event waits in memory before it is written; also how long a rejected batch waits
 * before it is sent again when the store did not say.
 */
export const FLUSH_MS = 25;
/** Events that trigger an immediate write. */
export const FLUSH_EVENTS = 500;
/**
 * How long a finished search stays in memory after the store has all of it. Reads after that go
 * to the store, which has everything; at 20 searches/s each second of lingering holds ~20
 * searches of 41 sites, so it is kept short.
 */
const LINGER_MS = 5_000;

/** Receives every event as it is emitted. */
export type EventListener = (searchId: string, event: SearchEvent) => void;

/** Where events are made durable before they are shown (`EventJournal`). */
export interface Journal {
  /** Returns once the events survive a crash of this process; throws when they cannot. */
  append(events: readonly StoredEvent[]): void;
  /** The store holds the first `position` events appended durably. */
  release(position: number): void;
  close(): void;
}

/** Options of the event log. */
export interface EventLogOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Where each tick's events go before they are shown; absent: shown at once (unit tests). */
  readonly journal?: Journal;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** One write to the store: everything queued when it started. */
interface PendingBatch {
  readonly searches: Search[];
  readonly results: StoredSiteResult[];
  readonly events: StoredEvent[];
}

interface LiveSearch {
  /** The search as of its last `search:*` event; its summary is stale while `summaryStale`. */
  search: Search;
  summaryStale: boolean;
  /** Replaced element by element, never shared with readers (they get a copy). */
  readonly results: SiteResult[];
  readonly resultIndex: Map<string, number>;
  readonly events: SearchEvent[];
  /** The last seq the store has taken. */
  writtenSeq: number;
  lingerTimer?: NodeJS.Timeout;
}

function liveSearch(search: Search, results: readonly SiteResult[], events: SearchEvent[], writtenSeq: number): LiveSearch {
  return {
    search,
    summaryStale: false,
    results: [...results],
    resultIndex: new Map(results.map((result, index) => [result.siteId, index])),
    events,
    writtenSeq,
  };
}

/** The search with its summary brought up to date. */
function currentSearch(entry: LiveSearch): Search {
  if (entry.summaryStale) {
    entry.search = { ...entry.search, summary: summarize(entry.results) };
    entry.summaryStale = false;
  }
  return entry.search;
}

/** Numbers, applies, broadcasts and persists search events. */
export class EventLog {
  private readonly live = new Map<string, LiveSearch>();
  private readonly listeners = new Set<EventListener>();
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly journal?: Journal;

  /** Emitted, waiting for the journal: each event as listeners get it, and as stored. */
  private unpublished: { readonly event: SearchEvent; readonly stored: StoredEvent }[] = [];
  private publishing = false;
  private publishScheduled?: NodeJS.Immediate;
  private journalRetryTimer?: NodeJS.Timeout;
  private journalFailing = false;
  /** Events sent to the store in emit order, and how many of those it holds durably. */
  private sentToStore = 0;
  private storedDurably = 0;

  private pendingSearches = new Map<string, Search>();
  private pendingResults = new Map<string, StoredSiteResult>();
  private pendingEvents: StoredEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  /** Set while a rejected batch waits to be sent again, at `retryDueAt`. */
  private retryTimer?: NodeJS.Timeout;
  private retryDueAt = 0;
  /** Batches the store rejected in a row, and since when; for the log. */
  private rejections = 0;
  private rejectedSince = 0;

  constructor(options: EventLogOptions) {
    this.store = options.store;
    this.logger = options.logger.child({ module: 'event-log' });
    this.now = options.now ?? Date.now;
    this.journal = options.journal;
  }

  /** Adds a listener; returns a function that removes it. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with the id of each search that ends; returns a function that stops it. */
  onSearchEnded(listener: (searchId: string) => void): () => void {
    return this.onEvent((searchId, event) => {
      if (isSearchEndEvent(event)) listener(searchId);
    });
  }

  /** Starts a search's log with `search:created` (seq 1), carrying its initial state. */
  create(search: Search, results: readonly SiteResult[]): SearchEvent {
    if (this.live.has(search.id)) throw new Error(`search ${search.id} is already in the event log`);
    const entry = liveSearch(search, results, [], 0);
    this.live.set(search.id, entry);
    return this.append(entry, { type: 'search:created', data: { search, results } });
  }

  /**
   * Continues the log of a search loaded from the store (recovery after a restart): its next
   * event gets the seq after the last stored one.
   */
  resume(snapshot: SearchSnapshot): void {
    // Result rows are written when the search ends, so a search cut off by a crash has none (or,
    // from an older sitescan, stale ones): rebuild the results from the log, the one truth.
    const results = snapshot.events.reduce(applyEventToResults, snapshot.results);
    this.live.set(
      snapshot.search.id,
      liveSearch(snapshot.search, results, [...snapshot.events], snapshot.events.at(-1)?.seq ?? 0),
    );
  }

  /** Appends one event to a live search. Returns it, or undefined when the search is not live. */
  emit(searchId: string, draft: SearchEventDraft): SearchEvent | undefined {
    const entry = this.live.get(searchId);
    if (!entry) {
      this.logger.warn({ searchId, type: draft.type, siteId: draft.siteId }, 'event for a search that is not live; dropped');
      return undefined;
    }
    return this.append(entry, draft);
  }

  private append(entry: LiveSearch, draft: SearchEventDraft): SearchEvent {
    const seq = (entry.events.at(-1)?.seq ?? 0) + 1;
    const event = { seq, at: this.now(), ...draft } as SearchEvent;
    const { type, siteId } = event;
    entry.events.push(event);
    const searchId = entry.search.id;

    // The log is the truth; search and result rows are projections for reads that memory does
    // not answer (finished searches, a restart). A running search is read from memory, so the
    // search row is written when it is born and when it ends, and the result rows only when it
    // ends: one row per site job instead of two (birth, final) — 23,000 → 26,000 site jobs/s in
    // the throughput run's shape with the SQLite store.
    if (siteId !== undefined && type.startsWith('site:')) {
      const index = entry.resultIndex.get(siteId);
      const before = index === undefined ? undefined : entry.results[index];
      const after = before && applyEventToResult(before, event);
      if (after && after !== before) {
        entry.results[index!] = after;
        entry.summaryStale = true;
      }
    } else if (type.startsWith('search:')) {
      // `search:created` carries the results `create` has already put in the entry.
      entry.search = applyEventToSearch(entry.search, entry.results, event);
      entry.summaryStale = false;
      this.pendingSearches.set(searchId, entry.search);
      if (entry.search.status !== 'running') {
        for (const result of entry.results) {
          const stored = { ...result, searchId };
          this.pendingResults.set(resultKey(stored), stored);
        }
      }
    }
    const stored = { ...event, searchId };
    this.pendingEvents.push(stored);
    this.scheduleFlush();

    if (this.journal) {
      this.unpublished.push({ event, stored });
      this.publishScheduled ??= setImmediate(() => {
        this.publishScheduled = undefined;
        this.publish();
      });
    } else {
      this.tell(searchId, event);
    }
    if (entry.search.status !== 'running') this.lingerThenForget(searchId, entry);
    return event;
  }

  /**
   * Writes the events waiting to be shown to the journal, then tells listeners. When the journal
   * cannot take them (disk full), they wait — shown later or never, not shown and lost — and the
   * write is tried again after FLUSH_MS.
   */
  private publish(): void {
    // A listener that reads the log while being told would tell newer events before older ones.
    if (this.publishing || this.journalRetryTimer || !this.journal) return;
    this.publishing = true;
    try {
      while (this.unpublished.length > 0) {
        const waiting = this.unpublished;
        try {
          this.journal.append(waiting.map(({ stored }) => stored));
        } catch (error) {
          if (!this.journalFailing) this.logger.error({ err: error, waiting: waiting.length }, 'journal write failed; events wait to be shown');
          this.journalFailing = true;
          this.journalRetryTimer = setTimeout(() => {
            this.journalRetryTimer = undefined;
            this.publish();
          }, FLUSH_MS);
          return;
        }
        if (this.journalFailing) this.logger.info('journal takes writes again');
        this.journalFailing = false;
        this.unpublished = [];
        for (const { event, stored } of waiting) this.tell(stored.searchId, event);
      }
    } finally {
      this.publishing = false;
    }
  }

  private tell(searchId: string, event: SearchEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(searchId, event);
      } catch (error) {
        // A broken listener must not stop the log or the other listeners.
        this.logger.error({ err: error, searchId, seq: event.seq }, 'event listener threw');
      }
    }
  }

  /** A live search's current state, or undefined when it is not in memory. */
  snapshot(searchId: string): SearchSnapshot | undefined {
    this.publish();
    const entry = this.live.get(searchId);
    if (!entry) return undefined;
    return { search: currentSearch(entry), results: entry.results.slice(), events: entry.events.slice() };
  }

  /** A live search's record with its current summary (no copy of its log), or undefined. */
  search(searchId: string): Search | undefined {
    const entry = this.live.get(searchId);
    return entry && currentSearch(entry);
  }

  /** A live search's events after `afterSeq`, or undefined when it is not in memory. */
  eventsAfter(searchId: string, afterSeq: number): SearchEvent[] | undefined {
    this.publish();
    const entry = this.live.get(searchId);
    if (!entry) return undefined;
    // seq n sits at index n - 1.
    return entry.events.slice(Math.max(0, afterSeq));
  }


  /** Events and states not yet written to the store. */
  get backlog(): number {
    return this.pendingEvents.length + this.pendingSearches.size + this.pendingResults.size;
  }

  private lingerThenForget(searchId: string, entry: LiveSearch): void {
    if (entry.lingerTimer) return;
    entry.lingerTimer = setTimeout(() => {
      // Only forget once the store has all of this search, or readers would see a hole.
      if (entry.writtenSeq >= (entry.events.at(-1)?.seq ?? 0)) this.live.delete(searchId);
      else {
        entry.lingerTimer = undefined;
        this.lingerThenForget(searchId, entry);
      }
    }, LINGER_MS);
    entry.lingerTimer.unref();
  }

  private scheduleFlush(): void {
    // The write in progress plans the next one when it ends; a rejected batch waits out its delay.
    if (this.writing || this.retryTimer) return;
    if (this.pendingEvents.length >= FLUSH_EVENTS) {
      void this.writeOnce();
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.writeOnce();
    }, FLUSH_MS);
  }

  private writeOnce(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.backlog === 0) return Promise.resolve();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.takeBatch();
    this.writing = this.store
      .write(batch)
      .then(
        () => this.taken(batch),
        (error: unknown) => this.rejected(batch, error),
      )
      .finally(() => {
        this.writing = undefined;
        if (this.backlog > 0) this.scheduleFlush();
      });
    return this.writing;
  }

  /** Moves everything queued into one batch. */
  private takeBatch(): PendingBatch {
    const batch = {
      searches: [...this.pendingSearches.values()],
      results: [...this.pendingResults.values()],
      events: this.pendingEvents,
    };
    this.pendingSearches = new Map();
    this.pendingResults = new Map();
    this.pendingEvents = [];
    return batch;
  }

  private taken(batch: PendingBatch): void {
    // Batches are taken in emit order (a rejected one goes back in front), so the store holds
    // the first `sentToStore` events emitted.
    this.sentToStore += batch.events.length;
    if (this.journal) this.releaseWhenDurable(batch, this.sentToStore);
    if (this.rejections > 0) {
      this.logger.info({ rejections: this.rejections, ms: Date.now() - this.rejectedSince }, 'store takes writes again');
      this.rejections = 0;
    }
    for (const event of batch.events) {
      const entry = this.live.get(event.searchId);
      if (entry && event.seq > entry.writtenSeq) entry.writtenSeq = event.seq;
    }
  }

  /** Lets the journal forget the first `position` events once the store holds `batch` durably. */
  private releaseWhenDurable(batch: StoreBatch, position: number): void {
    const release = () => {
      this.storedDurably = Math.max(this.storedDurably, position);
      this.journal!.release(this.storedDurably);
    };
    if (!this.store.durable) {
      release();
      return;
    }
    // Rejected when the store closes with the batch unwritten: the journal keeps it for the next start.
    this.store.durable(batch).then(release, () => {});
  }

  /**
   * Keeps a batch the store did not take, in front of what came since (a newer state of the same
   * search or result wins, in the older one's place), and sends it again after the store's delay.
   */
  private rejected(batch: PendingBatch, error: unknown): void {
    this.pendingSearches = new Map([...batch.searches.map((search) => [search.id, search] as const), ...this.pendingSearches]);
    this.pendingResults = new Map([...batch.results.map((result) => [resultKey(result), result] as const), ...this.pendingResults]);
    this.pendingEvents = [...batch.events, ...this.pendingEvents];

    const delayMs = error instanceof OverloadedError ? Math.max(0, error.retryAfterMs) : FLUSH_MS;
    const context = { err: error, events: batch.events.length, backlog: this.backlog, retryInMs: delayMs };
    // The store reports its own trouble (health, its log); one line per run of rejections is enough here.
    if (this.rejections++ === 0) {
      this.rejectedSince = Date.now();
      this.logger.error(context, 'store did not take a batch; keeping it and sending it again');
    } else {
      this.logger.debug({ ...context, rejections: this.rejections }, 'store did not take a batch again');
    }
    this.retryDueAt = Date.now() + delayMs;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.writeOnce();
    }, delayMs);
  }

  /**
   * Writes everything queued; resolves when the store has taken it (sending a rejected batch
   * again after the delay the store asks for). With `timeoutMs`, gives up after that long and
   * rejects naming what was not written.
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.publish();
    const giveUpAt = Date.now() + timeoutMs;
    while (this.writing || this.backlog > 0) {
      if (Date.now() >= giveUpAt) {
        throw new Error(
          `store did not take ${this.pendingEvents.length} events, ${this.pendingResults.size} results and ${this.pendingSearches.size} searches within ${timeoutMs} ms`,
        );
      }
      if (this.writing) await this.writing;
      // Waits for the retry timer's own write, so the store's delay holds here too.
      else if (this.retryTimer) await sleep(Math.min(this.retryDueAt, giveUpAt) - Date.now());
      else await this.writeOnce();
    }
  }

  /** Stops timers after a final flush (bounded by `timeoutMs`). */
  async close(timeoutMs?: number): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } finally {
      clearTimeout(this.flushTimer);
      clearTimeout(this.retryTimer);
      clearImmediate(this.publishScheduled);
      clearTimeout(this.journalRetryTimer);
      for (const entry of this.live.values()) clearTimeout(entry.lingerTimer);
      this.journal?.close();
    }
  }
}

/** Key of a pending result row: one per (search, site). */
function resultKey(result: StoredSiteResult): string {
  return `${result.searchId}\u0000${result.siteId}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
