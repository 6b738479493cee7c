/**
 * What route handlers and the hub ask of sitescan about searches: start one, read one (live or
 * stored), cancel one, list the history. Live state comes from the event log, finished searches
 * from the store.
 */
import type { BusinessQuery, SearchEvent, SearchPriority, SearchSnapshot } from '../lib/types';
import { ConflictError, NotFoundError } from './errors';
import type { EventLog } from './pipeline/event-log';
import type { Pipeline } from './pipeline/pipeline';
import type { ListSearchesOptions, SearchPage, Store } from './store/store';

/** Options of the search service. */
export interface SearchServiceOptions {
  readonly pipeline: Pipeline;
  readonly eventLog: EventLog;
  readonly store: Store;
}

/** A search just started: its id and the path of its result page (the share link). */
export interface CreatedSearch {
  readonly id: string;
  readonly url: string;
}

/** Searches: create, read, cancel, list. */
export class SearchService {
  private readonly pipeline: Pipeline;
  private readonly eventLog: EventLog;
  private readonly store: Store;
  private readonly waiters = new Map<string, ((snapshot: SearchSnapshot) => void)[]>();
  private stopWaiting?: () => void;

  constructor(options: SearchServiceOptions) {
    this.pipeline = options.pipeline;
    this.eventLog = options.eventLog;
    this.store = options.store;
  }

  /** Starts a search. Throws `ValidationError` (unknown sites) or `OverloadedError`. */
  create(
    query: BusinessQuery,
    options: { sites?: readonly string[]; priority?: SearchPriority } = {},
  ): CreatedSearch {
    const search = this.pipeline.submit(query, options);
    return { id: search.id, url: `/s/${search.id}` };
  }

  /** A search with its results and events; throws `NotFoundError` for an unknown id. */
  async get(id: string): Promise<SearchSnapshot> {
    const snapshot = this.eventLog.snapshot(id) ?? (await this.store.getSearch(id));
    if (!snapshot) throw new NotFoundError(`no search with id ${id}`);
    return snapshot;
  }

  /** Whether a search exists, live or stored. */
  async exists(id: string): Promise<boolean> {
    return this.eventLog.search(id) !== undefined || (await this.store.getSearch(id)) !== undefined;
  }

  /** A search's events after `afterSeq`; live ones from memory, others from the store. */
  async eventsAfter(id: string, afterSeq: number): Promise<readonly SearchEvent[]> {
    return this.eventLog.eventsAfter(id, afterSeq) ?? (await this.store.eventsAfter(id, afterSeq));
  }

  /** Resolves with a search's final state once it has ended (at once if it already has). */
  async whenEnded(id: string): Promise<SearchSnapshot> {
    const current = await this.get(id);
    if (current.search.status !== 'running' && !this.pipeline.isRunning(id)) return current;
    return new Promise((resolve) => {
      const waiting = this.waiters.get(id);
      if (waiting) waiting.push(resolve);
      else this.waiters.set(id, [resolve]);
      // One listener for every waiter, looked up by id: a listener per waiter would make each
      // event cost O(waiters) (a bulk run waits on hundreds of searches).
      this.stopWaiting ??= this.eventLog.onEvent((searchId, event) => this.wake(searchId, event));
    });
  }

  private wake(searchId: string, event: SearchEvent): void {
    if (!event.type.startsWith('search:') || event.type === 'search:created') return;
    const waiting = this.waiters.get(searchId);
    if (!waiting || this.pipeline.isRunning(searchId)) return;
    const snapshot = this.eventLog.snapshot(searchId);
    if (!snapshot) return;
    this.waiters.delete(searchId);
    if (this.waiters.size === 0) {
      this.stopWaiting?.();
      this.stopWaiting = undefined;
    }
    for (const resolve of waiting) resolve(snapshot);
  }

  /** Cancels a running search. Throws `NotFoundError`, or `ConflictError` when it already ended. */
  async cancel(id: string): Promise<void> {
    if (this.pipeline.cancel(id)) return;
    const snapshot = await this.get(id);
    throw new ConflictError(`search ${id} is ${snapshot.search.status}; only a running search can be cancelled`);
  }

  /** History, newest first. */
  list(options: ListSearchesOptions): Promise<SearchPage> {
    return this.store.listSearches(options);
  }
}
