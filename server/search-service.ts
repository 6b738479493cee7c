/**
 * What route handlers and the hub ask of sitescan about searches: start one, read one (live or
 * stored), cancel one, list the history. Live state comes from where the runner keeps it (the
 * event log in one process, Redis in a cluster), finished searches from the store.
 */
import type { BusinessQuery, SearchEvent, SearchSnapshot } from '../lib/types';
import { ConflictError, NotFoundError } from './errors';
import type { LiveSearches, SearchRunner, SubmitOptions } from './search-runner';
import type { ListSearchesOptions, SearchPage, Store } from './store/store';

/** Options of the search service. */
export interface SearchServiceOptions {
  readonly runner: SearchRunner;
  readonly live: LiveSearches;
  readonly store: Store;
}

/** A search just started: its id and the path of its result page (the share link). */
export interface CreatedSearch {
  readonly id: string;
  readonly url: string;
}

/** Searches: create, read, cancel, list. */
export class SearchService {
  private readonly runner: SearchRunner;
  private readonly live: LiveSearches;
  private readonly store: Store;
  private readonly waiters = new Map<string, ((snapshot: SearchSnapshot) => void)[]>();
  private stopWaiting?: () => void;

  constructor(options: SearchServiceOptions) {
    this.runner = options.runner;
    this.live = options.live;
    this.store = options.store;
  }

  /** Starts a search. Throws `ValidationError` (unknown sites), `OverloadedError` or `UnavailableError`. */
  async create(query: BusinessQuery, options: SubmitOptions = {}): Promise<CreatedSearch> {
    const search = await this.runner.submit(query, options);
    return { id: search.id, url: `/s/${search.id}` };
  }

  /** A search with its results and events; throws `NotFoundError` for an unknown id. */
  async get(id: string): Promise<SearchSnapshot> {
    const snapshot = (await this.live.snapshot(id)) ?? (await this.store.getSearch(id));
    if (!snapshot) throw new NotFoundError(`no search with id ${id}`);
    return snapshot;
  }

  /** Whether a search exists, live or stored. */
  async exists(id: string): Promise<boolean> {
    return (await this.live.snapshot(id)) !== undefined || (await this.store.getSearch(id)) !== undefined;
  }

  /** A search's events after `afterSeq`; live ones from where they run, others from the store. */
  async eventsAfter(id: string, afterSeq: number): Promise<readonly SearchEvent[]> {
    return (await this.live.eventsAfter(id, afterSeq)) ?? (await this.store.eventsAfter(id, afterSeq));
  }

  /** Resolves with a search's final state once it has ended (at once if it already has). */
  async whenEnded(id: string): Promise<SearchSnapshot> {
    const ended = new Promise<SearchSnapshot>((resolve) => {
      const waiting = this.waiters.get(id);
      if (waiting) waiting.push(resolve);
      else this.waiters.set(id, [resolve]);
      // One listener for every waiter, looked up by id: a listener per waiter would make each
      // end cost O(waiters) (a bulk run waits on hundreds of searches).
      this.stopWaiting ??= this.live.onSearchEnded((searchId) => void this.wake(searchId));
    });
    // Listening before reading: an end between the two is heard, not missed.
    let current: SearchSnapshot;
    try {
      current = await this.get(id);
    } catch (error) {
      this.waiters.delete(id);
      throw error;
    }
    if (current.search.status !== 'running') void this.wake(id, current);
    return ended;
  }

  private async wake(searchId: string, known?: SearchSnapshot): Promise<void> {
    const waiting = this.waiters.get(searchId);
    if (!waiting) return;
    this.waiters.delete(searchId);
    if (this.waiters.size === 0) {
      this.stopWaiting?.();
      this.stopWaiting = undefined;
    }
    const snapshot = known ?? (await this.get(searchId));
    for (const resolve of waiting) resolve(snapshot);
  }

  /** Cancels a running search. Throws `NotFoundError`, or `ConflictError` when it already ended. */
  async cancel(id: string): Promise<void> {
    if (await this.runner.cancel(id)) return;
    const snapshot = await this.get(id);
    throw new ConflictError(`search ${id} is ${snapshot.search.status}; only a running search can be cancelled`);
  }

  /** History, newest first. */
  list(options: ListSearchesOptions): Promise<SearchPage> {
    return this.store.listSearches(options);
  }
}
