/**
 * The one reducer from events to a search's state. The pipeline uses it to keep the stored
 * results in step with the log, and the result page uses it to apply live events, so both sides
 * always agree on what an event means.
 */
import { EventList } from './event-list';
import {
  isTerminalStatus,
  type Search,
  type SearchEvent,
  type SearchSnapshot,
  type SearchSummary,
  type SiteResult,
} from './types';

/** Counts a search's results into its summary. */
export function summarize(results: readonly SiteResult[]): SearchSummary {
  let found = 0;
  let partial = 0;
  let notFound = 0;
  let failed = 0;
  let skipped = 0;
  let cancelled = 0;
  let open = 0;
  for (const result of results) {
    switch (result.status) {
      case 'done':
        if (result.outcome === 'found') found++;
        else if (result.outcome === 'partial') partial++;
        else notFound++;
        break;
      case 'failed':
        failed++;
        break;
      case 'skipped':
        skipped++;
        break;
      case 'cancelled':
        cancelled++;
        break;
      default:
        open++;
    }
  }
  return { total: results.length, found, partial, notFound, failed, skipped, cancelled, open };
}

/**
 * One site result after one event about its site. Terminal results never change again, and an
 * event that changes nothing returns the same object, so callers can tell a change by identity.
 */
export function applyEventToResult(result: SiteResult, event: SearchEvent): SiteResult {
  if (isTerminalStatus(result.status)) return result;
  switch (event.type) {
    case 'site:scheduled':
      return { ...result, status: 'scheduled' };
    case 'site:started':
      return { ...result, status: 'running', attempts: event.data.attempt };
    case 'site:retrying':
    case 'site:rate_limited':
      return { ...result, status: 'retrying', error: event.data.reason };
    case 'site:hedged':
      // A hedge is a second copy of the attempt in flight: the job is still running that attempt.
      return result;
    case 'site:done':
      return {
        ...result,
        status: 'done',
        outcome: event.data.outcome,
        latencyMs: event.data.latencyMs,
        attempts: event.data.attempt,
        listing: event.data.listing,
        fields: event.data.fields,
        error: undefined,
      };
    case 'site:failed':
      return { ...result, status: 'failed', latencyMs: event.data.latencyMs ?? result.latencyMs, error: event.data.reason };
    case 'site:cancelled':
      return { ...result, status: 'cancelled' };
    case 'site:skipped':
      return { ...result, status: 'skipped', error: event.data.reason };
    default:
      return result;
  }
}

/** The site results after one event. Terminal results never change again. */
export function applyEventToResults(
  results: readonly SiteResult[],
  event: SearchEvent,
): readonly SiteResult[] {
  if (event.type === 'search:created') return event.data.results;
  if (event.siteId === undefined) return results;
  const index = results.findIndex((result) => result.siteId === event.siteId);
  const current = results[index];
  if (!current) return results;
  const next = applyEventToResult(current, event);
  if (next === current) return results;
  const copy = results.slice();
  copy[index] = next;
  return copy;
}

/** The search record after one event, given the site results after it. */
export function applyEventToSearch(search: Search, results: readonly SiteResult[], event: SearchEvent): Search {
  if (event.type === 'search:created') search = event.data.search;
  const summary = summarize(results);
  switch (event.type) {
    case 'search:completed':
      return { ...search, status: 'completed', completedAt: event.at, summary };
    case 'search:cancelled':
      return { ...search, status: 'cancelled', completedAt: event.at, summary };
    case 'search:interrupted':
      return { ...search, status: 'interrupted', completedAt: event.at, summary };
    default:
      return { ...search, summary };
  }
}

/**
 * A search as the result page keeps it: the snapshot's search and results, with its log as an
 * {@link EventList} so that each live event is appended in O(1).
 */
export interface SearchState {
  readonly search: Search;
  readonly results: readonly SiteResult[];
  readonly events: EventList;
}

/** The state of a snapshot, ready for `applyEvent`. */
export function toSearchState(snapshot: SearchSnapshot): SearchState {
  return { search: snapshot.search, results: snapshot.results, events: EventList.from(snapshot.events) };
}

/**
 * The state after one event. Events must arrive in seq order: one whose seq is not the next
 * is ignored, which makes replaying an overlapping backlog harmless. The log grows in O(1).
 */
export function applyEvent(state: SearchState, event: SearchEvent): SearchState {
  const lastSeq = state.events.last?.seq ?? 0;
  if (event.seq !== lastSeq + 1) return state;
  const results = applyEventToResults(state.results, event);
  const search = applyEventToSearch(state.search, results, event);
  return { search, results, events: state.events.append(event) };
}

/** Formats an event's label as the log shows it: `search:created`, `brownbook.net:done`. */
export function eventLabel(event: Pick<SearchEvent, 'type' | 'siteId'>): string {
  if (event.siteId && event.type.startsWith('site:')) {
    return `${event.siteId}:${event.type.slice('site:'.length)}`;
  }
  return event.type;
}

/** The reason an event gives (why a job failed, was skipped or retries; how it was answered), if its type carries one. */
export function reasonOf(event: SearchEvent): string | undefined {
  return event.data && 'reason' in event.data ? event.data.reason : undefined;
}
