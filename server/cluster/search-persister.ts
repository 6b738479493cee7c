/**
 * Writes ended searches from Redis to the shared store, each exactly once in effect, even when a
 * node dies halfway: a Redis Streams consumer group hands each ended search to one node, which
 * acknowledges it only once the store holds all of it.
 *
 *   end script ──XADD──▶ persist stream ──XREADGROUP (blocking; one node per entry)──▶ node
 *                                                     node: log ─▶ store.write ─▶ store.flush ─▶ XACK
 *   a node died holding entries ──▶ after `claimIdleMs`, a survivor claims them (XAUTOCLAIM)
 *
 * Example: node B ends search S; the script queues S. Node C's blocked read returns S; C reads
 * S's 57 events from Redis, writes the search, its 12 results and its events to Elasticsearch,
 * waits until they are indexed, acknowledges S and lets Redis forget it a minute later. Had C
 * died before acknowledging, A would have claimed S 10 s later and written it again — harmless,
 * since every document has a natural id.
 *
 * Invariants:
 * - An entry is acknowledged only after the store has made the whole search durable.
 * - Writing a search twice changes nothing (the store's writes are idempotent upserts).
 * - The claim check is the failure detector of dead consumers (one XAUTOCLAIM every
 *   `claimIdleMs`); new work is never waited for by timer, only by the blocking read.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Store } from '../store/store';
import type { ClusterSearchLog } from './cluster-search-log';

/** The consumer group of the store's writers. */
export const PERSIST_GROUP = 'store';

/** Options of the persister. */
export interface SearchPersisterOptions {
  readonly log: ClusterSearchLog;
  /** The shared store; `flush` makes what was written durable. */
  readonly store: Store & { flush(): Promise<void> };
  /** The node's command connection. */
  readonly redis: Redis;
  /** A connection of its own: the blocking read holds it. */
  readonly blocking: Redis;
  /** The node's name in the consumer group. */
  readonly nodeId: string;
  readonly logger: Logger;
  /** How long an entry may stay unacknowledged before a survivor takes it, ms. Default 10,000. */
  readonly claimIdleMs?: number;
  /** How long Redis keeps a search once the store has it, ms. Default 60,000. */
  readonly lingerMs?: number;
}

type StreamEntry = [id: string, fields: string[]];

/** Moves ended searches from Redis to the store. */
export class SearchPersister {
  private readonly options: SearchPersisterOptions;
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private claimTimer?: NodeJS.Timeout;

  constructor(options: SearchPersisterOptions) {
    this.options = options;
    this.logger = options.logger.child({ module: 'search-persister' });
  }

  /** Joins the consumer group and starts taking entries. */
  async start(): Promise<void> {
    const { blocking, log } = this.options;
    try {
      await blocking.xgroup('CREATE', log.persistStream, PERSIST_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      // The group exists when another node made it first: that is the normal case.
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.running = true;
    this.loop = this.readLoop();
    const claimIdleMs = this.options.claimIdleMs ?? 10_000;
    this.claimTimer = setInterval(() => void this.claimStale(claimIdleMs), claimIdleMs);
    this.claimTimer.unref();
  }

  private async readLoop(): Promise<void> {
    const { blocking, log, nodeId } = this.options;
    // Entries this node took but did not acknowledge before (a restart under the same id) first.
    let cursor = '0';
    while (this.running) {
      try {
        const reply = (await blocking.xreadgroup('GROUP', PERSIST_GROUP, nodeId, 'COUNT', 20, 'BLOCK', 0, 'STREAMS', log.persistStream, cursor)) as
          | [string, StreamEntry[]][]
          | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (cursor === '0' && entries.length === 0) cursor = '>';
        await this.persist(entries);
      } catch (error) {
        if (!this.running) return;
        this.logger.error({ err: error }, 'reading searches to persist failed; retrying in 1 s');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async claimStale(idleMs: number): Promise<void> {
    const { log, nodeId } = this.options;
    try {
      const [, entries] = (await this.options.redis.xautoclaim(log.persistStream, PERSIST_GROUP, nodeId, idleMs, '0', 'COUNT', 50)) as [
        string,
        StreamEntry[],
      ];
      if (entries.length > 0) {
        this.logger.warn({ count: entries.length }, 'took over searches a dead node had not persisted');
        await this.persist(entries);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'claiming stale searches to persist failed');
    }
  }

  /** Writes the searches of some entries and acknowledges them once durable. */
  private async persist(entries: readonly StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { log, store, redis } = this.options;
    const done: string[] = [];
    const ids: string[] = [];
    for (const [entryId, fields] of entries) {
      const searchId = fields[fields.indexOf('id') + 1];
      done.push(entryId);
      if (!searchId) continue;
      const snapshot = await log.snapshot(searchId);
      // Gone from Redis: an earlier write of it was acknowledged late, or its keys expired.
      if (!snapshot) continue;
      ids.push(searchId);
      await store.write({
        searches: [snapshot.search],
        results: snapshot.results.map((result) => ({ ...result, searchId })),
        events: snapshot.events.map((event) => ({ ...event, searchId })),
      });
    }
    await store.flush();
    await redis.xack(log.persistStream, PERSIST_GROUP, ...done);
    for (const searchId of ids) await log.release(searchId, this.options.lingerMs ?? 60_000);
  }

  /**
   * Writes every ended search still waiting (a last node stopping has just interrupted some),
   * without blocking: what this node can take now, it persists before it goes.
   */
  async drain(): Promise<void> {
    const { redis, log, nodeId } = this.options;
    for (;;) {
      const reply = (await redis.xreadgroup('GROUP', PERSIST_GROUP, nodeId, 'COUNT', 50, 'STREAMS', log.persistStream, '>')) as
        | [string, StreamEntry[]][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      await this.persist(entries);
    }
  }

  /** Stops reading; what was taken and not acknowledged is claimed by another node later. */
  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.claimTimer);
    this.options.blocking.disconnect();
    await this.loop;
  }
}
