/**
 * Composes one node of a cluster (REDIS_URL set): its Redis connections, the shared search log,
 * the persister of ended searches, the membership, the cluster pipeline and the Socket.IO
 * adapter across nodes. `server/index.ts` uses it in place of the one-process pipeline.
 *
 *   Redis ◀── command connection ── limiters · search log · BullMQ queues and workers · members
 *         ◀── subscriber ────────── cluster signals (search-ended, limiter news)
 *         ◀── blocking reads ────── persister (persist stream) · Socket.IO adapter (its stream)
 *
 * The connections retry for ever (`maxRetriesPerRequest: null`, as BullMQ requires): while Redis
 * is away, commands wait and nothing is dropped; new searches are refused with 503 instead of
 * waiting (`ClusterPipeline.submit`), and health says `degraded`.
 */
import { OWNER_SECRET_KEY, sharedSecret } from './shared-secret';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServerOptions } from 'socket.io';
import type { ClusterHealth, SearchEvent, SearchSnapshot } from '../../lib/types';
import type { LiveSearches } from '../search-runner';
import type { SiteRegistry } from '../sites/site-registry';
import type { Store } from '../store/store';
import { ClusterMembers } from './cluster-members';
import { ClusterPipeline } from './cluster-pipeline';
import { ClusterSearchLog } from './cluster-search-log';
import { ClusterSignals } from './cluster-signals';
import { redisAnswers, REDIS_ANSWER_MS, withinRedisTime } from './redis-answers';
import { SearchPersister } from './search-persister';

/**
 * A node that starts and has heard no other node for this long ends what a stopped cluster left
 * running, as interrupted, ms. Shorter gaps are a restart under way: the queues and deadlines in
 * Redis carry those searches on.
 */
const QUIET_CLUSTER_MS = 15_000;

/** Options of a cluster node. */
export interface ClusterNodeOptions {
  readonly redisUrl: string;
  readonly nodeId: string;
  readonly registry: SiteRegistry;
  /** The shared store (Elasticsearch); `flush` makes what was written durable. */
  readonly store: Store & { flush(): Promise<void> };
  readonly logger: Logger;
  readonly searchDeadlineMs?: number;
  readonly bulkDeadlineMs?: number;
  readonly maxBufferedJobs?: number;
  /** What this node tells the others (its URL), for the operations view. */
  readonly info?: Readonly<Record<string, string>>;
}


/** A started cluster node. */
export interface ClusterNodeParts {
  readonly pipeline: ClusterPipeline;
  readonly log: ClusterSearchLog;
  readonly live: LiveSearches;
  /** The Socket.IO adapter across nodes, for the hub. */
  readonly adapter: NonNullable<ServerOptions['adapter']>;
  health(): Promise<ClusterHealth>;
  /**
   * The secret of the owner capabilities every node uses: the first node's candidate, kept in
   * Redis, so a search started on one node is cancelled with its token on any other.
   */
  sharedOwnerSecret(candidate: string): Promise<string>;
  /** Announces this node's URL once it listens. */
  announce(info: Readonly<Record<string, string>>): Promise<void>;
  /** Leaves the cluster after the pipeline has closed; closes every connection. */
  close(): Promise<void>;
}

/** Connects to Redis and joins the cluster. */
export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNodeParts> {
  const logger = options.logger.child({ node: options.nodeId });
  const connect = (role: string) => {
    const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: `sitescan:${options.nodeId}:${role}` });
    connection.on('error', (error) => logger.warn({ err: error, role }, 'Redis connection error'));
    return connection;
  };
  const redis = connect('commands');
  await redis.ping();
  const signals = new ClusterSignals({ redis, subscriber: connect('signals'), logger });
  const log = new ClusterSearchLog({ redis, signals, logger });
  const members = new ClusterMembers({ redis, nodeId: options.nodeId, logger, info: options.info });
  await members.start();
  const pipeline = await ClusterPipeline.start({
    registry: options.registry,
    store: options.store,
    log,
    members,
    redis,
    signals,
    nodeId: options.nodeId,
    logger,
    searchDeadlineMs: options.searchDeadlineMs,
    bulkDeadlineMs: options.bulkDeadlineMs,
    maxBufferedJobs: options.maxBufferedJobs,
  });
  // Generous: a living node whose loop stalled a few seconds must not have its searches ended.
  if (!(await members.othersAlive(QUIET_CLUSTER_MS))) {
    // The first node of a cluster that had stopped: what it left running was interrupted.
    const interrupted = await pipeline.interruptAbandoned();
    if (interrupted > 0) logger.warn({ interrupted }, 'searches left running by a stopped cluster marked interrupted');
  }
  const persister = new SearchPersister({ log, store: options.store, redis, blocking: connect('persister'), nodeId: options.nodeId, logger });
  await persister.start();

  const endListeners = new Set<(searchId: string) => void>();
  const stopHearingEnds = await log.onSearchEnded((searchId) => {
    for (const listener of endListeners) listener(searchId);
  });
  const live: LiveSearches = {
    snapshot: (searchId): Promise<SearchSnapshot | undefined> => log.snapshot(searchId),
    eventsAfter: (searchId, afterSeq): Promise<SearchEvent[] | undefined> => log.eventsAfter(searchId, afterSeq),
    states: (searchIds) => log.states(searchIds),
    onSearchEnded(listener) {
      endListeners.add(listener);
      return () => endListeners.delete(listener);
    },
  };
  const adapterClient = connect('socket.io');
  return {
    pipeline,
    log,
    live,
    adapter: createAdapter(adapterClient, { streamName: 'sitescan:socket.io', onlyPlaintext: true }),
    async health() {
      const reachable = await redisAnswers(redis);
      return {
        node: options.nodeId,
        redis: reachable ? 'ok' : 'unreachable',
        nodes: reachable ? await withinRedisTime(members.alive(), REDIS_ANSWER_MS, () => new Error('no answer')).catch(() => []) : [],
      };
    },
    sharedOwnerSecret: (candidate) => sharedSecret(redis, OWNER_SECRET_KEY, candidate),
    announce: (info) => members.announce(info),
    async close() {
      stopHearingEnds();
      await persister.drain().catch((error: unknown) => logger.error({ err: error }, 'ended searches not persisted before leaving'));
      await persister.close();
      await members.leave().catch((error: unknown) => logger.warn({ err: error }, 'leaving the cluster failed'));
      await signals.close();
      adapterClient.disconnect();
      redis.disconnect();
    },
  };
}
