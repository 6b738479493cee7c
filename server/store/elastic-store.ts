/**
 * The Elasticsearch Store: three indices, a bounded write buffer, and reads that see the buffer.
 *
 *   write(batch) ──► buffer ──(≤ flushMs, or flushDocs at once)──► flush ──► bulk helper ──► <prefix>-searches
 *     resolves         ▲       up to MAX_FLIGHTS flushes at a time,        refresh:       <prefix>-results
 *     once buffered    │       no doc in two of them                       wait_for       <prefix>-events
 *                      └──── docs that failed, merged back ◄──────────────────┘
 *                            (retried with backoff: retryMinMs … retryMaxMs)
 *
 *   getSearch / eventsAfter / listSearches / listRunning ──► Elasticsearch ∪ overlay
 *                                                            (buffer + flushes in flight)
 *
 * Example: the event log writes a batch of 40 events, 3 result states and 1 search state. `write`
 * puts 44 docs in the buffer and resolves. 100 ms later (at once had 500 docs been waiting) a
 * flush sends them in one bulk request, which returns after the next refresh (`wait_for`,
 * ≤ 1 s); only then do the 44 docs leave the overlay, so a read in between finds them in memory
 * and a read after finds them in the indices. Meanwhile the next batches go out in flushes of
 * their own, 100 ms apart. If Elasticsearch is down, the request fails, the 44 docs go back to
 * the buffer, `health()` turns `degraded`, and one flush is retried after 100, 200, 400 … ms;
 * once one succeeds, the rest follow.
 *
 * Invariants:
 * - Every doc has a natural id, so a retried flush never duplicates: a search is `<searchId>`
 *   (`index`, the newest whole state wins), a site result `<searchId>:<siteId>` (`update` with
 *   `upsert`: the first write sets its `position`, later ones replace the rest), an event
 *   `<searchId>:<seq>` (`create`: the first one written stays; a 409 means "already there").
 * - The buffer holds at most one pending op per doc, and a doc is in at most one flush in
 *   flight (a newer state waits in the buffer until the older one has landed or failed), so a
 *   newer state is never overtaken by an older one, and flushes may run in parallel.
 * - Reads MUST see every acknowledged write: docs stay in the overlay until the bulk request that
 *   carries them has returned after a refresh. The overlay is read before the indices are
 *   queried, so a doc that lands in between is seen in one of the two.
 * - The buffer is bounded (`maxBuffered` docs, counting flushes in flight): a write that would
 *   pass it is refused whole with `OverloadedError`; nothing already buffered is ever dropped.
 *   A doc that Elasticsearch rejects for itself (a mapping error: a bug, never an outage) is
 *   logged and counted, and `health()` reports it.
 * - `close()` flushes for at most `closeTimeoutMs`, then rejects naming what was not written.
 */
import { setMaxListeners } from 'node:events';
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { OnDropDocument } from '@elastic/elasticsearch/lib/helpers';
import type { Logger } from 'pino';
import type {
  BusinessQuery,
  Search,
  SearchEvent,
  SearchEventData,
  SearchEventType,
  SearchListItem,
  SearchPriority,
  SearchSnapshot,
  SearchStatus,
  SearchSummary,
  SiteResult,
} from '../../lib/types';
import { OverloadedError, ValidationError } from '../errors';
import { clampLimit, decodeCursor, encodeCursor, toListItem, type Position } from './history-page';
import { logger as rootLogger } from '../logger';
import type {
  ListSearchesOptions,
  SearchPage,
  Store,
  StoreBatch,
  StoreHealth,
  StoredEvent,
  StoredSiteResult,
} from './store';

/** Options of `ElasticStore.open`. */
export interface ElasticStoreOptions {
  /** Elasticsearch URL, e.g. `http://127.0.0.1:9200`. Required. */
  readonly url: string;
  /** API key (the encoded form); takes precedence over `username`/`password`. */
  readonly apiKey?: string;
  /** Basic-auth user; needs `password`. */
  readonly username?: string;
  readonly password?: string;
  /**
   * Prefix of the index and template names (`<prefix>-searches`, `-results`, `-events`).
   * Default `sitescan`; lowercase letters, digits, `-` and `_`, starting with a letter or digit.
   */
  readonly indexPrefix?: string;
  /**
   * Most docs held in memory (buffered plus the flush in flight) while Elasticsearch is slow or
   * unreachable; a write beyond it is refused with `OverloadedError`. Default 100,000; 1–10,000,000.
   */
  readonly maxBuffered?: number;
  /** Longest a doc waits in the buffer before a flush starts. Default 100 ms; 1–60,000. */
  readonly flushMs?: number;
  /** Buffered docs that start a flush at once. Default 500; 1–10,000. */
  readonly flushDocs?: number;
  /** First delay before a failed flush is retried; it doubles per failure. Default 100 ms; 1–60,000. */
  readonly retryMinMs?: number;
  /** Longest delay between retries. Default 10,000 ms; at least `retryMinMs`, at most 600,000. */
  readonly retryMaxMs?: number;
  /** How long `close()` keeps flushing before it gives up. Default 10,000 ms; 0–600,000. */
  readonly closeTimeoutMs?: number;
  /** Timeout of each request to Elasticsearch. Default 30,000 ms; 100–600,000. */
  readonly requestTimeoutMs?: number;
  /** Parent logger. Default the process logger. */
  readonly logger?: Logger;
}

/** Names of the indices (and of their templates) for one prefix. */
export interface ElasticIndexNames {
  readonly searches: string;
  readonly results: string;
  readonly events: string;
}

/** The index names a store with `indexPrefix` uses; each index template bears the same name. */
export function elasticIndexNames(indexPrefix: string): ElasticIndexNames {
  return {
    searches: `${indexPrefix}-searches`,
    results: `${indexPrefix}-results`,
    events: `${indexPrefix}-events`,
  };
}

/** Version of the mappings below, kept in each index's `_meta`; bump it when they change. */
export const ELASTIC_SCHEMA_VERSION = 1;

const DEFAULTS = {
  indexPrefix: 'sitescan',
  maxBuffered: 100_000,
  flushMs: 100,
  flushDocs: 500,
  retryMinMs: 100,
  retryMaxMs: 10_000,
  closeTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

/** Docs per flush at most; a bigger buffer goes out in several flushes. */
const MAX_FLUSH_DOCS = 10_000;
/** Flushes in flight at most. Each waits up to a refresh interval (1 s), and one starts every
 * `flushMs` (100 ms) under steady load, so 16 keep the buffer moving without queueing. */
const MAX_FLIGHTS = 16;
/** Bulk request size the helper aims for; a flush of 10,000 events is about 3 MB. */
const FLUSH_BYTES = 5_000_000;
/** Bulk requests of one flush in parallel (safe: a flush holds one op per doc). */
const BULK_CONCURRENCY = 2;
/** Hits per page when reading everything of a search: `index.max_result_window`. */
const READ_PAGE = 10_000;
/** Priority of our index templates: above the built-in ones (≤ 100) should a prefix match them. */
const TEMPLATE_PRIORITY = 200;

/** A site result waiting to be written, with the place it takes if it is new. */
interface PendingResult {
  readonly result: StoredSiteResult;
  readonly position: number;
}

/** Docs waiting to be written (or being written), at most one per doc id. */
class Pending {
  readonly searches = new Map<string, Search>();
  readonly results = new Map<string, PendingResult>();
  readonly events = new Map<string, StoredEvent>();

  get size(): number {
    return this.searches.size + this.results.size + this.events.size;
  }

  /**
   * Moves up to `max` docs out into a new `Pending`, oldest first within each kind, leaving
   * those `held` says must wait (their doc is in a flush in flight).
   */
  take(max: number, held: (kind: Kind, id: string) => boolean): Pending {
    const taken = new Pending();
    let room = max;
    room -= moveUpTo(this.searches, taken.searches, room, (id) => held('search', id));
    room -= moveUpTo(this.results, taken.results, room, (id) => held('result', id));
    moveUpTo(this.events, taken.events, room, (id) => held('event', id));
    return taken;
  }

  has(kind: Kind, id: string): boolean {
    return (kind === 'search' ? this.searches : kind === 'result' ? this.results : this.events).has(id);
  }

  /**
   * Puts back docs whose flush failed. What was buffered since is newer and wins, except that a
   * result keeps its earlier position and an event its earlier (first-written) version.
   */
  mergeBack(failed: Pending): void {
    for (const [id, search] of failed.searches) if (!this.searches.has(id)) this.searches.set(id, search);
    for (const [id, pending] of failed.results) {
      const newer = this.results.get(id);
      this.results.set(id, newer ? { result: newer.result, position: pending.position } : pending);
    }
    for (const [id, event] of failed.events) this.events.set(id, event);
  }
}

/** Moves up to `room` entries not `held` from one map to another; returns how many moved. */
function moveUpTo<V>(from: Map<string, V>, to: Map<string, V>, room: number, held: (id: string) => boolean): number {
  let moved = 0;
  for (const [id, value] of from) {
    if (moved >= room) break;
    if (held(id)) continue;
    to.set(id, value);
    from.delete(id);
    moved++;
  }
  return moved;
}

/** What reads add to the indices: the buffer over the flushes in flight. */
interface Overlay {
  readonly searches: ReadonlyMap<string, Search>;
  readonly results: ReadonlyMap<string, PendingResult>;
  readonly events: ReadonlyMap<string, StoredEvent>;
}

/** `<prefix>-searches` document. `text` holds the searchable words of the name and location. */
interface SearchDoc {
  readonly id: string;
  readonly status: SearchStatus;
  readonly priority: SearchPriority;
  readonly createdAt: number;
  readonly completedAt?: number;
  readonly deadlineAt: number;
  readonly query: BusinessQuery;
  readonly summary: SearchSummary;
  readonly text: string;
}

/**
 * `<prefix>-results` document. `record` is the whole SiteResult as JSON: an `update` merges
 * objects key by key, so nested data kept as objects would keep keys a later state dropped.
 * The other fields are copies for querying.
 */
interface ResultDoc {
  readonly searchId: string;
  readonly siteId: string;
  readonly position: number;
  readonly status: string;
  readonly outcome: string | null;
  readonly attempts: number;
  readonly latencyMs: number | null;
  readonly record: string;
}

/** `<prefix>-events` document. */
interface EventDoc {
  readonly searchId: string;
  readonly seq: number;
  readonly at: number;
  readonly type: SearchEventType;
  readonly siteId?: string;
  readonly data?: SearchEventData;
}

type Kind = 'search' | 'result' | 'event';

/** One op of a flush with its body: the bulk helper's datasource, returned as is by `onDocument`. */
type BulkAction =
  | [{ index: estypes.BulkIndexOperation }, SearchDoc]
  | [{ update: estypes.BulkUpdateOperation }, estypes.BulkUpdateAction<ResultDoc, Omit<ResultDoc, 'searchId' | 'siteId' | 'position'>>]
  | [{ create: estypes.BulkCreateOperation }, EventDoc];


/** A string no index stores: keyword, neither indexed nor with doc values, kept in `_source`. */
const STORED_ONLY: estypes.MappingProperty = { type: 'keyword', index: false, doc_values: false };
/** JSON kept as it came, never parsed into fields. */
const OPAQUE: estypes.MappingProperty = { type: 'object', enabled: false };
const MILLIS: estypes.MappingProperty = { type: 'date', format: 'epoch_millis' };

/** The mappings of each index; `dynamic: strict` refuses any field not listed. */
const MAPPINGS: Record<keyof ElasticIndexNames, estypes.MappingTypeMapping> = {
  searches: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      id: { type: 'keyword' },
      status: { type: 'keyword' },
      priority: { type: 'keyword' },
      createdAt: MILLIS,
      completedAt: MILLIS,
      deadlineAt: MILLIS,
      query: OPAQUE,
      summary: OPAQUE,
      // The words are folded in JS (this distribution has no asciifolding), so whitespace suffices;
      // index_prefixes makes the last word's prefix query cheap.
      text: { type: 'text', analyzer: 'whitespace', index_prefixes: { min_chars: 1, max_chars: 8 } },
    },
  },
  results: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      searchId: { type: 'keyword' },
      siteId: { type: 'keyword' },
      position: { type: 'long' },
      status: { type: 'keyword' },
      outcome: { type: 'keyword' },
      attempts: { type: 'integer' },
      latencyMs: { type: 'double' },
      record: STORED_ONLY,
    },
  },
  events: {
    dynamic: 'strict',
    _meta: { sitescanSchema: ELASTIC_SCHEMA_VERSION },
    properties: {
      searchId: { type: 'keyword' },
      seq: { type: 'long' },
      at: MILLIS,
      type: { type: 'keyword' },
      siteId: { type: 'keyword' },
      data: OPAQUE,
    },
  },
};

type Settings = Required<Omit<ElasticStoreOptions, 'apiKey' | 'username' | 'password' | 'logger'>>;

/** Persistence of searches, site results and events in Elasticsearch, with a write buffer. */
export class ElasticStore implements Store {
  /** The indices this store reads and writes. */
  readonly indices: ElasticIndexNames;

  private readonly client: Client;
  private readonly settings: Settings;
  private readonly log: Logger;
  private readonly kindOfIndex: ReadonlyMap<string, Kind>;

  private readonly buffer = new Pending();
  /** Flushes in flight, oldest first; no doc is in two of them. */
  private readonly inFlight = new Set<Pending>();
  private flushTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private nextRetryAt = 0;
  /** Aborts the flushes in flight when `close()` runs out of time. */
  private readonly abort = new AbortController();
  private settledWaiters: (() => void)[] = [];

  /** Consecutive failed flushes; 0 while Elasticsearch takes writes. */
  private failures = 0;
  private failingSince = 0;
  private lastError = '';
  /** Docs Elasticsearch refused for themselves (not retried). */
  private rejected = 0;
  private lastPosition: number;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing?: Promise<void>;

  private constructor(client: Client, settings: Settings, logger: Logger, lastPosition: number) {
    this.client = client;
    this.settings = settings;
    this.log = logger;
    this.indices = elasticIndexNames(settings.indexPrefix);
    this.kindOfIndex = new Map<string, Kind>([
      [this.indices.searches, 'search'],
      [this.indices.results, 'result'],
      [this.indices.events, 'event'],
    ]);
    this.lastPosition = lastPosition;
    // Every bulk request in flight listens to it: up to MAX_FLIGHTS × BULK_CONCURRENCY.
    setMaxListeners(MAX_FLIGHTS * BULK_CONCURRENCY + 1, this.abort.signal);
  }

  /**
   * Connects, puts the index templates (idempotent) and creates the indices if missing.
   * Throws `ValidationError` for a bad option, and an `Error` naming the URL when Elasticsearch
   * cannot be reached or holds indices of another schema version.
   */
  static async open(options: ElasticStoreOptions): Promise<ElasticStore> {
    const settings = validateOptions(options);
    const log = (options.logger ?? rootLogger).child({ module: 'elastic-store', indexPrefix: settings.indexPrefix });
    const auth = options.apiKey
      ? { apiKey: options.apiKey }
      : options.username
        ? { username: options.username, password: options.password ?? '' }
        : undefined;
    const client = new Client({
      node: settings.url,
      ...(auth ? { auth } : {}),
      requestTimeout: settings.requestTimeoutMs,
    });
    const indices = elasticIndexNames(settings.indexPrefix);
    try {
      await prepareIndices(client, indices);
      const lastPosition = await maxStoredPosition(client, indices.results);
      log.info({ url: redact(settings.url), indices }, 'elasticsearch store ready');
      return new ElasticStore(client, settings, log, lastPosition);
    } catch (error) {
      await client.close();
      if (error instanceof ValidationError) throw error;
      throw new Error(
        `could not open the Elasticsearch store at ${redact(settings.url)} (indices ${Object.values(indices).join(', ')}): ${errorText(error)}`,
        { cause: error },
      );
    }
  }

  /** Docs not yet in Elasticsearch: buffered plus the flushes in flight. */
  get bufferedDocs(): number {
    let docs = this.buffer.size;
    for (const flight of this.inFlight) docs += flight.size;
    return docs;
  }

  /**
   * Buffers a batch and resolves; the buffer is flushed in the background. Rejects whole with
   * `OverloadedError` when the batch would take the buffer past `maxBuffered`, and with an
   * `Error` once the store is closing.
   */
  async write(batch: StoreBatch): Promise<void> {
    if (this.state !== 'open') throw new Error(`the Elasticsearch store (${this.indices.searches} …) is closed`);
    const added = this.newDocs(batch);
    if (added > 0 && this.bufferedDocs + added > this.settings.maxBuffered) {
      throw new OverloadedError(
        `Elasticsearch write buffer is full: ${this.bufferedDocs} docs buffered (limit ${this.settings.maxBuffered}, ` +
          `maxBuffered), a batch of ${added} more refused; ${this.failureSummary()}`,
        Math.max(this.settings.flushMs, this.nextRetryAt - Date.now()),
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

  async getSearch(id: string): Promise<SearchSnapshot | undefined> {
    const overlay = this.overlay();
    const [found, results, events] = await Promise.all([
      this.client.get<SearchDoc>({ index: this.indices.searches, id }, { ignore: [404] }),
      this.resultsOf([id], overlay),
      this.eventsOf([id], 0, overlay),
    ]);
    const search = overlay.searches.get(id) ?? (found.found && found._source ? toSearch(found._source) : undefined);
    if (!search) return undefined;
    return { search, results: results.get(id) ?? [], events: events.get(id) ?? [] };
  }

  async eventsAfter(searchId: string, afterSeq: number): Promise<readonly SearchEvent[]> {
    return (await this.eventsOf([searchId], afterSeq, this.overlay())).get(searchId) ?? [];
  }

  async listSearches(options: ListSearchesOptions = {}): Promise<SearchPage> {
    const limit = clampLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const words = searchWords(options.q ?? '');
    const overlay = this.overlay();

    const filter: estypes.QueryDslQueryContainer[] = [];
    if (options.status !== undefined) filter.push({ term: { status: options.status } });
    if (words.length > 0) filter.push({ match_bool_prefix: { text: { query: words.join(' '), operator: 'and' } } });
    const response = await this.client.search<SearchDoc>({
      index: this.indices.searches,
      query: { bool: { filter, must_not: overlayIds(overlay.searches) } },
      sort: [{ createdAt: 'desc' }, { id: 'desc' }],
      size: limit + 1,
      track_total_hits: false,
      ...(after ? { search_after: [after.createdAt, after.id] } : {}),
    });

    const fromIndex = response.hits.hits.flatMap((hit) => (hit._source ? [toSearch(hit._source)] : []));
    const fromOverlay = [...overlay.searches.values()].filter(
      (search) =>
        (options.status === undefined || search.status === options.status) &&
        matchesWords(search.query, words) &&
        (after === undefined || compareNewestFirst(search, after) > 0),
    );
    const rows = [...fromIndex, ...fromOverlay].sort(compareNewestFirst).slice(0, limit + 1);
    const items = rows.slice(0, limit).map(toListItem);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async listRunning(): Promise<readonly SearchSnapshot[]> {
    const overlay = this.overlay();
    const hits = await this.readAll<SearchDoc>(
      this.indices.searches,
      { bool: { filter: [{ term: { status: 'running' } }], must_not: overlayIds(overlay.searches) } },
      [{ createdAt: 'asc' }, { id: 'asc' }],
    );
    const running = [
      ...hits.flatMap((hit) => (hit._source ? [toSearch(hit._source)] : [])),
      ...[...overlay.searches.values()].filter((search) => search.status === 'running'),
    ].sort((a, b) => -compareNewestFirst(a, b));
    if (running.length === 0) return [];
    const ids = running.map((search) => search.id);
    const [results, events] = await Promise.all([this.resultsOf(ids, overlay), this.eventsOf(ids, 0, overlay)]);
    return running.map((search) => ({
      search,
      results: results.get(search.id) ?? [],
      events: events.get(search.id) ?? [],
    }));
  }

  /**
   * `ok` while Elasticsearch takes writes and the indices are not red; otherwise `degraded`
   * with what is buffered against the limit, since when writes fail and the last error.
   */
  async health(): Promise<StoreHealth> {
    const degraded = (why: string): StoreHealth => ({
      status: 'degraded',
      kind: 'elasticsearch',
      detail: `${why}; ${this.bufferedDocs} docs buffered (limit ${this.settings.maxBuffered})${
        this.rejected > 0 ? `; ${this.rejected} docs rejected by Elasticsearch (see the log)` : ''
      }`,
    });
    if (this.state !== 'open') return degraded('store closed');
    if (this.failures > 0) return degraded(this.failureSummary());
    try {
      const cluster = await this.client.cluster.health(
        { index: Object.values(this.indices), timeout: '2s' },
        { requestTimeout: 3_000, maxRetries: 0 },
      );
      if (cluster.status === 'red') return degraded(`cluster ${cluster.cluster_name} is red for ${this.indices.searches} …`);
    } catch (error) {
      this.log.warn({ err: error }, 'elasticsearch health check failed');
      return degraded(`Elasticsearch at ${redact(this.settings.url)} does not answer: ${errorText(error)}`);
    }
    if (this.rejected > 0) return degraded('Elasticsearch refused some docs');
    return { status: 'ok', kind: 'elasticsearch' };
  }

  /**
   * Resolves once the buffer is empty: every doc written so far (and while it waits) is in
   * Elasticsearch and searchable. While Elasticsearch is unreachable it keeps waiting (retries
   * keep their backoff). For tests, benchmarks and hand-overs; `write` never needs it.
   */
  async flush(): Promise<void> {
    while (this.bufferedDocs > 0) {
      if (this.state === 'closed') throw new Error(`the Elasticsearch store is closed with ${this.bufferedDocs} docs unwritten`);
      if (!this.retryTimer) this.startFlushes(MAX_FLIGHTS);
      await this.nextSettle();
    }
  }

  /**
   * Stops taking writes, flushes for at most `closeTimeoutMs`, and releases the client. Rejects,
   * after releasing everything, when docs could not be written, naming how many of each kind.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.state = 'closing';
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = undefined;
    const started = Date.now();
    await this.drain(started + this.settings.closeTimeoutMs);
    if (this.inFlight.size > 0) {
      this.abort.abort(new Error(`close() gave up after ${this.settings.closeTimeoutMs} ms`));
      while (this.inFlight.size > 0) await this.nextSettle();
    }
    this.state = 'closed';
    for (const resolve of this.settledWaiters.splice(0)) resolve();
    await this.client.close();

    const left = this.buffer;
    if (left.size === 0) return;
    const sample = [...left.searches.keys(), ...left.results.keys(), ...left.events.keys()].slice(0, 5);
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

  /** Resolves when the next flush in flight ends (at once when none is). */
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
  private flying<T>(pick: (flight: Pending) => T | undefined): T | undefined {
    for (const flight of this.inFlight) {
      const found = pick(flight);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private isFlying(kind: Kind, id: string): boolean {
    return this.flying((flight) => flight.has(kind, id) || undefined) ?? false;
  }

  private overlay(): Overlay {
    const flights = [...this.inFlight];
    const searches = new Map([...flights.flatMap((f) => [...f.searches]), ...this.buffer.searches]);
    const results = new Map([...flights.flatMap((f) => [...f.results]), ...this.buffer.results]);
    const events = new Map([...this.buffer.events, ...flights.flatMap((f) => [...f.events])]);
    return { searches, results, events };
  }

  private scheduleFlush(): void {
    if (this.state !== 'open' || this.retryTimer || this.buffer.size === 0) return;
    if (this.buffer.size >= this.settings.flushDocs) {
      this.startFlushes(MAX_FLIGHTS);
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.startFlushes(MAX_FLIGHTS);
    }, this.settings.flushMs);
  }

  /**
   * Starts up to `count` flushes while flights are free and the buffer holds docs that are not
   * already in flight. A flush never rejects: what fails goes back to the buffer in `settle`.
   */
  private startFlushes(count: number): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (let started = 0; started < count && this.inFlight.size < MAX_FLIGHTS && this.buffer.size > 0; started++) {
      const batch = this.buffer.take(MAX_FLUSH_DOCS, (kind, id) => this.isFlying(kind, id));
      // Everything left waits behind a flush in flight; its settle() schedules the next one.
      if (batch.size === 0) return;
      this.inFlight.add(batch);
      this.send(batch).then(
        (retry) => this.settle(batch, retry, undefined),
        (error: unknown) => this.settle(batch, batch, error),
      );
    }
  }

  /** Sends one flush; resolves with the docs to retry, rejects when the request itself failed. */
  private async send(batch: Pending): Promise<Pending> {
    const retry = new Pending();
    const ops = this.bulkActions(batch);
    const stats = await this.client.helpers.bulk<BulkAction>(
      {
        datasource: ops,
        onDocument: (action) => action,
        onDrop: (dropped) => this.onDrop(dropped, batch, retry),
        flushBytes: FLUSH_BYTES,
        concurrency: BULK_CONCURRENCY,
        // Retries are ours (with backoff, and the docs kept in the overlay), not the helper's.
        retries: 0,
        // wait_for: a doc leaves the overlay only once searches see it. While closing nobody reads
        // this store again but the next process may at once, and one forced refresh is cheap.
        refresh: this.state === 'open' ? 'wait_for' : true,
      },
      { maxRetries: 0, requestTimeout: this.settings.requestTimeoutMs, signal: this.abort.signal },
    );
    this.log.debug({ docs: ops.length, retry: retry.size, ms: stats.time, bytes: stats.bytes }, 'flushed');
    return retry;
  }

  private bulkActions(batch: Pending): BulkAction[] {
    const ops: BulkAction[] = [];
    for (const [id, search] of batch.searches) {
      ops.push([{ index: { _index: this.indices.searches, _id: id } }, toSearchDoc(search)]);
    }
    for (const [id, { result, position }] of batch.results) {
      const { searchId, siteId, ...rest } = result;
      const fields = {
        status: rest.status,
        outcome: rest.outcome ?? null,
        attempts: rest.attempts,
        latencyMs: rest.latencyMs ?? null,
        record: JSON.stringify({ siteId, ...rest }),
      };
      const upsert: ResultDoc = { searchId, siteId, position, ...fields };
      ops.push([{ update: { _index: this.indices.results, _id: id, retry_on_conflict: 3 } }, { doc: fields, upsert }]);
    }
    for (const [id, event] of batch.events) {
      ops.push([{ create: { _index: this.indices.events, _id: id } }, toEventDoc(event)]);
    }
    return ops;
  }

  /** Sorts a doc the bulk helper gave up on: already there, to retry, or refused for good. */
  private onDrop(dropped: OnDropDocument<BulkAction>, batch: Pending, retry: Pending): void {
    const [type, meta] = Object.entries(dropped.operation)[0] ?? [];
    const target = meta as { _index?: string; _id?: string } | undefined;
    const kind = target?._index === undefined ? undefined : this.kindOfIndex.get(target._index);
    const id = target?._id;
    if (kind === undefined || id === undefined) {
      this.log.error({ operation: dropped.operation, status: dropped.status }, 'bulk helper dropped an op we did not send');
      return;
    }
    // The event is already stored: the first one written stays.
    if (dropped.status === 409 && type === 'create') return;
    if (dropped.status === 429 || dropped.status >= 500) {
      if (kind === 'search') retry.searches.set(id, batch.searches.get(id)!);
      else if (kind === 'result') retry.results.set(id, batch.results.get(id)!);
      else retry.events.set(id, batch.events.get(id)!);
      this.lastError = `${dropped.status} ${dropped.error?.type ?? ''} ${dropped.error?.reason ?? ''}`.trim();
      return;
    }
    this.rejected++;
    this.log.error(
      { index: target?._index, id, status: dropped.status, error: dropped.error },
      'elasticsearch refused a doc; it is not retried (a mapping or data bug)',
    );
  }

  /** Ends a flush: puts back what failed, takes it out of flight, and plans the next flush. */
  private settle(batch: Pending, retry: Pending, error: unknown): void {
    this.buffer.mergeBack(retry);
    this.inFlight.delete(batch);

    if (retry.size === 0) {
      if (this.failures > 0) {
        this.log.info(
          { failedFlushes: this.failures, downMs: Date.now() - this.failingSince, buffered: this.bufferedDocs },
          'elasticsearch takes writes again',
        );
      }
      this.failures = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    } else {
      if (error !== undefined) this.lastError = errorText(error);
      if (this.failures++ === 0) {
        this.failingSince = Date.now();
        this.log.warn(
          { err: error, retry: retry.size, of: batch.size, buffered: this.bufferedDocs, limit: this.settings.maxBuffered },
          'elasticsearch write failed; buffering and retrying with backoff',
        );
      } else {
        this.log.debug({ failures: this.failures, lastError: this.lastError, buffered: this.bufferedDocs }, 'flush retry failed');
      }
    }
    for (const resolve of this.settledWaiters.splice(0)) resolve();

    if (this.state !== 'open') return;
    if (this.failures > 0) {
      if (this.retryTimer) return;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      const delay = this.backoffMs();
      this.nextRetryAt = Date.now() + delay;
      // One flush probes; when it lands, its settle() sends the rest.
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.startFlushes(1);
      }, delay);
    } else if (this.buffer.size > 0) {
      this.scheduleFlush();
    }
  }

  private backoffMs(): number {
    return Math.min(this.settings.retryMaxMs, this.settings.retryMinMs * 2 ** Math.min(this.failures - 1, 30));
  }

  private failureSummary(): string {
    if (this.failures === 0) return 'Elasticsearch takes writes';
    const retryIn = Math.max(0, this.nextRetryAt - Date.now());
    return (
      `writes to Elasticsearch at ${redact(this.settings.url)} failing for ${((Date.now() - this.failingSince) / 1_000).toFixed(1)} s ` +
      `(${this.failures} failed flushes, last error: ${this.lastError}); next retry in ${retryIn} ms`
    );
  }

  /** Results of the given searches in first-written order, the overlay over the index. */
  private async resultsOf(searchIds: readonly string[], overlay: Overlay): Promise<Map<string, SiteResult[]>> {
    const hits = await this.readAll<ResultDoc>(
      this.indices.results,
      { terms: { searchId: [...searchIds] } },
      [{ position: 'asc' }, { searchId: 'asc' }, { siteId: 'asc' }],
    );
    const placed = new Map<string, { searchId: string; position: number; result: SiteResult }>();
    for (const hit of hits) {
      const doc = hit._source;
      if (doc) placed.set(`${doc.searchId}:${doc.siteId}`, { searchId: doc.searchId, position: doc.position, result: JSON.parse(doc.record) as SiteResult });
    }
    const wanted = new Set(searchIds);
    for (const [id, { result, position }] of overlay.results) {
      if (!wanted.has(result.searchId)) continue;
      const { searchId, ...rest } = result;
      // An update keeps the stored position; only a new result takes the buffered one.
      placed.set(id, { searchId, position: placed.get(id)?.position ?? position, result: rest });
    }
    return groupBy(
      [...placed.values()].sort((a, b) => a.position - b.position || compareUtf8(a.result.siteId, b.result.siteId)),
      (entry) => entry.searchId,
      (entry) => entry.result,
    );
  }

  /** Events of the given searches with seq > afterSeq in seq order; a stored event beats a buffered one. */
  private async eventsOf(
    searchIds: readonly string[],
    afterSeq: number,
    overlay: Overlay,
  ): Promise<Map<string, SearchEvent[]>> {
    const hits = await this.readAll<EventDoc>(
      this.indices.events,
      { bool: { filter: [{ terms: { searchId: [...searchIds] } }, { range: { seq: { gt: afterSeq } } }] } },
      [{ searchId: 'asc' }, { seq: 'asc' }],
    );
    const events = new Map<string, StoredEvent>();
    for (const hit of hits) {
      const doc = hit._source;
      if (doc) events.set(`${doc.searchId}:${doc.seq}`, fromEventDoc(doc));
    }
    const wanted = new Set(searchIds);
    for (const [id, event] of overlay.events) {
      if (wanted.has(event.searchId) && event.seq > afterSeq && !events.has(id)) events.set(id, event);
    }
    return groupBy(
      [...events.values()].sort((a, b) => a.seq - b.seq),
      (event) => event.searchId,
      ({ searchId: _searchId, ...event }) => event,
    );
  }

  /** Every hit of a query, paged with `search_after` on a total sort. */
  private async readAll<T>(
    index: string,
    query: estypes.QueryDslQueryContainer,
    sort: estypes.SortCombinations[],
  ): Promise<estypes.SearchHit<T>[]> {
    const hits: estypes.SearchHit<T>[] = [];
    let after: estypes.SortResults | undefined;
    for (;;) {
      const response = await this.client.search<T>({
        index,
        query,
        sort,
        size: READ_PAGE,
        track_total_hits: false,
        ...(after ? { search_after: after } : {}),
      });
      hits.push(...response.hits.hits);
      after = response.hits.hits.at(-1)?.sort;
      if (response.hits.hits.length < READ_PAGE || after === undefined) return hits;
    }
  }
}

/** Puts the three index templates and creates the indices that are missing. */
async function prepareIndices(client: Client, indices: ElasticIndexNames): Promise<void> {
  const kinds = Object.keys(indices) as (keyof ElasticIndexNames)[];
  await Promise.all(
    kinds.map((kind) =>
      client.indices.putIndexTemplate({
        name: indices[kind],
        // The exact name, no wildcard: templates of two prefixes can never overlap.
        index_patterns: [indices[kind]],
        priority: TEMPLATE_PRIORITY,
        version: ELASTIC_SCHEMA_VERSION,
        _meta: { description: `sitescan ${kind}`, managedBy: 'sitescan' },
        template: {
          settings: {
            number_of_shards: 1,
            // 0 replicas on one node (health green), 1 as soon as a second data node joins.
            auto_expand_replicas: '0-1',
          },
          mappings: MAPPINGS[kind],
        },
      }),
    ),
  );
  await Promise.all(
    kinds.map(async (kind) => {
      try {
        await client.indices.create({ index: indices[kind] });
      } catch (error) {
        // Another process (or an earlier start) created it: the version check below covers it.
        if (!(error instanceof errors.ResponseError && error.body?.error?.type === 'resource_already_exists_exception')) {
          throw error;
        }
      }
    }),
  );
  const mappings = await client.indices.getMapping({ index: Object.values(indices) });
  for (const kind of kinds) {
    const version = mappings[indices[kind]]?.mappings._meta?.sitescanSchema;
    if (version !== ELASTIC_SCHEMA_VERSION) {
      throw new Error(
        `index ${indices[kind]} has sitescan schema version ${JSON.stringify(version)}; this sitescan writes ${ELASTIC_SCHEMA_VERSION}` +
          ' (reindex it, or use another ELASTICSEARCH index prefix)',
      );
    }
  }
}

/** The largest result position stored, so new positions sort after it; 0 when there is none. */
async function maxStoredPosition(client: Client, index: string): Promise<number> {
  const response = await client.search<unknown, { top: estypes.AggregationsMaxAggregate }>({
    index,
    size: 0,
    track_total_hits: false,
    aggs: { top: { max: { field: 'position' } } },
  });
  return response.aggregations?.top.value ?? 0;
}

function validateOptions(options: ElasticStoreOptions): Settings {
  const url: unknown = options?.url;
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ValidationError(`Expected \`url\` to be an http(s) URL like http://127.0.0.1:9200, got ${JSON.stringify(url)}`);
  }
  const indexPrefix: unknown = options.indexPrefix ?? DEFAULTS.indexPrefix;
  if (typeof indexPrefix !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,199}$/.test(indexPrefix)) {
    throw new ValidationError(
      `Expected \`indexPrefix\` to be 1–200 lowercase letters, digits, '-' or '_' starting with a letter or digit, got ${JSON.stringify(indexPrefix)}`,
    );
  }
  if (options.username !== undefined && options.password === undefined) {
    throw new ValidationError('Expected `password` with `username`, got none');
  }
  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const value: unknown = options[name] ?? DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const retryMinMs = integer('retryMinMs', 1, 60_000);
  return {
    url,
    indexPrefix,
    maxBuffered: integer('maxBuffered', 1, 10_000_000),
    flushMs: integer('flushMs', 1, 60_000),
    flushDocs: integer('flushDocs', 1, MAX_FLUSH_DOCS),
    retryMinMs,
    retryMaxMs: integer('retryMaxMs', retryMinMs, 600_000),
    closeTimeoutMs: integer('closeTimeoutMs', 0, 600_000),
    requestTimeoutMs: integer('requestTimeoutMs', 100, 600_000),
  };
}

/**
 * The words history search indexes and matches: runs of letters, digits and marks after NFKC
 * (as the SQLite store's FTS5 query), lowercased, with the combining diacritics of Latin,
 * Greek and Cyrillic removed (as FTS5 `remove_diacritics 2`). Done here because this
 * Elasticsearch distribution has no asciifolding, and so that JS can match the buffer the same way.
 */
export function searchWords(text: string): string[] {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? [];
  return words
    .map((word) => word.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC'))
    .filter((word) => word !== '');
}

/** Whether a query's name and location hold every word, the last one as a prefix. */
function matchesWords(query: BusinessQuery, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const own = searchWords(`${query.name} ${query.location ?? ''}`);
  const last = words.at(-1)!;
  return words.slice(0, -1).every((word) => own.includes(word)) && own.some((word) => word.startsWith(last));
}

function overlayIds(searches: ReadonlyMap<string, Search>): estypes.QueryDslQueryContainer[] {
  return searches.size === 0 ? [] : [{ ids: { values: [...searches.keys()] } }];
}

function resultId(result: StoredSiteResult): string {
  return `${result.searchId}:${result.siteId}`;
}

function eventId(event: StoredEvent): string {
  return `${event.searchId}:${event.seq}`;
}

function toSearchDoc(search: Search): SearchDoc {
  return {
    id: search.id,
    status: search.status,
    priority: search.priority,
    createdAt: search.createdAt,
    ...(search.completedAt === undefined ? {} : { completedAt: search.completedAt }),
    deadlineAt: search.deadlineAt,
    query: search.query,
    summary: search.summary,
    text: searchWords(`${search.query.name} ${search.query.location ?? ''}`).join(' '),
  };
}

function toSearch(doc: SearchDoc): Search {
  return {
    id: doc.id,
    query: doc.query,
    priority: doc.priority,
    status: doc.status,
    createdAt: doc.createdAt,
    ...(doc.completedAt === undefined ? {} : { completedAt: doc.completedAt }),
    deadlineAt: doc.deadlineAt,
    summary: doc.summary,
  };
}


function toEventDoc(event: StoredEvent): EventDoc {
  return {
    searchId: event.searchId,
    seq: event.seq,
    at: event.at,
    type: event.type,
    ...(event.siteId === undefined ? {} : { siteId: event.siteId }),
    ...(event.data === undefined ? {} : { data: event.data }),
  };
}

function fromEventDoc(doc: EventDoc): StoredEvent {
  return {
    searchId: doc.searchId,
    seq: doc.seq,
    at: doc.at,
    type: doc.type,
    ...(doc.siteId === undefined ? {} : { siteId: doc.siteId }),
    ...(doc.data === undefined ? {} : { data: doc.data }),
  };
}

/** History order: newest first, ties by id descending (as the index sorts: by UTF-8 bytes). */
function compareNewestFirst(a: Position, b: Position): number {
  return b.createdAt - a.createdAt || compareUtf8(b.id, a.id);
}

/** Compares as a keyword sort does: by UTF-8 bytes, which UTF-16 `<` does not match for every string. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function groupBy<T, V>(items: readonly T[], key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    let group = groups.get(k);
    if (!group) groups.set(k, (group = []));
    group.push(value(item));
  }
  return groups;
}




/** The URL without its password, for logs and messages. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.origin === 'null' ? url : parsed.toString().replace(/\/$/, '');
}

function errorText(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const cause = (error.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    return `${error.statusCode ?? '?'} ${cause?.type ?? error.name}: ${cause?.reason ?? error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
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
