/**
 * The Store seam: one interface, two implementations (SQLite embedded, Elasticsearch), one
 * conformance suite (`store-conformance.ts`) that both must pass.
 *
 * Writes come as batches from the pipeline's event log. Every write is an idempotent upsert keyed
 * on natural ids — a search by `id`, a site result by `(searchId, siteId)`, an event by
 * `(searchId, seq)` — so a batch retried after a fault never duplicates anything.
 *
 * Who retries a write: the store, for a transient fault of its backend, when it buffers (the
 * Elasticsearch store); the caller, only for a batch the store rejected (not taken), after the
 * delay the store asked for. Never both: one backoff, in the layer that knows the backend.
 */
import type {
  BusinessQuery,
  SearchEvent,
  Search,
  SearchListItem,
  SearchSnapshot,
  SearchStatus,
  SearchSummary,
  SiteResult,
} from '../../lib/types';

/** An event with the search it belongs to. */
export type StoredEvent = SearchEvent & { readonly searchId: string };

/** A site result with the search it belongs to. */
export interface StoredSiteResult extends SiteResult {
  readonly searchId: string;
}

/**
 * Who created a search, for a history scoped to its owner (`HISTORY_SCOPE=owner`): a digest of the
 * creator's history key (`server/http/history-key.ts`), never the key itself.
 */
export interface SearchOwner {
  readonly searchId: string;
  readonly owner: string;
  /** The search's `createdAt`: the newest of an owner's searches are the ones a page lists. */
  readonly createdAt: number;
}

/**
 * A bulk run: one uploaded CSV, the search each of its rows started and the rows that were not
 * started. Written once, when the run starts; its progress is its searches' own.
 */
export interface BulkRunRecord {
  readonly id: string;
  /** ms since epoch */
  readonly createdAt: number;
  /** The uploaded file's name, when the upload gave one. */
  readonly name?: string;
  /**
   * Who started the run (`SearchOwner.owner`: a digest of the history key its searches were
   * recorded under), so a history scoped to its owner lists the run's searches only to them.
   * Absent in runs recorded before it was kept.
   */
  readonly owner?: string;
  readonly searches: readonly BulkRunRecordSearch[];
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** A row of a bulk run that started a search. */
export interface BulkRunRecordSearch {
  /** The row's line in the uploaded file. */
  readonly line: number;
  readonly searchId: string;
  /** The business name of the row. */
  readonly name: string;
  /**
   * The row's whole query, so the run can be started again from its record alone. Absent in runs
   * recorded before it was kept; the search itself has it.
   */
  readonly query?: BusinessQuery;
}

/** A bulk run with where each of its searches stands now. */
export interface BulkRunState {
  readonly run: BulkRunRecord;
  /** By search id; a search not yet written (its first batch still on its way) is absent. */
  readonly searches: ReadonlyMap<string, { readonly status: SearchStatus; readonly summary: SearchSummary }>;
}

/** What one flush of the event log writes, applied as one unit where the store allows. */
export interface StoreBatch {
  /** Whole search records, upserted by id (the newest state wins). */
  readonly searches?: readonly Search[];
  /** Whole site results, upserted by (searchId, siteId). */
  readonly results?: readonly StoredSiteResult[];
  /** Events, inserted by (searchId, seq); one already there is left as it is. */
  readonly events?: readonly StoredEvent[];
  /** Owners, inserted by searchId; one already there is left as it is. The search service writes them. */
  readonly owners?: readonly SearchOwner[];
  /** Bulk runs, inserted by id; one already there is left as it is. The bulk API writes them. */
  readonly bulkRuns?: readonly BulkRunRecord[];
}

/** Options of the history list. */
export interface ListSearchesOptions {
  /** Full-text query over the business name and location. */
  readonly q?: string;
  readonly status?: SearchStatus;
  /** Only the searches recorded with this owner (`SearchOwner.owner`). */
  readonly owner?: string;
  /** Page size; 1–100, default 20. */
  readonly limit?: number;
  /** Opaque cursor from a previous page's `next`. */
  readonly cursor?: string;
}

/** Which earlier scan `Store.previousScan` looks for. */
export interface PreviousScanQuery {
  /** The scan key of the business (`scanKeyOf` in `scan-key.ts`). */
  readonly scanKey: string;
  /** Only searches created before this (ms since epoch): the search being compared. */
  readonly before: number;
  /**
   * Only searches recorded with the same owner as this search (`SearchOwner`), for a history
   * scoped to its owner: one client's scans never show in another's comparison. A search with no
   * owner recorded then has no previous scan.
   */
  readonly sameOwnerAs?: string;
}

/** An earlier scan of the same business, with its site results (its events are not read). */
export interface PreviousScan {
  readonly search: Search;
  readonly results: readonly SiteResult[];
}

/** A page of the history list, newest first. */
export interface SearchPage {
  readonly items: readonly SearchListItem[];
  /** Cursor of the next page; absent on the last one. */
  readonly next?: string;
}

/** Health of the store as `/api/health` reports it. */
export interface StoreHealth {
  readonly status: 'ok' | 'degraded';
  /** `sqlite` or `elasticsearch` */
  readonly kind: string;
  readonly detail?: string;
}

/** Persistence of searches, site results and events. */
export interface Store {
  /**
   * Applies a batch. Resolves once it is durable, or safely buffered for a store that buffers; a
   * store that buffers retries transient faults itself (with backoff, reporting `degraded` in
   * `health` meanwhile), so its caller never retries a batch it was told had been taken.
   * A rejection means the batch was not taken, none of it: the caller keeps it and sends it again,
   * after `retryAfterMs` when the error is an `OverloadedError` (the store is full and says when
   * to come back). Writes are idempotent, so sending a batch again never duplicates anything.
   */
  write(batch: StoreBatch): Promise<void>;
  /**
   * For a store whose `write` resolves once a batch is buffered: resolves once everything of a
   * batch it took is durable (survives a kill -9 of this process), rejects when it never will be
   * (closed with it unwritten). While the backend is down it keeps waiting. Absent: `write`
   * resolves only once the batch is durable. The event log publishes events only after this.
   */
  durable?(batch: StoreBatch): Promise<void>;
  /** A search with its results and events in seq order, or undefined for an unknown id. */
  getSearch(id: string): Promise<SearchSnapshot | undefined>;
  /** The events of a search with seq > afterSeq, in seq order. */
  eventsAfter(searchId: string, afterSeq: number): Promise<readonly SearchEvent[]>;
  /** History, newest first. A bad cursor throws `ValidationError`. */
  listSearches(options?: ListSearchesOptions): Promise<SearchPage>;
  /**
   * The newest `completed` search with the scan key created before `before` (and, with
   * `sameOwnerAs`, of the same owner), with its results; undefined when there is none. Read
   * through an index on the key, however long the history.
   */
  previousScan(query: PreviousScanQuery): Promise<PreviousScan | undefined>;
  /** A bulk run and where its searches stand, or undefined for an unknown id. */
  getBulkRun(id: string): Promise<BulkRunState | undefined>;
  /** Searches still `running` (after a crash, these need resuming or marking interrupted). */
  listRunning(): Promise<readonly SearchSnapshot[]>;
  health(): Promise<StoreHealth>;
  /** Flushes what is buffered and releases resources. */
  close(): Promise<void>;
}
