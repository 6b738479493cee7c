/**
 * Who created each search, in the `<prefix>-owners` index, for a history scoped to its owner
 * (`HISTORY_SCOPE=owner`). Apart from the write buffer: one small doc per search, written once,
 * read only to list one owner's searches.
 *
 *   write({owners}) ──► pending (reads see it at once) ──► bulk create, refresh wait_for ──► index
 *                            ▲                                    │ a doc that failed
 *                            └──── again after a backoff ◀────────┘ (Elasticsearch down)
 *
 *   listSearches({owner}) ──► ids of the owner: pending ∪ index (newest MAX_OWNED) ──► searches
 *
 * Example: a browser starts a search; its owner doc is pending for the ~1 s a refresh takes, and
 * the history it opens at once lists the search from the pending map. Elasticsearch goes down for
 * a minute: the doc stays pending (and listed), its write retried every 100 ms … 10 s, then lands.
 *
 * Invariants:
 * - An owner recorded MUST be seen by every later `idsOf`: it leaves `pending` only once the bulk
 *   that created it returned after a refresh.
 * - A doc is created once (`create`, id = search id); a conflict means it is already there.
 * - `close` rejects, after trying for `closeTimeoutMs`, naming how many owners were not written.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import { elasticErrorText } from './elastic-error-text';
import type { SearchOwner } from './store';

/** The newest searches of one owner a scoped history lists: `index.max_result_window`. */
export const MAX_OWNED = 10_000;

/** Options of the owner records. */
export interface ElasticOwnersOptions {
  readonly client: Client;
  readonly index: string;
  readonly logger: Logger;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly closeTimeoutMs: number;
}

/** A caller of `landed`, waiting for these searches' owners to be in the index. */
interface Waiter {
  readonly ids: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** The owner records of one store. */
export class ElasticOwners {
  private readonly options: ElasticOwnersOptions;
  /** Recorded, not yet in the index: search id → owner. */
  private readonly pending = new Map<string, SearchOwner>();
  private waiters: Waiter[] = [];
  private writing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private retryMs: number;
  private closed = false;

  constructor(options: ElasticOwnersOptions) {
    this.options = options;
    this.retryMs = options.retryMinMs;
  }

  /** Takes owners to write; throws once the store is closing (nothing taken). */
  record(owners: readonly SearchOwner[]): void {
    if (this.closed) throw new Error('the Elasticsearch store is closing; owners are no longer taken');
    for (const owner of owners) if (!this.pending.has(owner.searchId)) this.pending.set(owner.searchId, owner);
    if (this.retryTimer === undefined) this.write();
  }

  /** Resolves once the owners of these searches are in the index; rejects if closed first. */
  landed(owners: readonly SearchOwner[]): Promise<void> {
    const ids = owners.map((owner) => owner.searchId).filter((id) => this.pending.has(id));
    if (ids.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ ids, resolve, reject }));
  }

  /** Resolves once every owner recorded so far is in the index. */
  flush(): Promise<void> {
    return this.landed([...this.pending.values()]);
  }

  /** Ids of the owner's searches: those pending and the newest {@link MAX_OWNED} in the index. */
  async idsOf(owner: string): Promise<string[]> {
    const pending = [...this.pending.values()].filter((record) => record.owner === owner).map((record) => record.searchId);
    const response = await this.options.client.search({
      index: this.options.index,
      query: { term: { owner } },
      sort: [{ createdAt: 'desc' }],
      size: MAX_OWNED,
      _source: false,
      track_total_hits: false,
    });
    return [...new Set([...pending, ...response.hits.hits.flatMap((hit) => (hit._id === undefined ? [] : [hit._id]))])];
  }

  /** Stops taking owners and writes what is pending, for at most `closeTimeoutMs`. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const giveUpAt = Date.now() + this.options.closeTimeoutMs;
    while (this.pending.size > 0 && Date.now() < giveUpAt) {
      await (this.writing ?? this.writeOnce());
      if (this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(this.retryMs, Math.max(0, giveUpAt - Date.now()))));
    }
    const lost = this.pending.size;
    const error = new Error(`${lost} search owners could not be written to ${this.options.index}`);
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    if (lost > 0) throw error;
  }

  /** Starts a write of everything pending unless one is under way; another follows while any is left. */
  private write(): void {
    if (this.writing) return;
    this.writing = this.writeOnce().finally(() => {
      this.writing = undefined;
      if (this.pending.size === 0 || this.closed) return;
      // What failed waits out the backoff; what was recorded during the write goes at once.
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.write();
      }, this.retryMs);
    });
  }

  /** One bulk of everything pending; never rejects (a failure keeps the owners pending). */
  private async writeOnce(): Promise<void> {
    const batch = [...this.pending.values()];
    const { client, index, logger, retryMinMs, retryMaxMs } = this.options;
    try {
      const response = await client.bulk({
        refresh: 'wait_for',
        operations: batch.flatMap((record) => [
          { create: { _index: index, _id: record.searchId } },
          { searchId: record.searchId, owner: record.owner, createdAt: record.createdAt },
        ]),
      });
      let failed = 0;
      response.items.forEach((item, i) => {
        const result = item.create;
        // 409: created before (a retry of a bulk whose answer was lost) — it is there.
        if (result?.error && result.status !== 409) failed++;
        else if (this.pending.get(batch[i]!.searchId) === batch[i]) this.pending.delete(batch[i]!.searchId);
      });
      if (failed > 0) throw new Error(`${failed} of ${batch.length} owner docs refused`);
      this.retryMs = retryMinMs;
    } catch (error) {
      logger.warn({ err: error, pending: this.pending.size, retryInMs: this.retryMs }, `owner records not written: ${elasticErrorText(error)}`);
      this.retryMs = Math.min(this.retryMs * 2, retryMaxMs);
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.ids.some((id) => this.pending.has(id))) return true;
      waiter.resolve();
      return false;
    });
  }
}
