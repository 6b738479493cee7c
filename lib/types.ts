/**
 * The vocabulary of sitescan (see DESIGN.md), shared by the server, the pages and the tests:
 * types, and the `const` lists every other list of statuses and event types derives from.
 * No imports, so both sides can import it freely.
 */

/** What the user searches for: one business. Only `name` is required. */
export interface BusinessQuery {
  readonly name: string;
  readonly location?: string;
  readonly phone?: string;
  readonly website?: string;
}

/** Interactive searches are served before bulk ones at every site. */
export type SearchPriority = 'interactive' | 'bulk';

/** The statuses of a whole search, in lifecycle order. */
export const SEARCH_STATUSES = ['running', 'completed', 'cancelled', 'interrupted'] as const;

/** Lifecycle of a whole search. */
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

/**
 * The statuses of a site job: `pending` (in the dispatcher's buffer) → `scheduled` (handed to the
 * site's queue) → `running` (request in flight) → `retrying` (waiting out a backoff) → one of the
 * terminal states.
 */
export const SITE_JOB_STATUSES = ['pending', 'scheduled', 'running', 'retrying', 'done', 'failed', 'cancelled', 'skipped'] as const;

/** Lifecycle of one site job (see {@link SITE_JOB_STATUSES}). */
export type SiteJobStatus = (typeof SITE_JOB_STATUSES)[number];

/** The statuses after which a site job never changes again. */
export const TERMINAL_JOB_STATUSES = ['done', 'failed', 'cancelled', 'skipped'] as const satisfies readonly SiteJobStatus[];

/** A status after which a site job never changes again. */
export type TerminalJobStatus = (typeof TERMINAL_JOB_STATUSES)[number];

/** Whether a site job's status is final. */
export function isTerminalStatus(status: SiteJobStatus): status is TerminalJobStatus {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

/** Outcomes of a `done` job: accurate listing, listing with possible errors, or none. */
export const OUTCOMES = ['found', 'partial', 'not_found'] as const;

/** Outcome of a `done` job (see {@link OUTCOMES}). */
export type Outcome = (typeof OUTCOMES)[number];

/** Verdict on one NAP field of the listing against the query. */
export type FieldVerdict = 'match' | 'mismatch' | 'missing';

/** Fields the matcher compares. */
export type MatchField = 'name' | 'address' | 'phone' | 'website';

/** A business as one site lists it. Every field is site data: untrusted, render as text. */
export interface Listing {
  readonly name: string;
  readonly address?: string;
  readonly phone?: string;
  readonly website?: string;
  /** Link to the listing on the site. */
  readonly url?: string;
}

/** Counts over a search's site jobs, kept up to date as events arrive. */
export interface SearchSummary {
  readonly total: number;
  readonly found: number;
  readonly partial: number;
  readonly notFound: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: number;
  /** Jobs not yet terminal. */
  readonly open: number;
}

/** One search as stored and served by `GET /api/searches/:id`. */
export interface Search {
  readonly id: string;
  readonly query: BusinessQuery;
  readonly priority: SearchPriority;
  readonly status: SearchStatus;
  /** ms since epoch */
  readonly createdAt: number;
  readonly completedAt?: number;
  /** When open jobs are failed with reason `deadline` (ms since epoch). */
  readonly deadlineAt: number;
  readonly summary: SearchSummary;
}

/** One site job's result, as stored and served. */
export interface SiteResult {
  readonly siteId: string;
  readonly siteName: string;
  /** Served by the sandbox network: simulated, never to be mistaken for a real result. */
  readonly sandbox: boolean;
  readonly status: SiteJobStatus;
  readonly outcome?: Outcome;
  readonly attempts: number;
  readonly latencyMs?: number;
  readonly error?: string;
  readonly listing?: Listing;
  readonly fields?: Partial<Record<MatchField, FieldVerdict>>;
}

/** Event types, shown as `site:type` for site events (`brownbook.net:scheduled`). */
export const SEARCH_EVENT_TYPES = [
  'search:created',
  'site:scheduled',
  'site:started',
  'site:retrying',
  'site:rate_limited',
  'site:hedged',
  'site:done',
  'site:failed',
  'site:cancelled',
  'site:skipped',
  'search:completed',
  'search:cancelled',
  'search:interrupted',
] as const;

/** One kind of state change (see {@link SEARCH_EVENT_TYPES}). */
export type SearchEventType = (typeof SEARCH_EVENT_TYPES)[number];

/** The event types about one site job; each carries the `siteId`. */
export type SiteEventType = Extract<SearchEventType, `site:${string}`>;

/** The event types that end a site job. */
export const SITE_END_EVENT_TYPES = ['site:done', 'site:failed', 'site:cancelled', 'site:skipped'] as const satisfies readonly SiteEventType[];

/** An event type that ends a site job. */
export type SiteEndEventType = (typeof SITE_END_EVENT_TYPES)[number];

/** Whether an event ends its site job. */
export function isSiteEndEvent(event: { readonly type: SearchEventType }): event is { readonly type: SiteEndEventType } {
  return (SITE_END_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The event types that end a search. */
export const SEARCH_END_EVENT_TYPES = ['search:completed', 'search:cancelled', 'search:interrupted'] as const;

/** An event type that ends a search. */
export type SearchEndEventType = (typeof SEARCH_END_EVENT_TYPES)[number];

/** Whether an event ends its search. */
export function isSearchEndEvent(event: { readonly type: SearchEventType }): event is { readonly type: SearchEndEventType } {
  return (SEARCH_END_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** `site:retrying` and `site:rate_limited`: the failed attempt and the wait before the next. */
export interface RetryEventData {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/**
 * `site:hedged`: the attempt's request ran past the site's usual latency, so a second copy went
 * out through the same limits; whichever answers first is kept and the other is aborted.
 */
export interface HedgeEventData {
  readonly attempt: number;
  /** How long the first request had run when the copy was sent: the site's hedge delay then. */
  readonly delayMs: number;
}

/** What a search-ending event carries: the counts at its end. */
export interface SearchEndEventData {
  readonly summary?: SearchSummary;
}

/**
 * What each event type carries; the reducer in `search-state.ts` is the one place that reads
 * them into state. `undefined`: the event carries nothing.
 */
export interface SearchEventDataMap {
  readonly 'search:created': { readonly search: Search; readonly results: readonly SiteResult[] };
  readonly 'site:scheduled': undefined;
  /** `reason: "coalesced"`: the job rides on an identical request already in flight. */
  readonly 'site:started': { readonly attempt: number; readonly reason?: 'coalesced' };
  readonly 'site:retrying': RetryEventData;
  readonly 'site:rate_limited': RetryEventData;
  readonly 'site:hedged': HedgeEventData;
  readonly 'site:done': {
    readonly attempt: number;
    readonly latencyMs: number;
    readonly outcome: Outcome;
    readonly score: number;
    /** The answer came from the cache or from another job's request. */
    readonly reason?: 'cache' | 'coalesced';
    readonly listing?: Listing;
    readonly fields?: Partial<Record<MatchField, FieldVerdict>>;
  };
  /** `attempt` 0: the job failed before any attempt (its site paused past the deadline). */
  readonly 'site:failed': { readonly attempt: number; readonly latencyMs?: number; readonly reason: string };
  readonly 'site:cancelled': { readonly attempt: number };
  readonly 'site:skipped': { readonly attempt?: number; readonly reason: string };
  readonly 'search:completed': SearchEndEventData;
  readonly 'search:cancelled': SearchEndEventData;
  readonly 'search:interrupted': SearchEndEventData;
}

/** An event of type `T` (or of each type of a union) as emitted, before the log numbers and stamps it. */
export type SearchEventDraftOf<T extends SearchEventType> = T extends SearchEventType
  ? { readonly type: T } & (T extends SiteEventType ? { readonly siteId: string } : { readonly siteId?: undefined }) &
      (SearchEventDataMap[T] extends undefined ? { readonly data?: undefined } : { readonly data: SearchEventDataMap[T] })
  : never;

/** Any event as emitted: `{type, siteId?, data?}`, each type with its own fields, checked at compile time. */
export type SearchEventDraft = SearchEventDraftOf<SearchEventType>;

/** One state change in a search's log. `seq` runs 1, 2, 3 … per search with no gaps. */
export type SearchEvent = SearchEventDraft & {
  readonly seq: number;
  /** ms since epoch */
  readonly at: number;
};

/** An event of type `T` (or of each type of a union) in a search's log. */
export type SearchEventOf<T extends SearchEventType> = SearchEventDraftOf<T> & { readonly seq: number; readonly at: number };

/** A search with its site results and event log: the whole result page. */
export interface SearchSnapshot {
  readonly search: Search;
  readonly results: readonly SiteResult[];
  readonly events: readonly SearchEvent[];
}

/** One line of the history list. */
export interface SearchListItem {
  readonly id: string;
  readonly query: BusinessQuery;
  readonly status: SearchStatus;
  readonly createdAt: number;
  readonly completedAt?: number;
  readonly summary: SearchSummary;
}

/** A search of a bulk run, as `GET /api/bulk/:id` reports it. */
export interface BulkRunSearch {
  /** The row's line in the uploaded file. */
  readonly line: number;
  readonly id: string;
  readonly name: string;
  readonly status: SearchStatus;
  readonly summary?: SearchSummary;
}

/** A bulk run: `GET /api/bulk/:id`. `running` while any of its searches is. */
export interface BulkRunView {
  readonly id: string;
  readonly createdAt: number;
  /** The uploaded file's name, when the upload gave one. */
  readonly name?: string;
  readonly status: 'running' | 'completed';
  readonly searches: readonly BulkRunSearch[];
  /** Rows that were not started, and why. */
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** State of a site's circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Live figures of one site, as `GET /api/sites` and the `sites:stats` socket event report them. */
export interface SiteLiveStats {
  readonly siteId: string;
  /** Jobs waiting in the dispatcher for this site. */
  readonly buffered: number;
  /** Jobs handed to the site's queue, waiting for its rate window. */
  readonly queued: number;
  /** Requests in flight. */
  readonly inFlight: number;
  /** Requests started in the last 10 s, per second. */
  readonly requestsPerSec: number;
  /** The configured limit, per second. */
  readonly limitPerSec: number;
  /** The limit sitescan currently keeps after push-back (≤ limitPerSec). */
  readonly adaptiveLimitPerSec: number;
  /**
   * Latency percentiles of the site's answers, from its latency model (a streaming sketch of the
   * last few hundred answers); absent until the model has enough samples.
   */
  readonly latencyP50Ms?: number;
  readonly latencyP95Ms?: number;
  readonly latencyP99Ms?: number;
  /** Time allowed to an attempt now: from the model, or the definition's `timeoutMs` before it. */
  readonly attemptTimeoutMs: number;
  /** After how long a request gets a hedge now; absent when the site is not hedged (yet). */
  readonly hedgeDelayMs?: number;
  /** Hedges sent since start, and how many of them answered first. */
  readonly hedges: number;
  readonly hedgeWins: number;
  /** Hedges as a share of all requests sent since start, 0–1. */
  readonly hedgeShare: number;
  /** Requests past the hedge delay that got no hedge, by reason (budget spent, no free slot …). */
  readonly hedgesDeclined: Readonly<Record<string, number>>;
  /** Failed attempts / attempts over the last 200 attempts, 0–1. */
  readonly errorRate: number;
  /** Attempts since start. */
  readonly attempts: number;
  readonly circuit: CircuitState;
  /** The site asked us to wait until this time (ms since epoch). */
  readonly pausedUntil?: number;
  readonly lastError?: { readonly at: number; readonly message: string };
}

/** One site of the registry, as `GET /api/sites` lists it. */
export interface SiteInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly sandbox: boolean;
  readonly limits: { readonly concurrency: number; readonly requests: number; readonly perMs: number };
  readonly timeoutMs: number;
  readonly retries: number;
  /** Whether a slow request may get a hedge: the definition's `hedge`, hedging on, and a scheduler that lends slots. */
  readonly hedge: boolean;
  /** `skipped` when the site cannot be searched (e.g. an API without a key). */
  readonly status: 'active' | 'skipped';
  readonly reason?: string;
  readonly stats?: SiteLiveStats;
}

/** A node of a cluster that is alive: its id, its last heartbeat (ms since epoch), what it announced (its URL). */
export interface ClusterNode {
  readonly id: string;
  readonly lastSeen: number;
  readonly info: Readonly<Record<string, string>>;
}

/** Redis and the nodes as one node of a cluster sees them (`/api/health`, `/api/sites`, `/sites`). */
export interface ClusterHealth {
  /** The node that answered. */
  readonly node: string;
  readonly redis: 'ok' | 'unreachable';
  readonly nodes: readonly ClusterNode[];
}
