/**
 * What the rest of sitescan asks of whatever runs searches: the one-process pipeline
 * (`pipeline/pipeline.ts`) or a node of a cluster (`cluster/cluster-pipeline.ts`). Route
 * handlers, the hub, the metrics and the search service see only these two seams.
 */
import type { BusinessQuery, Search, SearchEvent, SearchPriority, SearchSnapshot, SearchStatus, SearchSummary, SiteInfo, SiteLiveStats } from '../lib/types';

/** Options of one search. */
export interface SubmitOptions {
  /** Restrict the search to these site ids. Default: every site. */
  readonly sites?: readonly string[];
  readonly priority?: SearchPriority;
}

/** Searches running and site jobs waiting, as the health report and the metrics show them. */
export interface RunnerLoad {
  readonly runningSearches: number;
  readonly bufferedJobs: number;
}

/** Starts, cancels and reports on searches. */
export interface SearchRunner {
  /**
   * Admits a search and starts it. Throws `ValidationError` (unknown site ids),
   * `OverloadedError` (no room) or `UnavailableError` (shutting down, or a cluster without Redis).
   */
  submit(query: BusinessQuery, options?: SubmitOptions): Search | Promise<Search>;
  /** Cancels a running search; false when it is not running. */
  cancel(searchId: string): boolean | Promise<boolean>;
  /** Live figures of one site, or undefined for a site that is not run. */
  siteStats(siteId: string): SiteLiveStats | undefined;
  /** Every registered site with its limits and live figures. */
  sites(): SiteInfo[];
  load(): RunnerLoad;
  /** Stops taking searches, lets what is in flight finish for at most `drainMs`, then stops. */
  close(drainMs?: number): Promise<void>;
}

/** Where a running search's state is read, and where its end is heard. */
export interface LiveSearches {
  /** The search as it is now, or undefined when it is not live (any more). */
  snapshot(searchId: string): SearchSnapshot | undefined | Promise<SearchSnapshot | undefined>;
  /** The search's events after `afterSeq`, or undefined when it is not live. */
  eventsAfter(searchId: string, afterSeq: number): readonly SearchEvent[] | undefined | Promise<readonly SearchEvent[] | undefined>;
  /** Calls `listener` with the id of each search that ends; returns a function that stops it. */
  onSearchEnded(listener: (searchId: string) => void): () => void;
  /**
   * Where many live searches stand (status and summary), by id, in one read; a search not live is
   * absent. Absent where `snapshot` is as cheap (in process); a cluster reads Redis once for all.
   */
  states?(searchIds: readonly string[]): Promise<ReadonlyMap<string, { readonly status: SearchStatus; readonly summary: SearchSummary }>>;
}
