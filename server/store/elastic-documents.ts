/**
 * The Elasticsearch store's documents: what a search, a site result and an event look like in
 * their index, and the natural ids that make every write idempotent.
 *
 *   Search           ──► <prefix>-searches  id `<searchId>`          `index`: the newest whole state wins
 *   StoredSiteResult ──► <prefix>-results   id `<searchId>:<siteId>` `update` + `upsert`: the first
 *                                                                     write sets `position`
 *   StoredEvent      ──► <prefix>-events    id `<searchId>:<seq>`    `create`: the first one stays
 */
import type {
  BusinessQuery,
  Search,
  SearchEvent,
  SearchEventType,
  SearchPriority,
  SearchStatus,
  SearchSummary,
  SiteResult,
} from '../../lib/types';
import { scanKeyOf } from './scan-key';
import { searchWords } from './search-words';
import type { StoredEvent, StoredSiteResult } from './store';

/**
 * `<prefix>-searches` document. `text` holds the folded words of the name and location;
 * `scanKey` the business's scan key (`scan-key.ts`), absent from documents written before it.
 */
export interface SearchDoc {
  readonly id: string;
  readonly status: SearchStatus;
  readonly priority: SearchPriority;
  readonly createdAt: number;
  readonly completedAt?: number;
  readonly deadlineAt: number;
  readonly query: BusinessQuery;
  readonly summary: SearchSummary;
  readonly text: string;
  readonly scanKey?: string;
}

/**
 * `<prefix>-results` document. `record` is the whole SiteResult as JSON: an `update` merges
 * objects key by key, so nested data kept as objects would keep keys a later state dropped.
 * The other fields are copies for querying.
 */
export interface ResultDoc {
  readonly searchId: string;
  readonly siteId: string;
  readonly position: number;
  readonly status: string;
  readonly outcome: string | null;
  readonly attempts: number;
  readonly latencyMs: number | null;
  readonly record: string;
}

/** The fields of a `ResultDoc` an update replaces: all but the id parts and the position. */
export type ResultFields = Omit<ResultDoc, 'searchId' | 'siteId' | 'position'>;

/** `<prefix>-events` document. */
export interface EventDoc {
  readonly searchId: string;
  readonly seq: number;
  readonly at: number;
  readonly type: SearchEventType;
  readonly siteId?: string;
  readonly data?: SearchEvent['data'];
}

/** A site result as read back, with where it sorts among its search's results. */
export interface PlacedResult {
  readonly searchId: string;
  readonly position: number;
  readonly result: SiteResult;
}

/** Id of a site result's document. */
export function resultId(result: StoredSiteResult): string {
  return `${result.searchId}:${result.siteId}`;
}

/** Id of an event's document. */
export function eventId(event: StoredEvent): string {
  return `${event.searchId}:${event.seq}`;
}

/** The folded words of a query that history search matches: its name and location. */
export function queryWords(query: BusinessQuery): string[] {
  return searchWords(`${query.name} ${query.location ?? ''}`);
}

/** A search as its document. */
export function toSearchDoc(search: Search): SearchDoc {
  return {
    id: search.id,
    status: search.status,
    priority: search.priority,
    createdAt: search.createdAt,
    ...(search.completedAt === undefined ? {} : { completedAt: search.completedAt }),
    deadlineAt: search.deadlineAt,
    query: search.query,
    summary: search.summary,
    text: queryWords(search.query).join(' '),
    scanKey: scanKeyOf(search.query),
  };
}

/** A search read from its document. */
export function fromSearchDoc(doc: SearchDoc): Search {
  return {
    id: doc.id,
    query: doc.query,
    priority: doc.priority,
    status: doc.status,
    createdAt: doc.createdAt,
    ...(doc.completedAt === undefined ? {} : { completedAt: doc.completedAt }),
    deadlineAt: doc.deadlineAt,
    summary: doc.summary,
  };
}

/**
 * A site result as the two halves of its `update`: the fields a later state replaces, and the
 * whole document that the first write creates at `position`.
 */
export function toResultUpdate(result: StoredSiteResult, position: number): { doc: ResultFields; upsert: ResultDoc } {
  const { searchId, siteId, ...rest } = result;
  const doc: ResultFields = {
    status: rest.status,
    outcome: rest.outcome ?? null,
    attempts: rest.attempts,
    latencyMs: rest.latencyMs ?? null,
    record: JSON.stringify({ siteId, ...rest }),
  };
  return { doc, upsert: { searchId, siteId, position, ...doc } };
}

/** A site result read from its document. */
export function fromResultDoc(doc: ResultDoc): PlacedResult {
  return { searchId: doc.searchId, position: doc.position, result: JSON.parse(doc.record) as SiteResult };
}

/** An event as its document. */
export function toEventDoc(event: StoredEvent): EventDoc {
  return {
    searchId: event.searchId,
    seq: event.seq,
    at: event.at,
    type: event.type,
    ...(event.siteId === undefined ? {} : { siteId: event.siteId }),
    ...(event.data === undefined ? {} : { data: event.data }),
  };
}

/** An event read from its document. */
export function fromEventDoc(doc: EventDoc): StoredEvent {
  // Written from a typed event by the event log: the doc holds one, as it was.
  return {
    searchId: doc.searchId,
    seq: doc.seq,
    at: doc.at,
    type: doc.type,
    ...(doc.siteId === undefined ? {} : { siteId: doc.siteId }),
    ...(doc.data === undefined ? {} : { data: doc.data }),
  } as StoredEvent;
}
