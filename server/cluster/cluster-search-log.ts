/**
 * The cluster's search log: each search's state and numbered events live in Redis, changed only
 * by atomic scripts (`search-log-scripts.ts`), so any node may record a job's transition and the
 * seqs stay 1, 2, 3 … with no gap and no repeat, whichever nodes run the jobs.
 *
 *   node A: create ─┐                       ┌─▶ the events it appended ─▶ A's listeners (hub → adapter)
 *   node B: record ─┼─▶ Redis script ─▶ s:<id>:log (seq n at n−1) ──┤
 *   node C: finish ─┘   (numbers, ends each job once,            ├─▶ persist stream ─▶ a persister ─▶ store
 *                        ends the search with its last job)      └─▶ search-ended ─▶ every node (aborts)
 *
 * Example: node B finishes yelp's job of search S with `site:done`; the script removes yelp from
 * S's open set, counts a `found`, appends the event as seq 14 and, yelp having been the last open
 * job, appends `search:completed` as seq 15, queues S for the store and publishes S's end. Node
 * C, which had been cancelling S, runs its end script a moment later: S is no longer running, so
 * nothing is appended.
 *
 * Invariants:
 * - A job ends in at most one terminal event and a search in exactly one end event, whatever
 *   nodes race to end them (each check and append is one script).
 * - Listeners hear the events this node appended, in the order Redis appended them; events other
 *   nodes append reach browsers through the Socket.IO adapter from those nodes.
 * - While a search is in Redis its log there is the truth; reads fall back to the store only
 *   once Redis has let it go (persisted, then expired).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { applyEventToResults, applyEventToSearch } from '../../lib/search-state';
import type {
  Search,
  SearchEvent,
  SearchEventDraft,
  SearchSnapshot,
  SearchStatus,
  SearchSummary,
  SiteResult,
} from '../../lib/types';
import type { SiteEndDraft, SiteProgressDraft } from '../pipeline/site-job-runner';
import type { ClusterSignals } from './cluster-signals';
import { CREATE_SCRIPT, END_SCRIPT, FINISH_SCRIPT, RECORD_SCRIPT, SEARCH_KEY_NAMES } from './search-log-scripts';

/** How long a search's keys live: a running one at most this long after its creation, ms. */
export const RUNNING_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an ended search's keys live if the store never takes it (the persister deletes them sooner). */
export const ENDED_TTL_MS = 24 * 60 * 60 * 1000;

/** Why a search ends from outside its jobs. */
export type SearchEnd = 'deadline' | 'cancel' | 'shutdown';

/** Receives each event this node appended. */
export type ClusterEventListener = (searchId: string, event: SearchEvent) => void;

/** Options of the cluster search log. */
export interface ClusterSearchLogOptions {
  /** The node's command connection. */
  readonly redis: Redis;
  readonly signals: ClusterSignals;
  readonly logger: Logger;
  /** Prefix of every key. Default `sitescan:`. */
  readonly keyPrefix?: string;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/** Where a search stands: its status and summary. */
export interface SearchState {
  readonly status: SearchStatus;
  readonly summary: SearchSummary;
}

/** The summary's counters in a search's hash (`open` is the size of its open set). */
const COUNTED_FIELDS = ['total', 'found', 'partial', 'notFound', 'failed', 'skipped', 'cancelled'] as const satisfies readonly (keyof SearchSummary)[];

/** The summary field a job's end counts in. */
function summaryField(draft: SiteEndDraft): keyof Omit<SearchSummary, 'total' | 'open'> {
  switch (draft.type) {
    case 'site:done':
      return draft.data.outcome === 'found' ? 'found' : draft.data.outcome === 'partial' ? 'partial' : 'notFound';
    case 'site:failed':
      return 'failed';
    case 'site:skipped':
      return 'skipped';
    case 'site:cancelled':
      return 'cancelled';
  }
}

/** The JSON of a draft without its opening brace: the scripts put `seq` and `at` in front. */
function tailOf(draft: SearchEventDraft): string {
  return JSON.stringify(draft).slice(1);
}

/** Searches' state and events on Redis, shared by every node. */
export class ClusterSearchLog {
  private readonly redis: Redis;
  private readonly signals: ClusterSignals;
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly listeners = new Set<ClusterEventListener>();
  private readonly scripts: Record<'create' | 'record' | 'finish' | 'end', ScriptCommand>;

  constructor(options: ClusterSearchLogOptions) {
    this.redis = options.redis;
    this.signals = options.signals;
    this.logger = options.logger.child({ module: 'cluster-search-log' });
    this.prefix = options.keyPrefix ?? 'sitescan:';
    const define = (name: string, lua: string): ScriptCommand => {
      const command = `sitescan_search_${name}`;
      if (!(command in this.redis)) this.redis.defineCommand(command, { numberOfKeys: SEARCH_KEY_NAMES.length, lua });
      const bound = (this.redis as unknown as Record<string, ScriptCommand>)[command]!;
      return bound.bind(this.redis);
    };
    this.scripts = {
      create: define('create', CREATE_SCRIPT),
      record: define('record', RECORD_SCRIPT),
      finish: define('finish', FINISH_SCRIPT),
      end: define('end', END_SCRIPT),
    };
  }

  /** The channel on which every node hears of each search's end. */
  get endedChannel(): string {
    return `${this.prefix}search-ended`;
  }

  /** The stream of ended (and new) searches the store has to take. */
  get persistStream(): string {
    return `${this.prefix}persist`;
  }

  /** The set of running search ids. */
  get runningSet(): string {
    return `${this.prefix}running`;
  }

  private keys(searchId: string): string[] {
    const base = `${this.prefix}s:${searchId}`;
    return [base, `${base}:sites`, `${base}:open`, `${base}:jobs`, `${base}:log`, this.runningSet, this.persistStream];
  }

  /** Adds a listener of the events this node appends; returns a function that removes it. */
  onEvent(listener: ClusterEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with the id of every search that ends, on any node. Resolves once subscribed. */
  onSearchEnded(listener: (searchId: string) => void): Promise<() => void> {
    return this.signals.subscribe(this.endedChannel, listener);
  }

  private appended(searchId: string, json: unknown): void {
    if (typeof json !== 'string') return;
    const event = JSON.parse(json) as SearchEvent;
    for (const listener of this.listeners) {
      try {
        listener(searchId, event);
      } catch (error) {
        this.logger.error({ err: error, searchId, seq: event.seq }, 'event listener threw');
      }
    }
  }

  /** Creates a search with `search:created` (seq 1); every site's job open. */
  async create(search: Search, results: readonly SiteResult[]): Promise<void> {
    const tail = tailOf({ type: 'search:created', data: { search, results } });
    const json = await this.scripts.create(
      ...this.keys(search.id),
      search.id,
      results.length,
      RUNNING_TTL_MS,
      tail,
      ...results.map((result) => result.siteId),
    );
    if (json === null) throw new Error(`search ${search.id} already exists in Redis`);
    this.appended(search.id, json);
  }

  /** Records a transition of an open job; dropped when the search or the job has ended. */
  async record(searchId: string, draft: SiteProgressDraft): Promise<void> {
    const attempt = draft.type === 'site:started' ? draft.data.attempt : 0;
    const json = await this.scripts.record(...this.keys(searchId), draft.siteId, tailOf(draft), attempt);
    this.appended(searchId, json);
  }

  /** Ends an open job, and the search when it was its last. Resolves with what was appended. */
  async finish(searchId: string, draft: SiteEndDraft): Promise<readonly SearchEvent[]> {
    const out = (await this.scripts.finish(
      ...this.keys(searchId),
      draft.siteId,
      tailOf(draft),
      summaryField(draft),
      searchId,
      this.endedChannel,
      ENDED_TTL_MS,
    )) as string[];
    for (const json of out) this.appended(searchId, json);
    return out.map((json) => JSON.parse(json) as SearchEvent);
  }

  /** Ends a running search from outside its jobs. Resolves with what was appended (none if it had ended). */
  async end(searchId: string, why: SearchEnd): Promise<readonly SearchEvent[]> {
    const out = (await this.scripts.end(...this.keys(searchId), why, searchId, this.endedChannel, ENDED_TTL_MS)) as string[];
    for (const json of out) this.appended(searchId, json);
    if (out.length > 0) this.logger.info({ searchId, why }, 'search ended before all sites answered');
    return out.map((json) => JSON.parse(json) as SearchEvent);
  }

  /** Whether a search is running, as Redis has it. */
  async isRunning(searchId: string): Promise<boolean> {
    return (await this.redis.hget(this.keys(searchId)[0]!, 'status')) === 'running';
  }

  /** Whether a site's job of a search is still open. */
  async isJobOpen(searchId: string, siteId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys(searchId)[2]!, siteId)) === 1;
  }

  /** The ids of the searches running now, cluster-wide. */
  async runningIds(): Promise<string[]> {
    return this.redis.smembers(this.runningSet);
  }

  /** A search's events after `afterSeq`, or undefined when Redis no longer has it. */
  async eventsAfter(searchId: string, afterSeq: number): Promise<SearchEvent[] | undefined> {
    const log = this.keys(searchId)[4]!;
    const [[, exists], [, lines]] = (await this.redis.multi().exists(log).lrange(log, Math.max(0, afterSeq), -1).exec()) as [
      [unknown, number],
      [unknown, string[]],
    ];
    if (exists === 0) return undefined;
    return lines.map((line) => JSON.parse(line) as SearchEvent);
  }

  /**
   * Where many searches stand, in one round trip: the status and summary of each search Redis
   * still has, from the counters the scripts keep (the summary a search's end event carries);
   * one Redis has let go of is absent. A bulk run's page asks this for its hundreds of searches,
   * where a snapshot each would read every search's whole log, one round trip per search.
   */
  async states(searchIds: readonly string[]): Promise<Map<string, SearchState>> {
    const states = new Map<string, SearchState>();
    if (searchIds.length === 0) return states;
    const pipeline = this.redis.pipeline();
    for (const searchId of searchIds) {
      const [search, , open] = this.keys(searchId);
      pipeline.hmget(search!, 'status', ...COUNTED_FIELDS).scard(open!);
    }
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, searchId] of searchIds.entries()) {
      const [[countedError, counted], [openError, open]] = [replies[2 * i]!, replies[2 * i + 1]!] as [
        [Error | null, (string | null)[]],
        [Error | null, number],
      ];
      const failed = countedError ?? openError;
      if (failed) throw failed;
      const [status, ...counts] = counted;
      if (status === null || status === undefined) continue;
      const summary = Object.fromEntries(COUNTED_FIELDS.map((field, k) => [field, Number(counts[k] ?? 0)])) as Omit<SearchSummary, 'open'>;
      states.set(searchId, { status: status as SearchStatus, summary: { ...summary, open } });
    }
    return states;
  }

  /** A search as its log has it, or undefined when Redis no longer has it. */
  async snapshot(searchId: string): Promise<SearchSnapshot | undefined> {
    const events = await this.eventsAfter(searchId, 0);
    const created = events?.[0];
    if (!events || created?.type !== 'search:created') return undefined;
    let search = created.data.search;
    let results: readonly SiteResult[] = created.data.results;
    for (const event of events) {
      results = applyEventToResults(results, event);
      search = applyEventToSearch(search, results, event);
    }
    return { search, results, events };
  }

  /** Lets Redis forget an ended search soon: the store has all of it. */
  async release(searchId: string, afterMs: number): Promise<void> {
    const [search, sites, , jobs, log] = this.keys(searchId);
    await this.redis.multi().pexpire(search!, afterMs).pexpire(sites!, afterMs).pexpire(jobs!, afterMs).pexpire(log!, afterMs).exec();
  }
}
