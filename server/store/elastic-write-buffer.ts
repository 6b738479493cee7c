/**
 * The Elasticsearch store's write buffer: `write` resolves once a batch is buffered, and flushes
 * carry it to Elasticsearch in the background, retrying what fails with backoff. An outage costs
 * memory and a `degraded` health, never data; the caller never has to retry a write it was told
 * had been taken.
 *
 *   write(batch) ──► buffer ──(≤ flushMs, or flushDocs at once)──► flush ──► bulk(flight) ──► Elasticsearch
 *     resolves         ▲       up to MAX_FLIGHTS flushes at a time,       (the bulk helper call,
 *     once buffered    │       no doc in two of them                       injected by the store)
 *                      └──── docs that failed, merged back ◄──────────────────┘
 *                            (retried with backoff: retryMinMs … retryMaxMs)
 *
 * Example: the event log writes a batch of 40 events, 3 result states and 1 search state. `write`
 * puts 44 docs in the buffer and returns. 100 ms later (at once had 500 docs been waiting) a
 * flush sends them in one bulk request, which returns after the next refresh (`wait_for`,
 * ≤ 1 s); only then do the 44 docs leave the overlay, so a read in between finds them in memory
 * and a read after finds them in the indices. Meanwhile the next batches go out in flushes of
 * their own, 100 ms apart. If Elasticsearch is down, the request fails, the 44 docs go back to
 * the buffer, the store's health turns `degraded`, and one flush is retried after 100, 200,
 * 400 … ms (at most retryMaxMs); once one succeeds, the rest follow.
 *
 * Invariants:
 * - The buffer holds at most one pending op per doc, and a doc is in at most one flush in
 *   flight (a newer state waits in the buffer until the older one has landed or failed), so a
 *   newer state is never overtaken by an older one, and flushes may run in parallel.
 * - A doc stays in `overlay()` until the flush that carries it has settled, so reads that merge
 *   the overlay with the indices see every write that was taken.
 * - This buffer owns retrying: a flush that fails, or a doc answered 429 or 5xx, goes back to the
 *   buffer and is sent again with backoff for as long as it takes. A doc refused for itself (any
 *   other status: a mapping error, a bug, never an outage) is counted and reported, not retried.
 * - The buffer is bounded (`maxBuffered` docs, counting flushes in flight): a write that would
 *   pass it is refused whole with `OverloadedError`, whose `retryAfterMs` says when to try again;
 *   nothing already buffered is ever dropped. A refused write was not taken: the caller keeps it.
 * - `close()` flushes for at most `closeTimeoutMs`, then aborts what is in flight and rejects
 *   naming what was not written.
 * - `landed(batch)` resolves only once no doc of the batch is buffered or in flight: each has
 *   been carried by a flush Elasticsearch answered (or refused for itself), in that state or a
 *   newer one. Only then is the batch durable; `write` resolving means buffered, in memory.
 * - The bulk call is a function given to it, so this state machine is tested without a node.
 */
import type { Logger } from 'pino';
import { OverloadedError } from '../errors';
import { elasticErrorText } from './elastic-error-text';
import { eventId, resultId } from './elastic-documents';
import { PendingDocs, type DocKind, type PendingResult } from './elastic-pending-docs';
import type { Search } from '../../lib/types';
import type { StoreBatch, StoredEvent } from './store';

/** Docs per flush at most; a bigger buffer goes out in several flushes. */
export const MAX_FLUSH_DOCS = 10_000;
/** Flushes in flight at most. Each waits up to a refresh interval (1 s), and one starts every
 * `flushMs` (100 ms) under steady load, so 16 keep the buffer moving without queueing. */
export const MAX_FLIGHTS = 16;

/** What the bulk call is told about the flush it sends. */
export interface FlushContext {
  /** True once the store is closing: nobody reads it again, so the flush need not wait for a refresh. */
  readonly closing: boolean;
  /** Aborted when `close()` runs out of time. */
  readonly signal: AbortSignal;
}

/** A doc Elasticsearch refused for itself: it is not retried. */
export interface RefusedDoc {
  readonly kind: DocKind;
  readonly id: string;
  /** Status and error as Elasticsearch gave them, for the log. */
  readonly reason: string;
}

/** What became of the docs of one flush that the request carried. */
export interface FlushOutcome {
  /** Docs that failed for a passing reason (429, 5xx): they go back to the buffer. */
  readonly retry: PendingDocs;
  /** Why the docs in `retry` failed, when there are any. */
  readonly retryReason?: string;
  /** Docs refused for themselves; every doc in neither list is in the index. */
  readonly refused: readonly RefusedDoc[];
}

/**
 * Sends one flush to Elasticsearch. Resolves once the request has returned, with what to retry
 * and what was refused; rejects when the request failed as a whole (every doc is retried).
 */
export type BulkFlush = (flight: PendingDocs, context: FlushContext) => Promise<FlushOutcome>;

/** Options of the write buffer; bounds are checked by `elasticStoreSettings`. */
export interface ElasticWriteBufferOptions {
  /** Sends one flush. */
  readonly bulk: BulkFlush;
  /** Most docs held, buffered plus in flight; see `ElasticStoreOptions.maxBuffered`. */
  readonly maxBuffered: number;
  /** Longest a doc waits before a flush starts. */
  readonly flushMs: number;
  /** Buffered docs that start a flush at once; at most `MAX_FLUSH_DOCS`. */
  readonly flushDocs: number;
  /** First delay before a failed flush is retried; it doubles per failure up to `retryMaxMs`. */
  readonly retryMinMs: number;
  /** Longest delay between retries. */
  readonly retryMaxMs: number;
  /** How long `close()` keeps flushing before it gives up. */
  readonly closeTimeoutMs: number;
  /** Largest result position already stored: new results sort after it. Default 0. */
  readonly lastPosition?: number;
  /** Elasticsearch's URL without password, named in messages. */
  readonly url: string;
  readonly logger: Logger;
}

/** What reads add to the indices: the buffer over the flushes in flight. */
export interface Overlay {
  readonly searches: ReadonlyMap<string, Search>;
  readonly results: ReadonlyMap<string, PendingResult>;
  readonly events: ReadonlyMap<string, StoredEvent>;
}

/** Buffers the store's writes and flushes them to Elasticsearch, retrying with backoff. */
export class ElasticWriteBuffer {
  private readonly options: ElasticWriteBufferOptions;
  private readonly log: Logger;
  private readonly buffer = new PendingDocs();
  /** Flushes in flight, oldest first, each with what aborts it; no doc is in two of them. */
  private readonly inFlight = new Map<PendingDocs, AbortController>();
  private flushTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private nextRetryAt = 0;
  private settledWaiters: (() => void)[] = [];
  /** `landed` callers, each with the docs of its batch not yet in the indices. */
  private landWaiters: { docs: [DocKind, string][]; readonly resolve: () => void; readonly reject: (error: Error) => void }[] = [];

  /** Consecutive failed flushes; 0 while Elasticsearch takes writes. */
  private failures = 0;
  private failingSince = 0;
  private lastError = '';
  private refusedDocs = 0;
  private lastPosition: number;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing?: Promise<void>;

  constructor(options: ElasticWriteBufferOptions) {
    this.options = options;
    this.log = options.logger;
    this.lastPosition = options.lastPosition ?? 0;
  }

  /** Docs not yet in Elasticsearch: buffered plus the flushes in flight. */
  get bufferedDocs(): number {
    let docs = this.buffer.size;
    for (const flight of this.inFlight.keys()) docs += flight.size;
    return docs;
  }

  /** False from the moment `close()` is called. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** True while flushes fail (since the last one that succeeded). */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Docs Elasticsearch refused for themselves since the buffer was made. */
  get refused(): number {
    return this.refusedDocs;
  }

  /**
   * Buffers a batch and schedules its flush. Throws `OverloadedError` when the batch would take
   * the buffer past `maxBuffered` (nothing of it is taken), and an `Error` once closing.
   */
  write(batch: StoreBatch): void {
    if (this.state !== 'open') throw new Error(`the Elasticsearch store at ${this.options.url} is closed`);
    const added = this.newDocs(batch);
    if (added > 0 && this.bufferedDocs + added > this.options.maxBuffered) {
      throw new OverloadedError(
        `Elasticsearch write buffer is full: ${this.bufferedDocs} docs buffered (limit ${this.options.maxBuffered}, ` +
          `maxBuffered), a batch of ${added} more refused; ${this.failureSummary()}`,
        Math.max(this.options.flushMs, this.nextRetryAt - Date.now()),
      );
    }
    for (const search of batch.searches ?? []) this.buffer.searches.set(search.id, search);
    for (const result of batch.results ?? []) {
      const id = resultId(result);
      const earlier = this.buffer.results.get(id) ?? this.flying((flight) => flight.results.get(id));
      this.buffer.results.set(id, { result, position: earlier?.position ?? this.nextPosition() });
    }
    for (const event of batch.events ?? []) {
      const id = eventId(event);
      if (!this.buffer.events.has(id) && !this.isFlying('event', id)) this.buffer.events.set(id, event);
    }
    this.scheduleFlush();
  }

  /**
   * Resolves once every doc of `batch` (written before) has reached Elasticsearch: none of them
   * is buffered or in flight any more. While flushes fail it keeps waiting; rejects if the buffer
   * closes with some of them unwritten.
   */
  landed(batch: StoreBatch): Promise<void> {
    const docs: [DocKind, string][] = [
      ...(batch.searches ?? []).map((search): [DocKind, string] => ['search', search.id]),
      ...(batch.results ?? []).map((result): [DocKind, string] => ['result', resultId(result)]),
      ...(batch.events ?? []).map((event): [DocKind, string] => ['event', eventId(event)]),
    ].filter(([kind, id]) => this.isPending(kind, id));
    if (docs.length === 0) return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new Error(`the Elasticsearch store at ${this.options.url} closed with ${docs.length} docs of the batch unwritten`));
    return new Promise((resolve, reject) => this.landWaiters.push({ docs, resolve, reject }));
  }

  /** The docs not yet in the indices, newest state of each; a flying event beats a buffered one. */
  overlay(): Overlay {
    const flights = [...this.inFlight.keys()];
    const searches = new Map([...flights.flatMap((f) => [...f.searches]), ...this.buffer.searches]);
    const results = new Map([...flights.flatMap((f) => [...f.results]), ...this.buffer.results]);
    const events = new Map([...this.buffer.events, ...flights.flatMap((f) => [...f.events])]);
    return { searches, results, events };
  }

  /**
   * Resolves once the buffer is empty: every doc written so far (and while it waits) has reached
   * Elasticsearch. While flushes fail it keeps waiting (retries keep their backoff).
   */
  async flush(): Promise<void> {
    while (this.bufferedDocs > 0) {
      if (this.state === 'closed') throw new Error(`the Elasticsearch store is closed with ${this.bufferedDocs} docs unwritten`);
      if (!this.retryTimer) this.startFlushes(MAX_FLIGHTS);
      await this.nextSettle();
    }
  }

  /**
   * Stops taking writes and flushes for at most `closeTimeoutMs`, then aborts the flushes still
   * in flight. Rejects when docs could not be written, naming how many of each kind. Calling it
   * again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Why writes fail (or that they do not), with the next retry; for health and messages. */
  failureSummary(): string {
    if (this.failures === 0) return 'Elasticsearch takes writes';
    const retryIn = Math.max(0, this.nextRetryAt - Date.now());
    return (
      `writes to Elasticsearch at ${this.options.url} failing for ${((Date.now() - this.failingSince) / 1_000).toFixed(1)} s ` +
      `(${this.failures} failed flushes, last error: ${this.lastError}); next retry in ${retryIn} ms`
    );
  }

  private async shutDown(): Promise<void> {
    this.state = 'closing';
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = undefined;
    const started = Date.now();
    await this.drain(started + this.options.closeTimeoutMs);
    if (this.inFlight.size > 0) {
      const reason = new Error(`close() gave up after ${this.options.closeTimeoutMs} ms`);
      for (const abort of this.inFlight.values()) abort.abort(reason);
      while (this.inFlight.size > 0) await this.nextSettle();
    }
    this.state = 'closed';
    for (const resolve of this.settledWaiters.splice(0)) resolve();
    this.wakeLanded();
    for (const waiter of this.landWaiters.splice(0)) {
      waiter.reject(new Error(`the Elasticsearch store at ${this.options.url} closed with ${waiter.docs.length} docs of a batch unwritten`));
    }

    const left = this.buffer;
    if (left.size === 0) return;
    const sample = left.sampleIds(5);
    const message =
      `closed the Elasticsearch store with ${left.size} docs not written after ${Date.now() - started} ms ` +
      `(${left.events.size} events, ${left.results.size} results, ${left.searches.size} searches; e.g. ${sample.join(', ')}): ` +
      this.failureSummary();
    this.log.error({ unwritten: left.size, events: left.events.size, results: left.results.size, searches: left.searches.size, sample }, message);
    throw new Error(message);
  }

  /** Flushes until the buffer is empty or `deadline`, waiting out the backoff between failures. */
  private async drain(deadline: number): Promise<void> {
    while (this.bufferedDocs > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      if (this.failures > 0 && this.inFlight.size === 0) await sleep(Math.min(this.backoffMs(), remaining));
      this.startFlushes(MAX_FLIGHTS);
      if (!(await settlesWithin(this.nextSettle(), Math.max(0, deadline - Date.now())))) return;
    }
  }

  /** Resolves when the next flush in flight ends (at once when none is, nor a retry is planned). */
  private nextSettle(): Promise<void> {
    if (this.inFlight.size === 0 && !this.retryTimer) return Promise.resolve();
    return new Promise<void>((resolve) => this.settledWaiters.push(resolve));
  }

  /** Docs a batch adds to the buffer (ops on docs already buffered replace them). */
  private newDocs(batch: StoreBatch): number {
    const seen = new Set<string>();
    let added = 0;
    const count = (id: string, present: boolean) => {
      if (!present && !seen.has(id)) added++;
      seen.add(id);
    };
    for (const search of batch.searches ?? []) count(`s\u0000${search.id}`, this.buffer.searches.has(search.id));
    for (const result of batch.results ?? []) count(`r\u0000${resultId(result)}`, this.buffer.results.has(resultId(result)));
    for (const event of batch.events ?? []) {
      const id = eventId(event);
      count(`e\u0000${id}`, this.buffer.events.has(id) || this.isFlying('event', id));
    }
    return added;
  }

  /** Positions grow across processes too: they start past both the clock and what is stored. */
  private nextPosition(): number {
    this.lastPosition = Math.max(this.lastPosition + 1, Date.now() * 1_000);
    return this.lastPosition;
  }

  /** The first value `pick` finds in a flush in flight. */
  private flying<T>(pick: (flight: PendingDocs) => T | undefined): T | undefined {
    for (const flight of this.inFlight.keys()) {
      const found = pick(flight);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private isFlying(kind: DocKind, id: string): boolean {
    return this.flying((flight) => flight.has(kind, id) || undefined) ?? false;
  }

  private isPending(kind: DocKind, id: string): boolean {
    return this.buffer.has(kind, id) || this.isFlying(kind, id);
  }

  /** Resolves the `landed` callers whose docs have all reached Elasticsearch. */
  private wakeLanded(): void {
    if (this.landWaiters.length === 0) return;
    const waiting: typeof this.landWaiters = [];
    for (const waiter of this.landWaiters) {
      // Oldest docs first: the first still pending usually means the rest are too.
      const left = waiter.docs.findIndex(([kind, id]) => this.isPending(kind, id));
      if (left < 0) waiter.resolve();
      else {
        waiter.docs = waiter.docs.slice(left).filter(([kind, id]) => this.isPending(kind, id));
        waiting.push(waiter);
      }
    }
    this.landWaiters = waiting;
  }

  private scheduleFlush(): void {
    if (this.state !== 'open' || this.retryTimer || this.buffer.size === 0) return;
    if (this.buffer.size >= this.options.flushDocs) {
      this.startFlushes(MAX_FLIGHTS);
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.startFlushes(MAX_FLIGHTS);
    }, this.options.flushMs);
  }

  /**
   * Starts up to `count` flushes while flights are free and the buffer holds docs that are not
   * already in flight. A flush never rejects: what fails goes back to the buffer in `settle`.
   */
  private startFlushes(count: number): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (let started = 0; started < count && this.inFlight.size < MAX_FLIGHTS && this.buffer.size > 0; started++) {
      const flight = this.buffer.take(MAX_FLUSH_DOCS, (kind, id) => this.isFlying(kind, id));
      // Everything left waits behind a flush in flight; its settle() schedules the next one.
      if (flight.size === 0) return;
      const abort = new AbortController();
      this.inFlight.set(flight, abort);
      const sent = Promise.resolve().then(() =>
        this.options.bulk(flight, { closing: this.state !== 'open', signal: abort.signal }),
      );
      sent.then(
        (outcome) => this.settle(flight, outcome, undefined),
        (error: unknown) => this.settle(flight, { retry: flight, refused: [] }, error),
      );
    }
  }

  /** Ends a flush: puts back what failed, takes it out of flight, and plans the next flush. */
  private settle(flight: PendingDocs, outcome: FlushOutcome, error: unknown): void {
    this.buffer.mergeBack(outcome.retry);
    this.inFlight.delete(flight);
    this.noteRefused(outcome.refused);
    if (outcome.retry.size === 0) this.noteSuccess();
    else this.noteFailure(flight, outcome, error);
    if (outcome.retry.size < flight.size) this.wakeLanded();
    for (const resolve of this.settledWaiters.splice(0)) resolve();
    if (this.state === 'open') this.planNext();
  }

  private noteRefused(refused: readonly RefusedDoc[]): void {
    this.refusedDocs += refused.length;
    for (const doc of refused) {
      this.log.error(doc, 'elasticsearch refused a doc; it is not retried (a mapping or data bug)');
    }
  }

  private noteSuccess(): void {
    if (this.failures > 0) {
      this.log.info(
        { failedFlushes: this.failures, downMs: Date.now() - this.failingSince, buffered: this.bufferedDocs },
        'elasticsearch takes writes again',
      );
    }
    this.failures = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private noteFailure(flight: PendingDocs, outcome: FlushOutcome, error: unknown): void {
    if (error !== undefined) this.lastError = elasticErrorText(error);
    else if (outcome.retryReason !== undefined) this.lastError = outcome.retryReason;
    if (this.failures++ === 0) {
      this.failingSince = Date.now();
      this.log.warn(
        { err: error, retry: outcome.retry.size, of: flight.size, buffered: this.bufferedDocs, limit: this.options.maxBuffered },
        'elasticsearch write failed; buffering and retrying with backoff',
      );
    } else {
      this.log.debug({ failures: this.failures, lastError: this.lastError, buffered: this.bufferedDocs }, 'flush retry failed');
    }
  }

  /** After a failure, one flush probes after the backoff; otherwise the buffer flushes as usual. */
  private planNext(): void {
    if (this.failures === 0) {
      if (this.buffer.size > 0) this.scheduleFlush();
      return;
    }
    if (this.retryTimer) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const delay = this.backoffMs();
    this.nextRetryAt = Date.now() + delay;
    // When the probe lands, its settle() sends the rest.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.startFlushes(1);
    }, delay);
  }

  private backoffMs(): number {
    return Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** Math.min(this.failures - 1, 30));
  }
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
