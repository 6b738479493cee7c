/**
 * Keeps the home page's recent lists live: which searches each list shows, what changed in them,
 * and when to push it — at most once a second per list, and only for the newest few.
 *
 *   event log ──observe(event)──▶ [ search's line: status + summary ] ──changed?──▶ list's dirty set
 *   search service ──place(id, list)──▶ newest `limit` of that list     (trimmed lines are dropped)
 *                                                                      │ at most one push per
 *                                                                      ▼ list per `intervalMs`
 *                                                            push(list, changed lines, newest first)
 *
 * A list is a room of the hub: everyone's (HISTORY_SCOPE=all) or one owner's (HISTORY_SCOPE=owner),
 * and the caller says which list a search belongs to once it knows (`place`), or that it belongs
 * to none (`forget`: an owner-scoped search started without a history key). A line is observed
 * from its `search:created`; until it is placed it is counted but never pushed. Either may come
 * first: a placement told before the line's `search:created` is kept until it comes.
 *
 * Worked example (limit 8, interval 1,000 ms): at t=0 a search is placed in list L — pushed at
 * once (next timer turn), as the only change. Its 41 sites answer over the next 3 s, each answer a
 * change of its summary: pushes at t=1,000, 2,000 and 3,000 carry its line as it is then, not 41
 * lines. A bulk run places 200 searches in L within 50 ms: the first push carries those placed in
 * that first turn, the next, at t=1,000, at most the 8 newest; the other 192 are dropped as they
 * fall out of the newest 8, and their events cost one map lookup each.
 *
 * Invariants:
 * - a list MUST get at most one push per `intervalMs`, and the first change after a quiet
 *   interval MUST be pushed at the next timer turn (a new search appears at once);
 * - a push MUST carry only searches placed in that list, and only its newest `limit`;
 * - a line's state is dropped once its end has been pushed or it left its list's newest
 *   `limit`: state is held for at most `limit` searches per list with a line still running,
 *   plus the searches not placed yet and the placements told early (at most `maxUnplaced` each).
 *
 * Pure but for its timer (setTimeout, so fake timers drive it in tests); the hub wires it to
 * Socket.IO rooms.
 */
import { applyEventToResults, applyEventToSearch } from '../lib/search-state';
import { isSearchEndEvent, type Search, type SearchEvent, type SearchListItem, type SiteResult } from '../lib/types';

/** Options of {@link RecentSearches}. */
export interface RecentSearchesOptions {
  /** Sends one list's changed lines, newest first. */
  readonly push: (list: string, items: readonly SearchListItem[]) => void;
  /** Lines per list kept live: the home page's length. Default 8; an integer >= 1. */
  readonly limit?: number;
  /** Least time between two pushes to one list, ms. Default 1,000; 0–60,000. */
  readonly intervalMs?: number;
  /**
   * Searches observed but not placed yet, and placements told before their search was observed,
   * each kept at most this many (oldest dropped). Default 1,000; >= 1.
   */
  readonly maxUnplaced?: number;
  /** The clock, ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** One search's line and what it takes to keep it up to date. */
interface Line {
  search: Search;
  results: readonly SiteResult[];
  list?: string;
  ended: boolean;
}

/** One list: its newest searches, the changes not pushed yet, its push timer. */
interface List {
  /** Newest first, at most `limit`: ids with their creation time, their lines possibly ended and gone. */
  readonly newest: { readonly id: string; readonly createdAt: number }[];
  readonly dirty: Set<string>;
  lastPushAt: number;
  timer?: NodeJS.Timeout;
}

/** A search's line as the home page lists it. */
export function toListItem(search: Search): SearchListItem {
  const { id, query, status, createdAt, completedAt, summary } = search;
  return { id, query, status, createdAt, ...(completedAt === undefined ? {} : { completedAt }), summary };
}

/** Live state of the recent lists, and their coalesced pushes. */
export class RecentSearches {
  readonly limit: number;
  readonly intervalMs: number;
  readonly maxUnplaced: number;
  private readonly push: RecentSearchesOptions['push'];
  private readonly now: () => number;
  private readonly lines = new Map<string, Line>();
  /** Ids of lines not placed yet, oldest first. */
  private readonly unplaced = new Set<string>();
  /**
   * Placements told before the line's `search:created` (the event log tells its listeners after
   * its journal write, a tick after the search started): the list, or null for none. Oldest first.
   */
  private readonly early = new Map<string, string | null>();
  private readonly lists = new Map<string, List>();

  constructor(options: RecentSearchesOptions) {
    const { limit = 8, intervalMs = 1_000, maxUnplaced = 1_000 } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`Expected \`limit\` to be an integer >= 1, got ${String(limit)}`);
    if (!Number.isFinite(intervalMs) || intervalMs < 0 || intervalMs > 60_000) {
      throw new TypeError(`Expected \`intervalMs\` to be a number from 0 to 60000, got ${String(intervalMs)}`);
    }
    if (!Number.isInteger(maxUnplaced) || maxUnplaced < 1) {
      throw new TypeError(`Expected \`maxUnplaced\` to be an integer >= 1, got ${String(maxUnplaced)}`);
    }
    this.limit = limit;
    this.intervalMs = intervalMs;
    this.maxUnplaced = maxUnplaced;
    this.push = options.push;
    this.now = options.now ?? Date.now;
  }

  /** Searches whose line is held now (running or not pushed yet). */
  get held(): number {
    return this.lines.size;
  }

  /** Lists with a line held or a push pending. */
  get listCount(): number {
    return this.lists.size;
  }

  /** Applies one event of the log: a new line on `search:created`, else the line's next state. */
  observe(searchId: string, event: SearchEvent): void {
    if (event.type === 'search:created') {
      if (this.lines.has(searchId)) return;
      const early = this.early.get(searchId);
      this.early.delete(searchId);
      if (early === null) return;
      this.lines.set(searchId, { search: event.data.search, results: event.data.results, ended: false });
      this.unplaced.add(searchId);
      if (early !== undefined) return this.place(searchId, early);
      if (this.unplaced.size > this.maxUnplaced) {
        const [oldest] = this.unplaced;
        this.forget(oldest!);
      }
      return;
    }
    const line = this.lines.get(searchId);
    if (!line || line.ended) return;
    const results = applyEventToResults(line.results, event);
    const search = applyEventToSearch(line.search, results, event);
    line.results = results;
    const changed = search.status !== line.search.status || !sameSummary(search, line.search);
    line.search = search;
    if (isSearchEndEvent(event)) line.ended = true;
    if (changed) this.changed(searchId, line);
  }

  /**
   * A search's final state read elsewhere (in a cluster, where this node hears only the events
   * it appended itself). Ignored for a search with no line.
   */
  ended(search: Search): void {
    const line = this.lines.get(search.id);
    if (!line || line.ended) return;
    line.search = search;
    line.ended = true;
    this.changed(search.id, line);
  }

  /** Puts a search into `list`, as its newest line (now, or when its `search:created` comes). */
  place(searchId: string, list: string): void {
    const line = this.lines.get(searchId);
    if (!line) return this.remember(searchId, list);
    if (line.list !== undefined) return;
    this.unplaced.delete(searchId);
    line.list = list;
    let state = this.lists.get(list);
    if (!state) {
      state = { newest: [], dirty: new Set(), lastPushAt: Number.NEGATIVE_INFINITY };
      this.lists.set(list, state);
    }
    const { createdAt } = line.search;
    const at = state.newest.findIndex((entry) => entry.createdAt < createdAt);
    state.newest.splice(at === -1 ? state.newest.length : at, 0, { id: searchId, createdAt });
    for (const dropped of state.newest.splice(this.limit)) {
      state.dirty.delete(dropped.id);
      this.lines.delete(dropped.id);
    }
    if (this.lines.has(searchId)) this.changed(searchId, line);
    else this.dropIfIdle(list, state);
  }

  /** A search that belongs to no list: its line is dropped. */
  forget(searchId: string): void {
    const line = this.lines.get(searchId);
    if (!line) return this.remember(searchId, null);
    if (line.list !== undefined) return;
    this.unplaced.delete(searchId);
    this.lines.delete(searchId);
  }

  /** Keeps a placement told before its line, at most `maxUnplaced` of them. */
  private remember(searchId: string, list: string | null): void {
    this.early.set(searchId, list);
    if (this.early.size > this.maxUnplaced) {
      const [oldest] = this.early.keys();
      this.early.delete(oldest!);
    }
  }

  /** Stops every timer and drops all state; nothing is pushed after. */
  close(): void {
    for (const state of this.lists.values()) clearTimeout(state.timer);
    this.lists.clear();
    this.lines.clear();
    this.unplaced.clear();
    this.early.clear();
  }

  private changed(searchId: string, line: Line): void {
    if (line.list === undefined) return;
    const state = this.lists.get(line.list)!;
    state.dirty.add(searchId);
    if (state.timer) return;
    const wait = Math.max(0, state.lastPushAt + this.intervalMs - this.now());
    const list = line.list;
    state.timer = setTimeout(() => this.flush(list), wait);
    state.timer.unref?.();
  }

  private flush(list: string): void {
    const state = this.lists.get(list);
    if (!state) return;
    state.timer = undefined;
    const items: SearchListItem[] = [];
    for (const { id } of state.newest) {
      if (!state.dirty.has(id)) continue;
      const line = this.lines.get(id);
      if (!line) continue;
      items.push(toListItem(line.search));
      // Its end is on its way: nothing about it changes again.
      if (line.ended) this.lines.delete(id);
    }
    state.dirty.clear();
    if (items.length > 0) {
      state.lastPushAt = this.now();
      this.push(list, items);
    }
    this.dropIfIdle(list, state);
  }

  /**
   * Forgets a list none of whose lines is held any more, once its interval since the last push
   * has passed: forgotten sooner, a new search in it would be pushed within the interval.
   */
  private dropIfIdle(list: string, state: List): void {
    if (state.timer || state.dirty.size > 0) return;
    if (state.newest.some(({ id }) => this.lines.has(id))) return;
    const wait = state.lastPushAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.lists.delete(list);
      return;
    }
    // The flush finds nothing dirty (or what came meanwhile) and comes back here, past the wait.
    state.timer = setTimeout(() => this.flush(list), wait);
    state.timer.unref?.();
  }
}

function sameSummary(a: Search, b: Search): boolean {
  const x = a.summary;
  const y = b.summary;
  return x.total === y.total && x.found === y.found && x.partial === y.partial && x.notFound === y.notFound && x.failed === y.failed && x.skipped === y.skipped && x.cancelled === y.cancelled && x.open === y.open;
}
