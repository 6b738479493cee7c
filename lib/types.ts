/**
 * The vocabulary of sitescan (see DESIGN.md), shared by the server, the pages and the tests.
 * Types only: no runtime code, so both sides can import it freely.
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

/** Lifecycle of a whole search. */
export type SearchStatus = 'running' | 'completed' | 'cancelled' | 'interrupted';

/**
 * Lifecycle of one site job: `pending` (in the dispatcher's buffer) → `scheduled` (handed to the
 * site's queue) → `running` (request in flight) → `retrying` (waiting out a backoff) → one of the
 * terminal states.
 */
export type SiteJobStatus =
  | 'pending'
  | 'scheduled'
  | 'running'
  | 'retrying'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** The statuses after which a site job never changes again. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<SiteJobStatus> = new Set([
  'done',
  'failed',
  'cancelled',
  'skipped',
]);

/** Outcome of a `done` job: accurate listing, listing with possible errors, or none. */
export type Outcome = 'found' | 'partial' | 'not_found';

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
export type SearchEventType =
  | 'search:created'
  | 'site:scheduled'
  | 'site:started'
  | 'site:retrying'
  | 'site:rate_limited'
  | 'site:done'
  | 'site:failed'
  | 'site:cancelled'
  | 'site:skipped'
  | 'search:completed'
  | 'search:cancelled'
  | 'search:interrupted';

/** One state change in a search's log. `seq` runs 1, 2, 3 … per search with no gaps. */
export interface SearchEvent {
  readonly seq: number;
  /** ms since epoch */
  readonly at: number;
  readonly type: SearchEventType;
  readonly siteId?: string;
  readonly data?: SearchEventData;
}

/**
 * What an event carries. Each event type uses a subset; the reducer in `search-state.ts` is the
 * one place that reads them.
 */
export interface SearchEventData {
  /** `search:created` */
  readonly search?: Search;
  readonly results?: readonly SiteResult[];
  /** `site:*` */
  readonly attempt?: number;
  readonly latencyMs?: number;
  readonly outcome?: Outcome;
  readonly listing?: Listing;
  readonly fields?: Partial<Record<MatchField, FieldVerdict>>;
  readonly score?: number;
  /** Why a job failed, was skipped or is retrying. */
  readonly reason?: string;
  /** `site:retrying`, `site:rate_limited`: how long until the next attempt. */
  readonly delayMs?: number;
  /** `search:completed` and friends */
  readonly summary?: SearchSummary;
}

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
  /** Attempt latency percentiles over the last 200 attempts. */
  readonly latencyP50Ms?: number;
  readonly latencyP95Ms?: number;
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
  /** `skipped` when the site cannot be searched (e.g. an API without a key). */
  readonly status: 'active' | 'skipped';
  readonly reason?: string;
  readonly stats?: SiteLiveStats;
}
