/**
 * Where the cluster bench runs, which figures it takes and how big they are (env, read once), and
 * the cluster's own key names it reads from Redis.
 */
import { benchParts } from '../bench-parts';

/** Redis; the bench takes databases 13–15 and flushes them. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
/** The bench's Redis databases; the tests take 0, 11 and 12. */
export const DB = { oneNode: 13, threeNodes: 14, bare: 15 } as const;
/** REDIS_URL on database `db`. */
export const redisDbUrl = (db: number) => `${REDIS_URL.replace(/\/\d*$/, '')}/${db}`;

export const SATURATION_SEARCHES = Number(process.env.BENCH_SATURATION_SEARCHES ?? 200);
export const THROUGHPUT_JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS ?? 10_000);
export const RECOVERY_RUNS = Number(process.env.BENCH_RECOVERY_RUNS ?? 3);
/** Whether a figure runs (BENCH_ONLY). */
export const runs = benchParts(['saturation', 'latency', 'throughput', 'recovery'] as const);

/** The cluster sizes every figure but recovery compares. */
export const NODE_COUNTS = [1, 3] as const;
/** A cluster size as the tables and the JSON name it. */
export const label = (nodes: number) => (nodes === 1 ? '1 node' : `${nodes} nodes`);
export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** The cluster's set of running search ids (`ClusterSearchLog.runningSet`, default key prefix). */
export const RUNNING_SET = 'sitescan:running';
/** BullMQ's key prefix in the cluster (`ClusterPipeline`: the key prefix without its colon). */
export const BULL_PREFIX = 'sitescan';
