/**
 * A fresh cluster for each figure: its sites reset, its database flushed by the cluster's start,
 * its routes loaded before anything is measured, and stopped whatever happens; what the clusters
 * leave behind (Redis databases, Elasticsearch indices) is dropped at the end of the run.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ProcessCluster, type ClusterNodeProcess } from '../../server/cluster/testing/process-cluster';
import { elasticIndexNames } from '../../server/store/elastic-indices';
import type { BenchSites } from '../start-bench-sites';
import { resetPushedBack } from './searches';
import { DB, ELASTICSEARCH_URL, REDIS_URL, redisDbUrl } from './settings';

/** Index prefixes of the clusters this run started: their indices are dropped at the end. */
const indexPrefixes: string[] = [];

/**
 * Loads both API routes on every node without creating anything (a refused body, an unknown id),
 * so that no measured request pays for the first load of a route.
 */
export async function warmRoutes(nodes: readonly ClusterNodeProcess[]): Promise<void> {
  for (const node of nodes) {
    await fetch(`${node.url}/api/searches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${node.url}/api/searches/none`);
  }
  // The loading blocked the loops: let the load shedders' measuring window close on it.
  await sleep(1_000);
}

/**
 * Starts `nodes` nodes on the bench's database for that size, runs `use` with the cluster and a
 * Redis connection to its database, and stops the cluster whatever happens.
 */
export async function withCluster<T>(nodes: number, sites: BenchSites, use: (cluster: ProcessCluster, redis: Redis) => Promise<T>): Promise<T> {
  const db = nodes === 1 ? DB.oneNode : DB.threeNodes;
  await sites.reset();
  const cluster = await ProcessCluster.start({ redisUrl: REDIS_URL, db, elasticsearchUrl: ELASTICSEARCH_URL, sites: sites.definitions, nodes });
  indexPrefixes.push(cluster.indexPrefix);
  // No retry limit: the recovery figure's BullMQ queue reads through it, and BullMQ asks for that.
  const redis = new Redis(cluster.redisUrl, { maxRetriesPerRequest: null });
  try {
    await warmRoutes(cluster.nodes);
    resetPushedBack();
    return await use(cluster, redis);
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}

/** Where a cluster's nodes log. */
export function logsOf(cluster: ProcessCluster, nodes: number): string {
  return path.join(tmpdir(), `sitescan-${cluster.indexPrefix}-node-{1..${nodes}}.log`);
}

/** Flushes the bench's Redis databases and drops the indices of every cluster this run started. */
export async function cleanUp(): Promise<void> {
  for (const db of Object.values(DB)) {
    const redis = new Redis(redisDbUrl(db));
    await redis.flushdb();
    redis.disconnect();
  }
  for (const prefix of indexPrefixes) {
    const names = Object.values(elasticIndexNames(prefix));
    await fetch(`${ELASTICSEARCH_URL}/${names.join(',')}?ignore_unavailable=true`, { method: 'DELETE' });
    await Promise.all(names.map((name) => fetch(`${ELASTICSEARCH_URL}/_index_template/${name}`, { method: 'DELETE' })));
  }
}
