/**
 * Figure 2, scheduling latency: from a search's creation to its request's arrival at each site —
 * the site's wall-clock arrival minus the search's `createdAt` — under a light load (20 searches/s
 * for 10 s over 10 sites whose limits are out of the way): p50 ≤ 10 ms, p99 ≤ 50 ms. Beside it,
 * where the time goes, and the floor of one BullMQ hop in this process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProcessCluster } from '../../server/cluster/testing/process-cluster';
import type { BenchSiteSpec } from '../bench-sites';
import type { BenchSites } from '../start-bench-sites';
import { percentile, round } from '../../scripts/support/figures';
import { cpuText, measureCpu, type CpuUse } from './cpu-use';
import { allEnded, createSearch, pushedBackSoFar, pushedBackText, readAll, resetPushedBack, type PushedBack } from './searches';
import { DB, label, redisDbUrl, verdict } from './settings';
import { logsOf, withCluster } from './with-cluster';

/** Ten sites whose limits are out of the way. */
export const LATENCY_SPECS: BenchSiteSpec[] = Array.from({ length: 10 }, (_, i) => ({
  id: `fast${i}.test`,
  // Limits out of the way: this measures the cluster's scheduling, not queueing at the sites.
  limits: { concurrency: 100, requests: 10_000, perMs: 1000 },
  latencyMs: { min: 20, max: 50 },
}));
/** Searches created per second. */
export const LATENCY_RATE = 20;
/** Seconds of the measured run. */
export const LATENCY_SECONDS = 10;

/** One latency's percentiles (ms) over `jobs` measurements. */
export interface LatencyRow {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly jobs: number;
}

/** What one cluster size measured. */
export interface LatencyFigures {
  readonly searches: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
  /** Created → arrival at the site: the figure with the targets. */
  readonly enqueueToArrival: LatencyRow;
  /**
   * Where it goes, per search: created → the node's 201 received (it answers once Redis holds the
   * search, its deadline and its jobs; the jobs may be taken before).
   */
  readonly createdToAnswered: LatencyRow;
  /** … per job: created → `site:scheduled` (in Redis until a worker took it, asked whether it is wanted). */
  readonly createdToScheduled: LatencyRow;
  /** CPU over the measured run, % of one core. */
  readonly cpu: CpuUse;
  /** … and `site:started` → arrival (the shared send window, then the request). */
  readonly startedToArrival: LatencyRow;
}

function latencyRow(values: readonly number[]): LatencyRow {
  return {
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(Math.max(...values)),
    jobs: values.length,
  };
}

/**
 * Creates `count` searches at `perSecond`, open loop (a slow answer does not delay the next),
 * round-robin on the nodes; each id with the wall-clock time its 201 arrived.
 */
async function createPaced(
  cluster: ProcessCluster,
  count: number,
  perSecond: number,
  body: (i: number) => Record<string, unknown>,
): Promise<{ id: string; answeredAt: number }[]> {
  const nodes = [...cluster.nodes];
  const started = performance.now();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(Math.max(0, started + (i * 1000) / perSecond - performance.now()));
      const id = await createSearch(nodes[i % nodes.length]!, body(i));
      return { id, answeredAt: Date.now() };
    }),
  );
}

/** Runs the figure on a fresh cluster of `nodes` nodes, after a warm-up at the rate measured. */
export async function benchLatency(nodes: number, sites: BenchSites): Promise<LatencyFigures> {
  return withCluster(nodes, sites, async (cluster, redis) => {
    // Warm-up at the rate measured: kept-alive connections to the sites, optimised code.
    await createPaced(cluster, LATENCY_RATE * 2, LATENCY_RATE, (i) => ({ name: `Warm ${i}` }));
    await allEnded(redis, 30_000);
    await sites.reset();
    resetPushedBack();

    const measuring = await measureCpu(cluster, redis);
    const created = await createPaced(cluster, LATENCY_RATE * LATENCY_SECONDS, LATENCY_RATE, (i) => ({ name: `Latency ${i}` }));
    const ids = created.map((entry) => entry.id);
    await allEnded(redis, 30_000);
    const cpu = await measuring();
    const snapshots = await readAll(cluster, cluster.nodes[0]!, ids);
    const answered = snapshots.map(({ search }, i) => created[i]!.answeredAt - search.createdAt);
    const arrivals = new Map<string, number>();
    for (const [siteId, seen] of Object.entries(await sites.stats())) {
      for (const arrival of seen.wallArrivals) {
        const key = `${siteId}\u0000${arrival.q}`;
        if (!arrivals.has(key)) arrivals.set(key, arrival.at);
      }
    }
    const total: number[] = [];
    const queued: number[] = [];
    const sending: number[] = [];
    for (const { search, events } of snapshots) {
      for (const spec of LATENCY_SPECS) {
        const arrived = arrivals.get(`${spec.id}\u0000${search.query.name}`);
        if (arrived === undefined) continue;
        total.push(arrived - search.createdAt);
        const scheduled = events.find((event) => event.type === 'site:scheduled' && event.siteId === spec.id);
        const started = events.find((event) => event.type === 'site:started' && event.siteId === spec.id);
        if (scheduled) queued.push(scheduled.at - search.createdAt);
        if (started) sending.push(arrived - started.at);
      }
    }
    const jobs = ids.length * LATENCY_SPECS.length;
    if (total.length !== jobs) console.log(`   ${label(nodes)}: ${jobs - total.length} of ${jobs} jobs never reached their site`);
    const figures: LatencyFigures = {
      searches: ids.length,
      pushedBack: pushedBackSoFar(),
      enqueueToArrival: latencyRow(total),
      createdToAnswered: latencyRow(answered),
      createdToScheduled: latencyRow(queued),
      startedToArrival: latencyRow(sending),
      cpu,
    };
    if (figures.enqueueToArrival.p50 > 10 || figures.enqueueToArrival.p99 > 50) console.log(`   ${label(nodes)}: a target was missed; node logs: ${logsOf(cluster, nodes)}`);
    return figures;
  });
}

/**
 * The floor of a BullMQ hop, for comparison: in this process, a job added (no priority, as an
 * interactive search's) → its no-op processor called, at the figure's job rate
 * (LATENCY_RATE × sites per search), on Redis db 15.
 */
export async function benchBareLatency(): Promise<LatencyRow> {
  const connection = new Redis(redisDbUrl(DB.bare), { maxRetriesPerRequest: null });
  await connection.flushdb();
  const queue = new Queue('bare-latency', { connection, prefix: 'bench' });
  const addedAt = new Map<string, number>();
  const latencies: number[] = [];
  const worker = new Worker(
    'bare-latency',
    async (job) => {
      latencies.push(performance.now() - addedAt.get(job.id!)!);
    },
    { connection, prefix: 'bench', concurrency: 100, removeOnComplete: { count: 0 } },
  );
  const perSecond = LATENCY_RATE * LATENCY_SPECS.length;
  const run = async (count: number, tag: string) => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        await sleep(Math.max(0, started + (i * 1000) / perSecond - performance.now()));
        addedAt.set(`${tag}-${i}`, performance.now());
        await queue.add('site-job', {}, { jobId: `${tag}-${i}` });
      }),
    );
    const until = Date.now() + 30_000;
    while (latencies.length < count) {
      if (Date.now() > until) throw new Error(`bare BullMQ: ${latencies.length} of ${count} jobs processed after 30 s`);
      await sleep(20);
    }
  };
  try {
    await run(perSecond * 2, 'warm');
    latencies.length = 0;
    await run(perSecond * LATENCY_SECONDS, 'measured');
    return latencyRow(latencies);
  } finally {
    await worker.close();
    await queue.close();
    await connection.flushdb();
    connection.disconnect();
  }
}

/** The figure's table: the target latency and where it goes, per cluster size, beside bare BullMQ. */
export function printLatency(latency: Record<string, LatencyFigures>, bareLatency: LatencyRow | undefined): void {
  console.log('\n## 2. Scheduling latency, search created → request arrives at the site (ms) — target p50 ≤ 10, p99 ≤ 50');
  const rows: Record<string, Record<string, string | number>> = {};
  for (const [size, figures] of Object.entries(latency)) {
    rows[`${size} · created → arrival`] = {
      ...figures.enqueueToArrival,
      'creations pushed back (429 / 503)': pushedBackText(figures.pushedBack),
      'CPU % of a core: nodes · Redis': cpuText(figures.cpu),
      target: verdict(figures.enqueueToArrival.p50 <= 10 && figures.enqueueToArrival.p99 <= 50),
    };
    rows[`${size} · (created → 201 received, per search)`] = { ...figures.createdToAnswered, target: '' };
    rows[`${size} · (created → site:scheduled)`] = { ...figures.createdToScheduled, target: '' };
    rows[`${size} · (site:started → arrival)`] = { ...figures.startedToArrival, target: '' };
  }
  if (bareLatency) rows['bare BullMQ in one process (add → processor)'] = { ...bareLatency, target: '' };
  console.table(rows);
  const one = latency[label(1)]!.enqueueToArrival;
  const three = latency[label(3)]!.enqueueToArrival;
  console.log(`3 nodes / 1 node: p50 ${round(three.p50 / one.p50, 2)}, p99 ${round(three.p99 / one.p99, 2)}`);
}
