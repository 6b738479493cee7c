/**
 * The Elasticsearch Store: three indices, a bounded write buffer, and reads that see the buffer.
 *
 *   write(batch) ──► ElasticWriteBuffer ──flushes──► elasticBulk ──► <prefix>-searches
 *     resolves       (elastic-write-buffer.ts:       (elastic-bulk.ts)  <prefix>-results
 *     once buffered   backoff, bound, close)                            <prefix>-events
 *   durable(batch) resolves once its docs are in the indices (the event log publishes then)
 *                                                                       (elastic-indices.ts,
 *                                                                        elastic-documents.ts)
 *   getSearch / eventsAfter / listSearches / listRunning ──► Elasticsearch ∪ overlay
 *                                                            (buffer + flushes in flight)
 *
 * Example: a search written a moment ago is still in the buffer; `getSearch` finds its record in
 * the overlay, its results and events in the indices and the overlay, merged by doc id. Once its
 * flush has landed (after a refresh) the overlay no longer holds it and the indices answer alone.
 *
 * Invariants:
 * - Every doc has a natural id (`elastic-documents.ts`), so a retried flush never duplicates.
 * - Reads MUST see every acknowledged write: the overlay is taken before the indices are
 *   queried, and a doc leaves it only once its flush has returned after a refresh, so a doc that
 *   lands in between is seen in one of the two.
 * - In a merge, a buffered search or result state is newer than a stored one and wins, but a
 *   stored result keeps its position and a stored event beats a buffered one (the first stays).
 * - History search matches the folded words of `search-words.ts`, in the index
 *   (`match_bool_prefix`) and in the overlay alike.
 */
import { Client, type estypes } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import type { Search, SearchEvent, SearchSnapshot, SearchStatus, SearchSummary, SiteResult } from '../../lib/types';
import { ValidationError } from '../errors';
import { logger as rootLogger } from '../logger';
import { fromEventDoc, fromResultDoc, fromSearchDoc, queryWords, type EventDoc, type ResultDoc, type SearchDoc } from './elastic-documents';
import { elasticErrorText } from './elastic-error-text';
import { elasticIndexNames, maxStoredPosition, prepareIndices, type ElasticIndexNames } from './elastic-indices';
import { elasticStoreSettings, redactUrl, type ElasticStoreOptions, type ElasticStoreSettings } from './elastic-store-options';
import { elasticBulk } from './elastic-bulk';
import { ElasticOwners } from './elastic-owners';
import { ElasticWriteOnce } from './elastic-write-once';
import { ElasticWriteBuffer, type Overlay } from './elastic-write-buffer';
import { clampLimit, decodeCursor, encodeCursor, toListItem, type Position } from './history-page';
import { matchesWordsQuery, searchWords, wordsQuery } from './search-words';
import { scanKeyOf } from './scan-key';
import type {
  BulkRunRecord,
  BulkRunState,
  ListSearchesOptions,
  PreviousScan,
  PreviousScanQuery,
  SearchPage,
  Store,
  StoreBatch,
  StoreHealth,
  StoredEvent,
} from './store';

// The store's home: what other code imports from here besides the store itself.
export { ELASTIC_SCHEMA_VERSION, elasticIndexNames } from './elastic-indices';

/** Hits per page when reading everything of a search: `index.max_result_window`. */
const READ_PAGE = 10_000;

/** Persistence of searches, site results and events in Elasticsearch, with a write buffer. */
export class ElasticStore implements Store {
  /** The indices this store reads and writes. */
  readonly indices: ElasticIndexNames;

  private readonly client: Client;
  private readonly settings: ElasticStoreSettings;
  private readonly log: Logger;
  private readonly buffer: ElasticWriteBuffer;
  private readonly owners: ElasticOwners;
  private readonly bulkRuns: ElasticWriteOnce<BulkRunRecord>;
  private closing?: Promise<void>;

  private constructor(client: Client, settings: ElasticStoreSettings, log: Logger, lastPosition: number) {
    this.client = client;
    this.settings = settings;
    this.log = log;
    this.indices = elasticIndexNames(settings.indexPrefix);
    this.buffer = new ElasticWriteBuffer({
      bulk: elasticBulk({ client, indices: this.indices, requestTimeoutMs: settings.requestTimeoutMs, logger: log }),
      maxBuffered: settings.maxBuffered,
      flushMs: settings.flushMs,
      flushDocs: settings.flushDocs,
      retryMinMs: settings.retryMinMs,
      retryMaxMs: settings.retryMaxMs,
      closeTimeoutMs: settings.closeTimeoutMs,
      lastPosition,
      url: redactUrl(settings.url),
      logger: log,
    });
    const writeOnce = { client, logger: log, retryMinMs: settings.retryMinMs, retryMaxMs: settings.retryMaxMs, closeTimeoutMs: settings.closeTimeoutMs };
    this.owners = new ElasticOwners({ ...writeOnce, index: this.indices.owners });
    this.bulkRuns = new ElasticWriteOnce<BulkRunRecord>({
      ...writeOnce,
      index: this.indices.bulkRuns,
      what: 'bulk runs',
      idOf: (run) => run.id,
      sourceOf: (run) => ({ id: run.id, createdAt: run.createdAt, record: run }),
    });
  }

  /**
   * Connects, puts the index templates (idempotent) and creates the indices if missing.
   * Throws `ValidationError` for a bad option, and an `Error` naming the URL when Elasticsearch
   * cannot be reached or holds indices of another schema version.
   */
  static async open(options: ElasticStoreOptions): Promise<ElasticStore> {
    const settings = elasticStoreSettings(options);
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
      const lastPosition = await maxStoredPosition(client, indices);
      log.info({ url: redactUrl(settings.url), indices }, 'elasticsearch store ready');
      return new ElasticStore(client, settings, log, lastPosition);
    } catch (error) {
      await client.close();
      if (error instanceof ValidationError) throw error;
      throw new Error(
        `could not open the Elasticsearch store at ${redactUrl(settings.url)} (indices ${Object.values(indices).join(', ')}): ${elasticErrorText(error)}`,
        { cause: error },
      );
    }
  }

  /** Docs not yet in Elasticsearch: buffered plus the flushes in flight. */
  get bufferedDocs(): number {
    return this.buffer.bufferedDocs;
  }

  /**
   * Buffers a batch and resolves; the buffer is flushed, and what fails retried, in the
   * background. Rejects whole with `OverloadedError` when the batch would take the buffer past
   * `maxBuffered`, and with an `Error` once the store is closing: either way nothing was taken.
   * Owners and bulk runs go to their own indices (`elastic-write-once.ts`), after the rest was taken.
   */
  async write(batch: StoreBatch): Promise<void> {
    const { owners, bulkRuns, ...docs } = batch;
    this.buffer.write(docs);
    if (owners?.length) this.owners.record(owners);
    if (bulkRuns?.length) this.bulkRuns.record(bulkRuns);
  }

  /** Resolves once the bulk requests that carried the docs of `batch` succeeded; see `Store.durable`. */
  async durable(batch: StoreBatch): Promise<void> {
    const { owners, bulkRuns, ...docs } = batch;
    await Promise.all([this.buffer.landed(docs), this.owners.landed(owners ?? []), this.bulkRuns.landed(bulkRuns ?? [])]);
  }

  async getSearch(id: string): Promise<SearchSnapshot | undefined> {
    const overlay = this.buffer.overlay();
    const [found, results, events] = await Promise.all([
      this.client.get<SearchDoc>({ index: this.indices.searches, id }, { ignore: [404] }),
      this.resultsOf([id], overlay),
      this.eventsOf([id], 0, overlay),
    ]);
    const search = overlay.searches.get(id) ?? (found.found && found._source ? fromSearchDoc(found._source) : undefined);
    if (!search) return undefined;
    return { search, results: results.get(id) ?? [], events: events.get(id) ?? [] };
  }

  async eventsAfter(searchId: string, afterSeq: number): Promise<readonly SearchEvent[]> {
    return (await this.eventsOf([searchId], afterSeq, this.buffer.overlay())).get(searchId) ?? [];
  }

  async listSearches(options: ListSearchesOptions = {}): Promise<SearchPage> {
    const limit = clampLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const words = wordsQuery(searchWords(options.q ?? ''));
    const overlay = this.buffer.overlay();

    const filter: estypes.QueryDslQueryContainer[] = [];
    let owned: ReadonlySet<string> | undefined;
    if (options.owner !== undefined) {
      const ids = await this.owners.idsOf(options.owner);
      if (ids.length === 0) return { items: [] };
      owned = new Set(ids);
      filter.push({ ids: { values: ids } });
    }
    if (options.status !== undefined) filter.push({ term: { status: options.status } });
    // match_bool_prefix is the rule itself: every term, the last one as a prefix.
    if (words) filter.push({ match_bool_prefix: { text: { query: [...words.whole, words.prefix].join(' '), operator: 'and' } } });
    const response = await this.client.search<SearchDoc>({
      index: this.indices.searches,
      query: { bool: { filter, must_not: overlayIds(overlay.searches) } },
      sort: [{ createdAt: 'desc' }, { id: 'desc' }],
      size: limit + 1,
      track_total_hits: false,
      ...(after ? { search_after: [after.createdAt, after.id] } : {}),
    });

    const fromIndex = response.hits.hits.flatMap((hit) => (hit._source ? [fromSearchDoc(hit._source)] : []));
    const fromOverlay = [...overlay.searches.values()].filter(
      (search) =>
        (owned === undefined || owned.has(search.id)) &&
        (options.status === undefined || search.status === options.status) &&
        (words === undefined || matchesWordsQuery(words, queryWords(search.query))) &&
        (after === undefined || compareNewestFirst(search, after) > 0),
    );
    const rows = [...fromIndex, ...fromOverlay].sort(compareNewestFirst).slice(0, limit + 1);
    const items = rows.slice(0, limit).map(toListItem);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async previousScan(query: PreviousScanQuery): Promise<PreviousScan | undefined> {
    const { scanKey, before, sameOwnerAs } = query;
    const overlay = this.buffer.overlay();
    const filter: estypes.QueryDslQueryContainer[] = [
      { term: { scanKey } },
      { term: { status: 'completed' } },
      { range: { createdAt: { lt: before } } },
    ];
    let owned: ReadonlySet<string> | undefined;
    if (sameOwnerAs !== undefined) {
      const owner = await this.owners.ownerOf(sameOwnerAs);
      if (owner === undefined) return undefined;
      owned = new Set(await this.owners.idsOf(owner));
      filter.push({ ids: { values: [...owned] } });
    }
    const response = await this.client.search<SearchDoc>({
      index: this.indices.searches,
      query: { bool: { filter, must_not: overlayIds(overlay.searches) } },
      sort: [{ createdAt: 'desc' }, { id: 'desc' }],
      size: 1,
      track_total_hits: false,
    });
    const fromIndex = response.hits.hits.flatMap((hit) => (hit._source ? [fromSearchDoc(hit._source)] : []));
    const fromOverlay = [...overlay.searches.values()].filter(
      (search) =>
        search.status === 'completed' &&
        search.createdAt < before &&
        (owned === undefined || owned.has(search.id)) &&
        scanKeyOf(search.query) === scanKey,
    );
    const [newest] = [...fromIndex, ...fromOverlay].sort(compareNewestFirst);
    if (!newest) return undefined;
    const results = await this.resultsOf([newest.id], overlay);
    return { search: newest, results: results.get(newest.id) ?? [] };
  }

  async getBulkRun(id: string): Promise<BulkRunState | undefined> {
    let run = this.bulkRuns.pendingDoc(id);
    if (!run) {
      const found = await this.client.get<{ record: BulkRunRecord }>({ index: this.indices.bulkRuns, id }, { ignore: [404] });
      run = found.found ? found._source?.record : undefined;
    }
    if (!run) return undefined;
    const overlay = this.buffer.overlay();
    const ids = run.searches.map((search) => search.searchId);
    const searches = new Map<string, { status: SearchStatus; summary: SearchSummary }>();
    if (ids.length > 0) {
      const found = await this.client.mget<SearchDoc>({ index: this.indices.searches, ids, _source_includes: ['status', 'summary'] });
      for (const doc of found.docs) {
        if ('found' in doc && doc.found && doc._source) searches.set(doc._id, { status: doc._source.status, summary: doc._source.summary });
      }
    }
    for (const searchId of ids) {
      const newer = overlay.searches.get(searchId);
      if (newer) searches.set(searchId, { status: newer.status, summary: newer.summary });
    }
    return { run, searches };
  }

  async listRunning(): Promise<readonly SearchSnapshot[]> {
    const overlay = this.buffer.overlay();
    const hits = await this.readAll<SearchDoc>(
      this.indices.searches,
      { bool: { filter: [{ term: { status: 'running' } }], must_not: overlayIds(overlay.searches) } },
      [{ createdAt: 'asc' }, { id: 'asc' }],
    );
    const running = [
      ...hits.flatMap((hit) => (hit._source ? [fromSearchDoc(hit._source)] : [])),
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
    const refused = this.buffer.refused;
    const degraded = (why: string): StoreHealth => ({
      status: 'degraded',
      kind: 'elasticsearch',
      detail: `${why}; ${this.buffer.bufferedDocs} docs buffered (limit ${this.settings.maxBuffered})${
        refused > 0 ? `; ${refused} docs rejected by Elasticsearch (see the log)` : ''
      }`,
    });
    if (!this.buffer.isOpen) return degraded('store closed');
    if (this.buffer.failing) return degraded(this.buffer.failureSummary());
    try {
      const cluster = await this.client.cluster.health(
        { index: Object.values(this.indices), timeout: '2s' },
        { requestTimeout: 3_000, maxRetries: 0 },
      );
      if (cluster.status === 'red') return degraded(`cluster ${cluster.cluster_name} is red for ${this.indices.searches} …`);
    } catch (error) {
      this.log.warn({ err: error }, 'elasticsearch health check failed');
      return degraded(`Elasticsearch at ${redactUrl(this.settings.url)} does not answer: ${elasticErrorText(error)}`);
    }
    if (refused > 0) return degraded('Elasticsearch refused some docs');
    return { status: 'ok', kind: 'elasticsearch' };
  }

  /**
   * Resolves once the buffer is empty: every doc written so far (and while it waits) is in
   * Elasticsearch and searchable. While Elasticsearch is unreachable it keeps waiting (retries
   * keep their backoff). For tests, benchmarks and hand-overs; `write` never needs it.
   */
  async flush(): Promise<void> {
    await Promise.all([this.buffer.flush(), this.owners.flush(), this.bulkRuns.flush()]);
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
    try {
      const [buffer, owners, bulkRuns] = await Promise.allSettled([this.buffer.close(), this.owners.close(), this.bulkRuns.close()]);
      if (buffer.status === 'rejected') throw buffer.reason;
      if (owners.status === 'rejected') throw owners.reason;
      if (bulkRuns.status === 'rejected') throw bulkRuns.reason;
    } finally {
      await this.client.close();
    }
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
      if (hit._source) placed.set(`${hit._source.searchId}:${hit._source.siteId}`, fromResultDoc(hit._source));
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

/** Keeps the indices from answering for searches the overlay holds a newer state of. */
function overlayIds(searches: ReadonlyMap<string, Search>): estypes.QueryDslQueryContainer[] {
  return searches.size === 0 ? [] : [{ ids: { values: [...searches.keys()] } }];
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
