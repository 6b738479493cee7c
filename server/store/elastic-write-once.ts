/**
 * Docs written once and never changed, each in its own small index apart from the write buffer:
 * who created each search (`<prefix>-owners`) and the bulk runs (`<prefix>-bulk-runs`).
 *
 *   record(docs) ──► pending (reads see it at once) ──► bulk create, refresh wait_for ──► index
 *                       ▲                                    │ a doc that failed
 *                       └──── again after a backoff ◀────────┘ (Elasticsearch down)
 *
 * Example: a browser starts a search; its owner doc is pending for the ~1 s a refresh takes, and
 * the history it opens at once lists the search from the pending map. Elasticsearch goes down for
 * a minute: the doc stays pending (and listed), its write retried every 100 ms … 10 s, then lands.
 *
 * Invariants:
 * - A doc recorded MUST be seen by every later read: it leaves `pending` only once the bulk that
 *   created it returned after a refresh.
 * - A doc is created once (`create`, its own id); a conflict means it is already there.
 * - `close` rejects, after trying for `closeTimeoutMs`, naming how many docs were not written.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import { elasticErrorText } from './elastic-error-text';

/** Options of one kind of write-once doc. */
export interface ElasticWriteOnceOptions<T> {
  readonly client: Client;
  readonly index: string;
  readonly logger: Logger;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly closeTimeoutMs: number;
  /** What the docs are, for messages: `search owners`, `bulk runs`. */
  readonly what: string;
  readonly idOf: (doc: T) => string;
  /** The document indexed for `doc`. */
  readonly sourceOf: (doc: T) => Record<string, unknown>;
}

/** A caller of `landed`, waiting for these docs to be in the index. */
interface Waiter {
  readonly ids: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Write-once docs of one index: pending until a refresh made them visible, retried meanwhile. */
export class ElasticWriteOnce<T> {
  private readonly options: ElasticWriteOnceOptions<T>;
  /** Recorded, not yet in the index, by id. */
  private readonly pending = new Map<string, T>();
  private waiters: Waiter[] = [];
  private writing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private retryMs: number;
  private closed = false;

  constructor(options: ElasticWriteOnceOptions<T>) {
    this.options = options;
    this.retryMs = options.retryMinMs;
  }

  /** Takes docs to write; throws once the store is closing (nothing taken). */
  record(docs: readonly T[]): void {
    if (this.closed) throw new Error(`the Elasticsearch store is closing; ${this.options.what} are no longer taken`);
    for (const doc of docs) {
      const id = this.options.idOf(doc);
      if (!this.pending.has(id)) this.pending.set(id, doc);
    }
    if (this.retryTimer === undefined) this.write();
  }

  /** A doc recorded and not yet in the index. */
  pendingDoc(id: string): T | undefined {
    return this.pending.get(id);
  }

  /** Every doc recorded and not yet in the index. */
  pendingDocs(): IterableIterator<T> {
    return this.pending.values();
  }

  /** Resolves once these docs are in the index; rejects if closed first. */
  landed(docs: readonly T[]): Promise<void> {
    const ids = docs.map(this.options.idOf).filter((id) => this.pending.has(id));
    if (ids.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ ids, resolve, reject }));
  }

  /** Resolves once every doc recorded so far is in the index. */
  flush(): Promise<void> {
    return this.landed([...this.pending.values()]);
  }

  /** Stops taking docs and writes what is pending, for at most `closeTimeoutMs`. */
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
    const error = new Error(`${lost} ${this.options.what} could not be written to ${this.options.index}`);
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

  /** One bulk of everything pending; never rejects (a failure keeps the docs pending). */
  private async writeOnce(): Promise<void> {
    const batch = [...this.pending.values()];
    const { client, index, logger, retryMinMs, retryMaxMs, idOf, sourceOf, what } = this.options;
    try {
      const response = await client.bulk({
        refresh: 'wait_for',
        operations: batch.flatMap((doc) => [{ create: { _index: index, _id: idOf(doc) } }, sourceOf(doc)]),
      });
      let failed = 0;
      response.items.forEach((item, i) => {
        const result = item.create;
        const id = idOf(batch[i]!);
        // 409: created before (a retry of a bulk whose answer was lost) — it is there.
        if (result?.error && result.status !== 409) failed++;
        else if (this.pending.get(id) === batch[i]) this.pending.delete(id);
      });
      if (failed > 0) throw new Error(`${failed} of ${batch.length} ${what} refused`);
      this.retryMs = retryMinMs;
    } catch (error) {
      logger.warn({ err: error, pending: this.pending.size, retryInMs: this.retryMs }, `${what} not written: ${elasticErrorText(error)}`);
      this.retryMs = Math.min(this.retryMs * 2, retryMaxMs);
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.ids.some((id) => this.pending.has(id))) return true;
      waiter.resolve();
      return false;
    });
  }
}
