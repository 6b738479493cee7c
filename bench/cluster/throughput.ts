/**
 * Figure 3, throughput: site jobs/s with 30 instant sites (no latency, no limits) through the
 * cluster, bulk searches on all of them created as fast as the nodes admit them, beside bare
 * BullMQ in this process running as many no-op jobs on queues of the same shape.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { BenchSiteSpec } from '../bench-sites';
import type { BenchSites } from '../start-bench-sites';
import { round } from '../../scripts/support/figures';
import { cpuText, measureCpu, redisCpuSeconds, type CpuUse } from './cpu-use';
import { allEnded, createAll, pushedBackSoFar, pushedBackText, resetPushedBack, type PushedBack } from './searches';
import { BULL_PREFIX, DB, label, redisDbUrl, THROUGHPUT_JOBS } from './settings';
import { withCluster } from './with-cluster';

/**
 * 30 sites, the fan-out the admission rate's own measurements assume (30 site jobs a search): a
 * node admits new searches at a rate its event loop keeps up with (`server/http/admission-rate.ts`),
 * so with few sites per search the figure would be the admission of searches rather than the
 * running of site jobs (measured here with 10 sites: ~200 jobs/s, the queues empty throughout).
 */
export const INSTANT_SITES = 30;
/** Per site: as many in flight as a site may allow; a rate no run reaches. */
const INSTANT_LIMITS = { concurrency: 50, requests: 10_000, perMs: 1000 };
/** The instant sites every search is on. */
export const INSTANT_SPECS: BenchSiteSpec[] = Array.from({ length: INSTANT_SITES }, (_, i) => ({
  id: `instant${i}.test`,
  limits: INSTANT_LIMITS,
  latencyMs: { min: 0, max: 0 },
}));

/** One throughput run, of a cluster or of bare BullMQ. */
export interface ThroughputRun {
  readonly jobs: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
  readonly arrived: number;
  readonly seconds: number;
  readonly jobsPerSec: number;
  /**
   * Most site jobs waiting in the queues at once (sampled every 250 ms): near 0, the nodes ran
   * every job as soon as it was admitted, and the admission of searches set the pace.
   */
  readonly peakBacklog?: number;
  /** CPU over the run, % of one core (the bare run: this process's as its one node). */
  readonly cpu: CpuUse;
}

/** Site jobs waiting in the cluster's queues now (bulk jobs wait in BullMQ's `prioritized` sets). */
async function backlog(redis: Redis, siteIds: readonly string[]): Promise<number> {
  const counts = await Promise.all(siteIds.map((siteId) => redis.zcard(`${BULL_PREFIX}:site-${siteId}:prioritized`)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Runs the figure on a fresh cluster of `nodes` nodes, after a warm-up. */
export async function benchClusterThroughput(nodes: number, sites: BenchSites): Promise<ThroughputRun> {
  return withCluster(nodes, sites, async (cluster, redis) => {
    const searches = Math.ceil(THROUGHPUT_JOBS / INSTANT_SITES);
    const siteIds = INSTANT_SPECS.map((spec) => spec.id);
    // Every search on every site, bulk: 30 jobs per POST.
    const body = (name: string) => ({ name, sites: siteIds, priority: 'bulk' });
    await createAll(cluster, Array.from({ length: 30 }, (_, i) => body(`Warm ${i}`)), 16);
    await allEnded(redis, 60_000);
    await sites.reset();
    resetPushedBack();

    let peakBacklog = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakBacklog = Math.max(peakBacklog, await backlog(redis, siteIds));
        await sleep(250);
      }
    })();
    const measuring = await measureCpu(cluster, redis);
    const started = Date.now();
    try {
      await createAll(cluster, Array.from({ length: searches }, (_, i) => body(`Throughput ${i}`)), 16);
      const ended = await allEnded(redis, 120_000);
      const arrived = Object.values(await sites.stats()).reduce((sum, seen) => sum + seen.arrivals.length, 0);
      const jobs = searches * INSTANT_SITES;
      const seconds = (ended - started) / 1000;
      const cpu = await measuring();
      return { jobs, pushedBack: pushedBackSoFar(), arrived, seconds: round(seconds, 2), jobsPerSec: Math.round(jobs / seconds), peakBacklog, cpu };
    } finally {
      sampling = false;
      await sampler;
    }
  });
}

/**
 * Bare BullMQ in this process: the cluster's shape (a queue per site, one worker per queue at the
 * site's concurrency, bulk jobs prioritized, completed jobs removed) with no-op processors.
 */
export async function benchBareBullmq(jobs: number): Promise<ThroughputRun> {
  const connection = new Redis(redisDbUrl(DB.bare), { maxRetriesPerRequest: null });
  await connection.flushdb();
  const names = Array.from({ length: INSTANT_SITES }, (_, i) => `bare-${i}`);
  const queues = names.map((name) => new Queue(name, { connection, prefix: 'bench' }));
  let completed = 0;
  let onCompleted = () => {};
  const workers = names.map((name) => {
    const worker = new Worker(name, async () => undefined, {
      connection,
      prefix: 'bench',
      concurrency: INSTANT_LIMITS.concurrency,
      removeOnComplete: { count: 0 },
    });
    worker.on('completed', () => {
      completed++;
      onCompleted();
    });
    return worker;
  });
  const run = async (count: number): Promise<number> => {
    completed = 0;
    const done = new Promise<void>((resolve) => {
      onCompleted = () => {
        if (completed === count) resolve();
      };
    });
    const started = Date.now();
    const perQueue = Math.ceil(count / queues.length);
    for (let offset = 0; offset < perQueue; offset += 500) {
      const size = Math.min(500, perQueue - offset);
      await Promise.all(queues.map((queue) => queue.addBulk(Array.from({ length: size }, () => ({ name: 'site-job', data: {}, opts: { priority: 1 } })))));
    }
    await done;
    return (Date.now() - started) / 1000;
  };
  try {
    await run(1000);
    const total = Math.ceil(jobs / queues.length) * queues.length;
    const cpuBefore = process.cpuUsage();
    const redisBefore = await redisCpuSeconds(connection);
    const seconds = await run(total);
    const cpu = process.cpuUsage(cpuBefore);
    const redisUsed = (await redisCpuSeconds(connection)) - redisBefore;
    return {
      jobs: total,
      pushedBack: { 429: 0, 503: 0 },
      arrived: total,
      seconds: round(seconds, 2),
      jobsPerSec: Math.round(total / seconds),
      cpu: { nodes: [Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100)], redis: Math.round((redisUsed / seconds) * 100) },
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(queues.map((queue) => queue.close()));
    await connection.flushdb();
    connection.disconnect();
  }
}

/** The figure's table: a row per cluster size, then bare BullMQ, and 3 nodes against 1. */
export function printThroughput(throughput: { cluster: Record<string, ThroughputRun>; bare: ThroughputRun }): void {
  console.log('\n## 3. Throughput (site jobs/s, instant sites; bare BullMQ: the same jobs as no-ops in one process)');
  const rows: Record<string, Record<string, string | number>> = {};
  for (const [size, run] of Object.entries(throughput.cluster)) {
    rows[`cluster, ${size}`] = {
      'jobs/s': run.jobsPerSec,
      jobs: run.jobs,
      'arrived at sites': run.arrived,
      s: run.seconds,
      'peak backlog (jobs)': run.peakBacklog ?? '',
      'CPU % of a core: nodes · Redis': cpuText(run.cpu),
      'creations pushed back (429 / 503)': pushedBackText(run.pushedBack),
      'cluster / bare': round(run.jobsPerSec / throughput.bare.jobsPerSec, 3),
    };
  }
  rows['bare BullMQ in one process (no-op jobs)'] = {
    'jobs/s': throughput.bare.jobsPerSec,
    jobs: throughput.bare.jobs,
    s: throughput.bare.seconds,
    'CPU % of a core: nodes · Redis': cpuText(throughput.bare.cpu),
    'cluster / bare': 1,
  };
  console.table(rows);
  console.log(`3 nodes / 1 node = ${round(throughput.cluster[label(3)]!.jobsPerSec / throughput.cluster[label(1)]!.jobsPerSec, 3)}`);
}
