/**
 * Starts what runs searches, as the configuration says: the one-process pipeline over the event
 * log (the default), or — with REDIS_URL — a node of a cluster (`cluster/cluster-node.ts`). The
 * composition root sees the same parts either way.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { ServerOptions } from 'socket.io';
import type { Config } from './config';
import type { ClusterHealth } from '../lib/types';
import { startClusterNode } from './cluster/cluster-node';
import type { EventSource } from './metrics';
import { EventJournal } from './pipeline/event-journal';
import { replayJournal } from './pipeline/event-journal-replay';
import { EventLog } from './pipeline/event-log';
import { Pipeline } from './pipeline/pipeline';
import type { LiveSearches, SearchRunner } from './search-runner';
import type { SiteRegistry } from './sites/site-registry';
import { ElasticStore } from './store/elastic-store';
import type { Store } from './store/store';

/** What runs searches, and what the rest of the composition needs of it. */
export interface RunnerParts {
  readonly runner: SearchRunner;
  readonly live: LiveSearches;
  /** Every event this process appends (hub, metrics). */
  readonly events: EventSource;
  /** The Socket.IO adapter across nodes; absent for one process. */
  readonly adapter?: ServerOptions['adapter'];
  /** Redis and the nodes, for the health report; absent for one process. */
  readonly clusterHealth?: () => Promise<ClusterHealth>;
  /** This node's name in a cluster. */
  readonly nodeId?: string;
  /** Tells the other nodes where this one listens. */
  announce(url: string): Promise<void>;
  /** The owner secret this process uses: `candidate`, or in a cluster the one all nodes share. */
  ownerSecret(candidate: string): Promise<string>;
  /** After the runner has closed: writes what is left and lets go (timeouts in ms). */
  close(timeoutMs: number): Promise<void>;
}

/** Starts the runner the configuration asks for. */
export async function startRunner(config: Config, store: Store, registry: SiteRegistry, logger: Logger): Promise<RunnerParts> {
  const limits = {
    searchDeadlineMs: config.searchDeadlineMs,
    bulkDeadlineMs: config.bulkDeadlineMs,
    maxBufferedJobs: config.maxBufferedJobs,
  };
  if (config.cluster) {
    // The configuration refuses REDIS_URL without ELASTICSEARCH_URL, so the store is shared.
    if (!(store instanceof ElasticStore)) throw new Error('cluster mode needs the Elasticsearch store');
    const node = await startClusterNode({ ...config.cluster, registry, store, logger, ...limits });
    return {
      runner: node.pipeline,
      live: node.live,
      events: node.log,
      adapter: node.adapter,
      clusterHealth: () => node.health(),
      nodeId: config.cluster.nodeId,
      announce: (url) => node.announce({ url }),
      ownerSecret: (candidate) => node.sharedOwnerSecret(candidate),
      close: () => node.close(),
    };
  }
  // What a previous process showed but did not live to store goes to the store first, under the
  // seqs it was shown with; only then are searches it left running ended as interrupted.
  const journalDir = path.join(config.dataDir, 'journal');
  await replayJournal(journalDir, store, logger);
  const journal = new EventJournal(journalDir);
  journal.discardOlder();
  const eventLog = new EventLog({ store, logger, journal });
  const pipeline = new Pipeline({ registry, eventLog, logger, hedging: config.hedging, ...limits });
  // A previous process stopped with searches running: end them honestly as interrupted.
  const leftRunning = await store.listRunning();
  if (leftRunning.length > 0) {
    pipeline.interrupt(leftRunning);
    logger.warn({ count: leftRunning.length }, 'searches left running by a previous process marked interrupted');
  }
  return {
    runner: pipeline,
    live: eventLog,
    events: eventLog,
    announce: async () => {},
    ownerSecret: async (candidate) => candidate,
    close: (timeoutMs) => eventLog.close(timeoutMs),
  };
}
