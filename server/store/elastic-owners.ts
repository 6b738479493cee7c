/**
 * Who created each search, in the `<prefix>-owners` index, for a history scoped to its owner
 * (`HISTORY_SCOPE=owner`): one write-once doc per search (`elastic-write-once.ts`), read only to
 * list one owner's searches.
 *
 *   listSearches({owner}) ──► ids of the owner: pending ∪ index (newest MAX_OWNED) ──► searches
 *
 * Invariant: an owner recorded MUST be listed by every later `idsOf` (pending until a refresh
 * made it visible in the index).
 */
import type { SearchOwner } from './store';
import { ElasticWriteOnce, type ElasticWriteOnceOptions } from './elastic-write-once';

/** The newest searches of one owner a scoped history lists: `index.max_result_window`. */
export const MAX_OWNED = 10_000;

/** Options of the owner records. */
export type ElasticOwnersOptions = Omit<ElasticWriteOnceOptions<SearchOwner>, 'what' | 'idOf' | 'sourceOf'>;

/** The owner records of one store. */
export class ElasticOwners extends ElasticWriteOnce<SearchOwner> {
  private readonly client: ElasticOwnersOptions['client'];
  private readonly index: string;

  constructor(options: ElasticOwnersOptions) {
    super({
      ...options,
      what: 'search owners',
      idOf: (record) => record.searchId,
      sourceOf: (record) => ({ searchId: record.searchId, owner: record.owner, createdAt: record.createdAt }),
    });
    this.client = options.client;
    this.index = options.index;
  }

  /** The owner recorded for a search (pending or in the index), or undefined when none is. */
  async ownerOf(searchId: string): Promise<string | undefined> {
    const pending = this.pendingDoc(searchId);
    if (pending) return pending.owner;
    const found = await this.client.get<{ owner: string }>({ index: this.index, id: searchId }, { ignore: [404] });
    return found.found ? found._source?.owner : undefined;
  }

  /** Ids of the owner's searches: those pending and the newest {@link MAX_OWNED} in the index. */
  async idsOf(owner: string): Promise<string[]> {
    const pending = [...this.pendingDocs()].filter((record) => record.owner === owner).map((record) => record.searchId);
    const response = await this.client.search({
      index: this.index,
      query: { term: { owner } },
      sort: [{ createdAt: 'desc' }],
      size: MAX_OWNED,
      _source: false,
      track_total_hits: false,
    });
    return [...new Set([...pending, ...response.hits.hits.flatMap((hit) => (hit._id === undefined ? [] : [hit._id]))])];
  }
}
