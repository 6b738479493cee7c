/**
 * What route handlers and the hub ask of sitescan about searches: start one, read one (live or
 * stored), cancel one, list the history. Live state comes from where the runner keeps it (the
 * event log in one process, Redis in a cluster), finished searches from the store.
 *
 * Who may cancel is decided here (`http/ownership.ts`): the holder of the search's capability,
 * which `create` hands out; and how much of the dispatcher one client may hold (`client-share.ts`).
 * Whose history is whose too (`http/history-key.ts`): `create` records the search under its
 * creator's history key, and with `historyScope: 'owner'` a client lists only its own.
 */
import type { BulkRow } from '../lib/bulk-csv';
import { summarizePreviousScan, type PreviousScanSummary } from '../lib/scan-changes';
import type { BulkRunSearch, BulkRunView, BusinessQuery, Search, SearchEvent, SearchListItem, SearchSnapshot } from '../lib/types';
import { ClientShare } from './client-share';
import { ConflictError, ForbiddenError, NotFoundError } from './errors';
import { ownerOfKey } from './http/history-key';
import { authorizeChange, SearchCapabilities, type ChangeRequest } from './http/ownership';
import { logger } from './logger';
import type { LiveSearches, SearchRunner, SubmitOptions } from './search-runner';
import { scanKeyOf } from './store/scan-key';
import type { BulkRunRecord, ListSearchesOptions, SearchPage, Store } from './store/store';

/** Options of the search service. */
export interface SearchServiceOptions {
  readonly runner: SearchRunner;
  readonly live: LiveSearches;
  readonly store: Store;
  /** Capabilities of searches. Default: a random secret of this process. */
  readonly capabilities?: SearchCapabilities;
  /**
   * Whether a cancel that carries no capability is accepted from the address that created the
   * search (a team's instance, `OWNERSHIP=address`). Default true.
   */
  readonly addressFallback?: boolean;
  /** Most site jobs one client may hold. Default: no limit. */
  readonly maxClientJobs?: number;
  /** `all` (default): everyone lists every search. `owner`: a client lists the searches of its history key. */
  readonly historyScope?: 'all' | 'owner';
}

/** Who starts a search, and how. */
export interface CreateOptions extends SubmitOptions {
  /** The client address, for its share of the dispatcher and the address fallback. */
  readonly client?: string;
  /** The creator's history key (`http/history-key.ts`): the search is recorded under it. */
  readonly historyKey?: string;
}

/** A search just started: its id, the path of its result page (the share link), its capability. */
export interface CreatedSearch {
  readonly id: string;
  readonly url: string;
  /** The owner capability: whoever holds it may cancel the search. Never part of the share link. */
  readonly cancelToken: string;
}

/** A page of the searches of one bulk run, as the history filtered by that run lists them. */
export interface BulkRunHistoryPage {
  readonly run: Pick<BulkRunView, 'id' | 'createdAt' | 'name'>;
  /** The run's searches from `offset`, in the run's order (by line). */
  readonly items: readonly SearchListItem[];
  /** How many searches the run has. */
  readonly total: number;
  readonly offset: number;
}

/** Searches: create, read, cancel, list. */
export class SearchService {
  private readonly runner: SearchRunner;
  private readonly live: LiveSearches;
  private readonly store: Store;
  private readonly waiters = new Map<string, ((snapshot: SearchSnapshot) => void)[]>();
  private stopWaiting?: () => void;
  readonly capabilities: SearchCapabilities;
  private readonly addressFallback: boolean;
  private readonly share: ClientShare;
  readonly historyScope: 'all' | 'owner';
  private readonly log = logger.child({ module: 'search-service' });
  private readonly createdListeners = new Set<(searchId: string, owner: string | undefined) => void>();

  constructor(options: SearchServiceOptions) {
    this.runner = options.runner;
    this.live = options.live;
    this.store = options.store;
    this.capabilities = options.capabilities ?? new SearchCapabilities();
    this.addressFallback = options.addressFallback ?? true;
    this.share = new ClientShare(options.maxClientJobs ?? Number.MAX_SAFE_INTEGER);
    this.historyScope = options.historyScope ?? 'all';
    this.live.onSearchEnded((searchId) => this.share.release(searchId));
  }

  /**
   * Starts a search. Throws `ValidationError` (unknown sites), `OverloadedError` (the dispatcher,
   * or the client's share of it, is full) or `UnavailableError`.
   */
  async create(query: BusinessQuery, options: CreateOptions = {}): Promise<CreatedSearch> {
    const { client, historyKey, ...submit } = options;
    if (client !== undefined) this.share.check(client);
    const search = await this.runner.submit(query, submit);
    this.announceCreated(search.id, historyKey === undefined ? undefined : ownerOfKey(historyKey));
    if (client !== undefined) {
      this.share.hold(search.id, client, search.summary.total);
      // A search whose every site was skipped has ended already; its end was heard before `hold`.
      const now = await this.live.snapshot(search.id);
      if (now?.search.status !== 'running') this.share.release(search.id);
    }
    if (historyKey !== undefined) await this.recordOwner(search.id, historyKey, search.createdAt);
    return { id: search.id, url: `/s/${search.id}`, cancelToken: this.capabilities.tokenFor(search.id) };
  }

  /**
   * Calls `listener` with each search this process starts and the owner it is recorded under
   * (the digest of its creator's history key; undefined without one), right after it started.
   * Returns a function that stops it. The hub places the search in its owner's recent list.
   */
  onCreated(listener: (searchId: string, owner: string | undefined) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  private announceCreated(searchId: string, owner: string | undefined): void {
    for (const listener of this.createdListeners) {
      try {
        listener(searchId, owner);
      } catch (error) {
        // The search runs either way; a listener's fault is its own and is logged with the search.
        this.log.error({ err: error, searchId }, 'a listener of new searches threw');
      }
    }
  }

  /** Site jobs a client holds now (its running searches), against its share. */
  clientHolding(client: string): number {
    return this.share.holding(client);
  }

  /** Whether `token` is the capability of the search (the result page offers Cancel to its owner). */
  isOwner(id: string, token: string | undefined): boolean {
    return token !== undefined && this.capabilities.verify(id, token);
  }

  /** A search with its results and events; throws `NotFoundError` for an unknown id. */
  async get(id: string): Promise<SearchSnapshot> {
    const snapshot = (await this.live.snapshot(id)) ?? (await this.store.getSearch(id));
    if (!snapshot) throw new NotFoundError(`no search with id ${id}`);
    return snapshot;
  }

  /**
   * The last completed scan of the same business before `search` (`Store.previousScan`); with
   * `historyScope: 'owner'`, only among the searches of the same owner, so a shared link never
   * shows another client's scan. Undefined when there is none or the store cannot say now (logged):
   * a comparison is never worth failing the result page for.
   */
  async previousScan(search: Search): Promise<PreviousScanSummary | undefined> {
    try {
      const previous = await this.store.previousScan({
        scanKey: scanKeyOf(search.query),
        before: search.createdAt,
        ...(this.historyScope === 'owner' ? { sameOwnerAs: search.id } : {}),
      });
      return previous && summarizePreviousScan(previous.search, previous.results);
    } catch (error) {
      this.log.warn({ err: error, searchId: search.id }, 'the previous scan could not be read; the result shows no changes');
      return undefined;
    }
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

  /**
   * Cancels a running search. Throws `NotFoundError`, `ForbiddenError` when `request` may not
   * change it (`http/ownership.ts`), or `ConflictError` when it already ended.
   */
  async cancel(id: string, request: ChangeRequest): Promise<void> {
    const before = await this.get(id);
    // An ended search changes for nobody: say so (its status is public) rather than who owns it.
    if (before.search.status === 'running') {
      authorizeChange(id, request, { capabilities: this.capabilities, creator: this.share.creatorOf(id), addressFallback: this.addressFallback });
      if (await this.runner.cancel(id)) return;
    }
    const snapshot = before.search.status === 'running' ? await this.get(id) : before;
    throw new ConflictError(`search ${id} is ${snapshot.search.status}; only a running search can be cancelled`);
  }

  /**
   * History, newest first. With `historyScope: 'owner'`, only the searches recorded under
   * `historyKey` — none without one.
   */
  async list(options: Omit<ListSearchesOptions, 'owner'>, historyKey?: string): Promise<SearchPage> {
    if (this.historyScope === 'all') return this.store.listSearches(options);
    if (historyKey === undefined) return { items: [] };
    return this.store.listSearches({ ...options, owner: ownerOfKey(historyKey) });
  }

  /**
   * Records a bulk run: the search each row started, and the rows that were not started. Throws
   * what the store threw: a run it could not take has no page, and the caller must say so.
   */
  async recordBulkRun(run: BulkRunRecord): Promise<void> {
    await this.store.write({ bulkRuns: [run] });
  }

  /**
   * A bulk run with where each of its searches stands now: live state first (the store lags a
   * running search by a flush), then the store's. Throws `NotFoundError` for an unknown id.
   */
  async bulkRun(id: string): Promise<BulkRunView> {
    const state = await this.store.getBulkRun(id);
    if (!state) throw new NotFoundError(`no bulk run with id ${id}`);
    const { run } = state;
    // One read for every search where live state is remote (a cluster's Redis), else one each.
    const states = await this.live.states?.(run.searches.map(({ searchId }) => searchId));
    const searches = await Promise.all(
      run.searches.map(async ({ line, searchId, name }): Promise<BulkRunSearch> => {
        const live = states ? states.get(searchId) : (await this.live.snapshot(searchId))?.search;
        const now = live ? { status: live.status, summary: live.summary } : state.searches.get(searchId);
        // Not stored yet: its first batch is still on its way, so it has only just started.
        return { line, id: searchId, name, status: now?.status ?? 'running', ...(now ? { summary: now.summary } : {}) };
      }),
    );
    return {
      id: run.id,
      createdAt: run.createdAt,
      ...(run.name === undefined ? {} : { name: run.name }),
      status: searches.some((search) => search.status === 'running') ? 'running' : 'completed',
      searches,
      errors: run.errors,
    };
  }

  /** A bulk run as it was recorded. Throws `NotFoundError` for an unknown id. */
  async bulkRunRecord(id: string): Promise<BulkRunRecord> {
    const state = await this.store.getBulkRun(id);
    if (!state) throw new NotFoundError(`no bulk run with id ${id}`);
    return state.run;
  }

  /**
   * The rows of a bulk run that started a search, each with its line and whole query, in the run's
   * order: what starting the run again starts. A run recorded before its queries were kept reads
   * each from its search (the name alone when that search is gone). Throws `NotFoundError`.
   */
  async bulkRunRows(id: string): Promise<{ readonly run: BulkRunRecord; readonly rows: readonly BulkRow[] }> {
    const run = await this.bulkRunRecord(id);
    const rows = await Promise.all(
      run.searches.map(async ({ line, searchId, name, query }): Promise<BulkRow> => {
        if (query) return { line, query };
        const stored = await this.get(searchId).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
        return { line, query: stored?.search.query ?? { name } };
      }),
    );
    return { run, rows };
  }

  /**
   * A page of a bulk run's searches for the history filtered by that run. With
   * `historyScope: 'owner'` only the run's starter lists them (the history key its searches were
   * recorded under): anyone else gets `ForbiddenError`, as the run's searches are not in their
   * history — the run's page, a share link, still shows them. A search neither live nor stored
   * (it cannot be read anywhere) is left out. Throws `NotFoundError` for an unknown id.
   */
  async bulkRunHistory(id: string, page: { readonly offset: number; readonly limit: number }, historyKey?: string): Promise<BulkRunHistoryPage> {
    const run = await this.bulkRunRecord(id);
    if (this.historyScope === 'owner' && (historyKey === undefined || run.owner !== ownerOfKey(historyKey))) {
      throw new ForbiddenError('this bulk run was not started from this browser, so its searches are not in your history; its page lists them');
    }
    const rows = [...run.searches].sort((a, b) => a.line - b.line).slice(page.offset, page.offset + page.limit);
    const snapshots = await Promise.all(
      rows.map(({ searchId }) =>
        this.get(searchId).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }),
      ),
    );
    const items = snapshots.flatMap((snapshot): SearchListItem[] => {
      if (!snapshot) return [];
      const { id: searchId, query, status, createdAt, completedAt, summary } = snapshot.search;
      return [{ id: searchId, query, status, createdAt, ...(completedAt === undefined ? {} : { completedAt }), summary }];
    });
    return {
      run: { id: run.id, createdAt: run.createdAt, ...(run.name === undefined ? {} : { name: run.name }) },
      items,
      total: run.searches.length,
      offset: page.offset,
    };
  }

  /**
   * Records who started a search. The search runs either way: a store that cannot take the record
   * leaves it out of its owner's scoped history, which is logged, not an error for the request.
   */
  private async recordOwner(searchId: string, historyKey: string, createdAt: number): Promise<void> {
    try {
      await this.store.write({ owners: [{ searchId, owner: ownerOfKey(historyKey), createdAt }] });
    } catch (error) {
      this.log.error({ err: error, searchId }, 'the owner of a search could not be recorded; it is missing from its owner\'s history');
    }
  }
}
