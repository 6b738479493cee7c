/**
 * `npm run bench:cluster` — what running sitescan as a cluster (server/cluster/) keeps and what it
 * costs, measured on real node processes, 1 node beside 3 in one run:
 *
 * 1. Quota use under saturation: BENCH_SATURATION_SEARCHES bulk searches, spread round-robin over
 *    the nodes, each on three strict sites (5, 10 and 20 requests/s), keep every site saturated
 *    for ≥ 10 s; per site, achieved/allowed (target ≥ 0.90) and the violations and 429s the site
 *    counted (target 0).
 * 2. Scheduling latency: from a search's creation to its request's arrival at each site — the
 *    site's wall-clock arrival minus the search's `createdAt` — under a light load (20 searches/s
 *    for 10 s over 10 sites whose limits are out of the way): p50 ≤ 10 ms, p99 ≤ 50 ms.
 * 3. Throughput: site jobs/s with 30 instant sites (no latency, no limits) through the cluster,
 *    bulk searches on all of them created as fast as the nodes admit them, beside bare BullMQ in
 *    this process running as many no-op jobs on queues of the same shape.
 * 4. Recovery, 3 nodes: a node is killed (SIGKILL) while a saturated site has jobs queued and
 *    some active on it — node-1 when it holds any, else the node holding most; time from the
 *    kill to the last of its jobs' `site:done`, as a surviving node serves it (target ≤ 5 s),
 *    BENCH_RECOVERY_RUNS times.
 *
 *   bench ──HTTP: create, read──▶ node-1 … node-N ──▶ Redis db 13 (1 node) / 14 (3 nodes)
 *     │                                │          └─▶ Elasticsearch <prefix>-*
 *     │                                └─requests─▶ bench sites (own process: arrivals, violations)
 *     └─ Redis, read only: the running searches, the site queues' active jobs
 *
 * Searches are created over HTTP, `POST /api/searches` naming the bench's sites (a bulk run,
 * `POST /api/bulk`, would also search the keyless place APIs, Nominatim on the internet), round-
 * robin on the nodes. A creation a node pushes back (429: its admission rate or load shedder;
 * 503) is sent again after its Retry-After, and counted: the figures say how often.
 *
 * Each figure gets fresh clusters (its own sites, a flushed database), so what one leaves behind
 * (searches still being persisted) does not slow the next. The nodes serve the production build:
 * it is built first when stale. Node logs: <tmpdir>/sitescan-<prefix>-<node>.log.
 *
 * Prints a table per figure and writes bench/results/cluster.json. Options (env): REDIS_URL
 * (redis://127.0.0.1:6379; databases 13–15 are taken and flushed), ELASTICSEARCH_URL
 * (http://127.0.0.1:9200), BENCH_SATURATION_SEARCHES (200), BENCH_THROUGHPUT_JOBS (10,000),
 * BENCH_RECOVERY_RUNS (3), BENCH_ONLY (a comma-separated subset of
 * `saturation,latency,throughput,recovery`; the JSON is then not written, so the committed
 * results always hold one whole run).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { SearchSnapshot } from '../lib/types';
import type { QueuedSiteJob } from '../server/cluster/cluster-scheduler';
import { ProcessCluster, type ClusterNodeProcess } from '../server/cluster/testing/process-cluster';
import { elasticIndexNames } from '../server/store/elastic-indices';
import { killAllChildren } from '../scripts/support/child-process';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';
import type { BenchSiteSpec } from './bench-sites';
import { quotaUse } from './quota-use';
import { startBenchSites, type BenchSites } from './start-bench-sites';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
/** The bench's Redis databases; the tests take 0, 11 and 12. */
const DB = { oneNode: 13, threeNodes: 14, bare: 15 } as const;
const redisDbUrl = (db: number) => `${REDIS_URL.replace(/\/\d*$/, '')}/${db}`;
const SATURATION_SEARCHES = Number(process.env.BENCH_SATURATION_SEARCHES ?? 200);
const THROUGHPUT_JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS ?? 10_000);
const RECOVERY_RUNS = Number(process.env.BENCH_RECOVERY_RUNS ?? 3);
const PARTS = ['saturation', 'latency', 'throughput', 'recovery'] as const;
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((part) => part.trim()) : [...PARTS];
for (const part of ONLY) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`BENCH_ONLY: expected parts of ${PARTS.join(',')}, got "${part}"`);
}
const runs = (part: (typeof PARTS)[number]) => ONLY.includes(part);
const NODE_COUNTS = [1, 3] as const;
const label = (nodes: number) => (nodes === 1 ? '1 node' : `${nodes} nodes`);

/** The cluster's set of running search ids (`ClusterSearchLog.runningSet`, default key prefix). */
const RUNNING_SET = 'sitescan:running';
/** BullMQ's key prefix in the cluster (`ClusterPipeline`: the key prefix without its colon). */
const BULL_PREFIX = 'sitescan';

// --- helpers ---------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** Index prefixes of the clusters this run started: their indices are dropped at the end. */
const indexPrefixes: string[] = [];

/** Requests the nodes pushed back (429 or 503 with Retry-After) and the bench sent again, by status. */
const pushedBack = { 429: 0, 503: 0 };
type PushedBack = Readonly<typeof pushedBack>;
const pushedBackText = (counts: PushedBack) => `${counts[429]} / ${counts[503]}`;

/**
 * Creates one search (`POST /api/searches`, the body as it takes it) as a well-behaved client
 * does: pushed back (429 at capacity, 503), it waits the Retry-After and asks again.
 */
async function createSearch(node: ClusterNodeProcess, body: Record<string, unknown>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${node.url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 201) return ((await response.json()) as { id: string }).id;
    const text = await response.text();
    if ((response.status === 429 || response.status === 503) && attempt < 30) {
      pushedBack[response.status]++;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    throw new Error(`${node.id} answered ${response.status} (attempt ${attempt}): ${text}`);
  }
}

/**
 * Loads both API routes on every node without creating anything (a refused body, an unknown id),
 * so that no measured request pays for the first load of a route.
 */
async function warmRoutes(nodes: readonly ClusterNodeProcess[]): Promise<void> {
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
async function withCluster<T>(nodes: number, sites: BenchSites, use: (cluster: ProcessCluster, redis: Redis) => Promise<T>): Promise<T> {
  const db = nodes === 1 ? DB.oneNode : DB.threeNodes;
  await sites.reset();
  const cluster = await ProcessCluster.start({ redisUrl: REDIS_URL, db, elasticsearchUrl: ELASTICSEARCH_URL, sites: sites.definitions, nodes });
  indexPrefixes.push(cluster.indexPrefix);
  // No retry limit: the recovery figure's BullMQ queue reads through it, and BullMQ asks for that.
  const redis = new Redis(cluster.redisUrl, { maxRetriesPerRequest: null });
  try {
    await warmRoutes(cluster.nodes);
    pushedBack[429] = pushedBack[503] = 0;
    return await use(cluster, redis);
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}

/** Where a cluster's nodes log. */
function logsOf(cluster: ProcessCluster, nodes: number): string {
  return path.join(tmpdir(), `sitescan-${cluster.indexPrefix}-node-{1..${nodes}}.log`);
}

/** Creates `bodies[i]` on node i mod N (`POST /api/searches`), `parallel` requests at a time; the ids in the bodies' order. */
async function createAll(cluster: ProcessCluster, bodies: readonly Record<string, unknown>[], parallel: number): Promise<string[]> {
  const nodes = [...cluster.nodes];
  const ids = new Array<string>(bodies.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < bodies.length) {
        const i = next++;
        ids[i] = await createSearch(nodes[i % nodes.length]!, bodies[i]!);
      }
    }),
  );
  return ids;
}

/** Reads each search from a node, `parallel` at a time. */
async function readAll(cluster: ProcessCluster, node: ClusterNodeProcess, ids: readonly string[], parallel = 10): Promise<SearchSnapshot[]> {
  const snapshots = new Array<SearchSnapshot>(ids.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ids.length) {
        const i = next++;
        snapshots[i] = await cluster.get(node, ids[i]!);
      }
    }),
  );
  return snapshots;
}

/** CPU time (user + system) a process has used, s; NaN where /proc is not there to read. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in
    // clock ticks (100 a second on Linux).
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    // Not Linux, or the process is gone: the figure is left blank rather than the run failed.
    return Number.NaN;
  }
}

/** CPU time the Redis server has used (INFO cpu), s: all its clients', not only the cluster's. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** CPU use over a run, % of one core. */
interface CpuUse {
  readonly nodes: readonly number[];
  /** The Redis server's, whoever its clients were. */
  readonly redis: number;
}

/**
 * Starts measuring the CPU of the nodes and of Redis; the function it returns gives their mean
 * use since, in % of one core — to tell whether a figure was bound by CPU (two cores here,
 * shared with Elasticsearch, the sites and this process).
 */
async function measureCpu(cluster: ProcessCluster, redis: Redis): Promise<() => Promise<CpuUse>> {
  const nodes = [...cluster.nodes];
  const started = performance.now();
  const before = await Promise.all(nodes.map((node) => cpuSeconds(node.child.process.pid)));
  const redisBefore = await redisCpuSeconds(redis);
  return async () => {
    const seconds = (performance.now() - started) / 1000;
    const after = await Promise.all(nodes.map((node) => cpuSeconds(node.child.process.pid)));
    const percent = (used: number) => Math.round((used / seconds) * 100);
    return { nodes: after.map((used, i) => percent(used - before[i]!)), redis: percent((await redisCpuSeconds(redis)) - redisBefore) };
  };
}

const cpuText = (cpu: CpuUse) => `${cpu.nodes.join(' / ')} · Redis ${cpu.redis}`;

/**
 * Resolves with the wall-clock time at which the cluster has no running search left, read from
 * Redis every 20 ms (cheaper for the nodes than following thousands of searches over sockets).
 */
async function allEnded(redis: Redis, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = await redis.scard(RUNNING_SET);
    if (running === 0) return Date.now();
    if (Date.now() > until) throw new Error(`${running} searches still running ${timeoutMs} ms after the last was created`);
    await sleep(20);
  }
}

// --- 1. quota use under saturation -------------------------------------------------------------

/** Bulk searches a node lets run before it ends them (`BULK_DEADLINE_MS`, default). */
const BULK_DEADLINE_MS = 60_000;

const SATURATION_SPECS: BenchSiteSpec[] = [
  { id: 'strict5.test', limits: { concurrency: 2, requests: 5, perMs: 1000 }, latencyMs: { min: 20, max: 80 } },
  { id: 'mid10.test', limits: { concurrency: 3, requests: 10, perMs: 1000 }, latencyMs: { min: 20, max: 80 } },
  { id: 'loose20.test', limits: { concurrency: 5, requests: 20, perMs: 1000 }, latencyMs: { min: 20, max: 80 } },
];
{
  // Every search is on every site: the strictest takes N / 5 s, and must finish within the
  // deadline (with room for start-up), or the figure would count deadline failures.
  const strictest = Math.min(...SATURATION_SPECS.map((spec) => (spec.limits.requests * 1000) / spec.limits.perMs));
  const fastest = Math.max(...SATURATION_SPECS.map((spec) => (spec.limits.requests * 1000) / spec.limits.perMs));
  const most = Math.floor(strictest * (BULK_DEADLINE_MS / 1000) * 0.8);
  const fewest = fastest * 10;
  if (!(SATURATION_SEARCHES >= fewest && SATURATION_SEARCHES <= most)) {
    throw new Error(`BENCH_SATURATION_SEARCHES: expected ${fewest}–${most} (every site saturated ≥ 10 s, the strictest done within the bulk deadline), got ${SATURATION_SEARCHES}`);
  }
}

interface SaturationFigures {
  readonly searches: number;
  readonly seconds: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
  readonly sites: Record<string, { quotaUse: number; violations: number; refused: number; maxInWindow: number; done: number; jobs: number }>;
}

async function benchSaturation(nodes: number, sites: BenchSites): Promise<SaturationFigures> {
  return withCluster(nodes, sites, async (cluster, redis) => {
    const started = Date.now();
    const siteIds = SATURATION_SPECS.map((spec) => spec.id);
    const ids = await createAll(cluster, Array.from({ length: SATURATION_SEARCHES }, (_, i) => ({ name: `Saturation ${i}`, sites: siteIds, priority: 'bulk' })), 8);
    const ended = await allEnded(redis, 120_000);
    const snapshots = await readAll(cluster, cluster.nodes[0]!, ids);
    const stats = await sites.stats();
    const figures: SaturationFigures['sites'] = {};
    for (const spec of SATURATION_SPECS) {
      const seen = stats[spec.id]!;
      const results = snapshots.flatMap((snapshot) => snapshot.results).filter((result) => result.siteId === spec.id);
      figures[spec.id] = {
        quotaUse: round(quotaUse(seen.arrivals, spec.limits), 3),
        violations: seen.exceeded ? seen.maxArrivalsInWindow - spec.limits.requests : 0,
        refused: seen.refused,
        maxInWindow: seen.maxArrivalsInWindow,
        done: results.filter((result) => result.status === 'done').length,
        jobs: results.length,
      };
    }
    const missed = Object.values(figures).some((site) => !(site.quotaUse >= 0.9) || site.violations > 0);
    if (missed) console.log(`   ${label(nodes)}: a target was missed; node logs: ${logsOf(cluster, nodes)}`);
    return { searches: ids.length, seconds: round((ended - started) / 1000, 2), pushedBack: { ...pushedBack }, sites: figures };
  });
}

// --- 2. scheduling latency -----------------------------------------------------------------------

const LATENCY_SPECS: BenchSiteSpec[] = Array.from({ length: 10 }, (_, i) => ({
  id: `fast${i}.test`,
  // Limits out of the way: this measures the cluster's scheduling, not queueing at the sites.
  limits: { concurrency: 100, requests: 10_000, perMs: 1000 },
  latencyMs: { min: 20, max: 50 },
}));
const LATENCY_RATE = 20;
const LATENCY_SECONDS = 10;

interface LatencyRow {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly jobs: number;
}

interface LatencyFigures {
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

async function benchLatency(nodes: number, sites: BenchSites): Promise<LatencyFigures> {
  return withCluster(nodes, sites, async (cluster, redis) => {
    // Warm-up at the rate measured: kept-alive connections to the sites, optimised code.
    await createPaced(cluster, LATENCY_RATE * 2, LATENCY_RATE, (i) => ({ name: `Warm ${i}` }));
    await allEnded(redis, 30_000);
    await sites.reset();
    pushedBack[429] = pushedBack[503] = 0;

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
      pushedBack: { ...pushedBack },
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
async function benchBareLatency(): Promise<LatencyRow> {
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

// --- 3. throughput -------------------------------------------------------------------------------

/**
 * 30 sites, the fan-out the admission rate's own measurements assume (30 site jobs a search): a
 * node admits new searches at a rate its event loop keeps up with (`server/http/admission-rate.ts`),
 * so with few sites per search the figure would be the admission of searches rather than the
 * running of site jobs (measured here with 10 sites: ~200 jobs/s, the queues empty throughout).
 */
const INSTANT_SITES = 30;
/** Per site: as many in flight as a site may allow; a rate no run reaches. */
const INSTANT_LIMITS = { concurrency: 50, requests: 10_000, perMs: 1000 };
const INSTANT_SPECS: BenchSiteSpec[] = Array.from({ length: INSTANT_SITES }, (_, i) => ({
  id: `instant${i}.test`,
  limits: INSTANT_LIMITS,
  latencyMs: { min: 0, max: 0 },
}));

interface ThroughputRun {
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

async function benchClusterThroughput(nodes: number, sites: BenchSites): Promise<ThroughputRun> {
  return withCluster(nodes, sites, async (cluster, redis) => {
    const searches = Math.ceil(THROUGHPUT_JOBS / INSTANT_SITES);
    const siteIds = INSTANT_SPECS.map((spec) => spec.id);
    // Every search on every site, bulk: 30 jobs per POST.
    const body = (name: string) => ({ name, sites: siteIds, priority: 'bulk' });
    await createAll(cluster, Array.from({ length: 30 }, (_, i) => body(`Warm ${i}`)), 16);
    await allEnded(redis, 60_000);
    await sites.reset();
    pushedBack[429] = pushedBack[503] = 0;

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
      return { jobs, pushedBack: { ...pushedBack }, arrived, seconds: round(seconds, 2), jobsPerSec: Math.round(jobs / seconds), peakBacklog, cpu };
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
async function benchBareBullmq(jobs: number): Promise<ThroughputRun> {
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

// --- 4. recovery -----------------------------------------------------------------------------------

const RECOVERY_SPEC: BenchSiteSpec = { id: 'recover.test', limits: { concurrency: 6, requests: 20, perMs: 1000 }, latencyMs: { min: 20, max: 80 } };
/** Searches per run: 10 s of work at the site's rate, so jobs are still queued at the kill. */
const RECOVERY_SEARCHES = 200;
/** The node killed when it holds jobs of the site. */
const FIRST_CHOICE = 'node-1';

interface RecoveryRun {
  /**
   * The node killed: node-1 when it held jobs of the site, else the node holding most. A saturated
   * site's slots stay with the nodes that hold them — BullMQ hands a slot freed under a queue's
   * global concurrency to the worker that freed it (`moveToFinished` fetches the next job in the
   * same call), and each worker may hold all of them — so a node without any when the site
   * filled up gets none until the queue drains, and waiting for node-1 would wait for nothing.
   */
  readonly killed: string;
  /** Nodes holding the site's active jobs just before the kill (BullMQ's `processedBy`), one entry a job. */
  readonly activeOn: readonly string[];
  /** Jobs of the site queued cluster-wide at that moment. */
  readonly queuedAtKill: number;
  /** Kill → the last of the killed node's jobs started again on a survivor (its lock lapsed, a stalled check moved it back). */
  readonly restartedMs: number;
  /** Kill → the last of the killed node's jobs `site:done`: the figure with the target. */
  readonly doneMs: number;
  /** Its jobs that ended before the kill took effect (their done is not a recovery). */
  readonly doneBeforeKill: number;
  readonly violations: number;
  readonly refused: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
}

async function recoveryRun(cluster: ProcessCluster, redis: Redis, sites: BenchSites, run: number): Promise<RecoveryRun> {
  await sites.reset();
  pushedBack[429] = pushedBack[503] = 0;
  const queue = new Queue<QueuedSiteJob>(`site-${RECOVERY_SPEC.id}`, { connection: redis, prefix: BULL_PREFIX });
  try {
    const bodies = Array.from({ length: RECOVERY_SEARCHES }, (_, i) => ({ name: `Recovery ${run} ${i}`, sites: [RECOVERY_SPEC.id], priority: 'bulk' }));
    await createAll(cluster, bodies, 8);
    // The site is saturated (its jobs queued): see who holds its active jobs, and kill at once.
    const [active, counts] = await Promise.all([queue.getActive(), queue.getJobCounts('wait', 'prioritized')]);
    const activeOn = active.map((job) => job.processedBy ?? '?');
    const held = (id: string) => activeOn.filter((holder) => holder === id).length;
    const killed = held(FIRST_CHOICE) > 0 ? FIRST_CHOICE : [...new Set(activeOn)].sort((a, b) => held(b) - held(a))[0];
    if (!killed || !cluster.nodes.some((node) => node.id === killed)) {
      throw new Error(`run ${run}: no node holds a job of ${RECOVERY_SPEC.id} (active on: ${activeOn.join(', ') || 'none'}; queued: ${JSON.stringify(counts)})`);
    }
    const victimJobs = active.filter((job) => job.processedBy === killed).map((job) => job.data.searchId);
    const killedAt = Date.now();
    await cluster.kill(cluster.node(killed));

    const survivor = cluster.nodes[0]!;
    const done: number[] = [];
    const restarted: number[] = [];
    let doneBeforeKill = 0;
    for (const searchId of victimJobs) {
      for (let attempt = 0; ; attempt++) {
        const snapshot = await cluster.get(survivor, searchId);
        const result = snapshot.results.find((candidate) => candidate.siteId === RECOVERY_SPEC.id)!;
        if (result.status === 'done') {
          const ends = snapshot.events.filter((event) => event.type === 'site:done' && event.siteId === RECOVERY_SPEC.id);
          const at = ends.at(-1)!.at;
          if (at < killedAt) doneBeforeKill++;
          else done.push(at - killedAt);
          const starts = snapshot.events.filter((event) => event.type === 'site:started' && event.siteId === RECOVERY_SPEC.id && event.at >= killedAt);
          if (starts.length > 0) restarted.push(starts.at(-1)!.at - killedAt);
          break;
        }
        if (result.status === 'failed' || result.status === 'cancelled' || result.status === 'skipped') {
          throw new Error(`search ${searchId}: ${RECOVERY_SPEC.id} ended ${result.status} (${result.error ?? ''}) after ${killed} was killed`);
        }
        if (attempt === 600) throw new Error(`search ${searchId}: ${RECOVERY_SPEC.id} not done 60 s after ${killed} was killed`);
        await sleep(100);
      }
    }
    await allEnded(redis, 60_000);
    const seen = (await sites.stats())[RECOVERY_SPEC.id]!;
    const figures: RecoveryRun = {
      killed,
      activeOn,
      queuedAtKill: (counts.wait ?? 0) + (counts.prioritized ?? 0),
      restartedMs: restarted.length > 0 ? Math.max(...restarted) : Number.NaN,
      doneMs: done.length > 0 ? Math.max(...done) : Number.NaN,
      doneBeforeKill,
      violations: seen.exceeded ? seen.maxArrivalsInWindow - RECOVERY_SPEC.limits.requests : 0,
      refused: seen.refused,
      pushedBack: { ...pushedBack },
    };
    if (!(figures.doneMs <= 5_000)) console.log(`   run ${run}: target missed; node logs: ${logsOf(cluster, 3)}`);
    return figures;
  } finally {
    await queue.close();
  }
}

/** Runs one after the other on one cluster, the killed node started again between them. */
async function benchRecovery(sites: BenchSites): Promise<RecoveryRun[]> {
  return withCluster(3, sites, async (cluster, redis) => {
    const figures: RecoveryRun[] = [];
    for (let run = 1; run <= RECOVERY_RUNS; run++) {
      const measured = await recoveryRun(cluster, redis, sites, run);
      figures.push(measured);
      if (run < RECOVERY_RUNS) await warmRoutes([await cluster.startNode(measured.killed)]);
    }
    return figures;
  });
}

// --- run -----------------------------------------------------------------------------------------

/** Runs `bench` for each cluster size on one set of sites, closed afterwards. */
async function bySize<T>(specs: readonly BenchSiteSpec[], bench: (nodes: number, sites: BenchSites) => Promise<T>): Promise<Record<string, T>> {
  const sites = await startBenchSites(specs);
  try {
    const figures: Record<string, T> = {};
    for (const nodes of NODE_COUNTS) figures[label(nodes)] = await bench(nodes, sites);
    return figures;
  } finally {
    sites.close();
  }
}

async function cleanUp(): Promise<void> {
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

async function main() {
  // Nodes must not outlive the bench (Ctrl-C, a closed pipe, a crash): they would go on taking
  // jobs from these databases, and the next run's.
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));
  (buildIfNeeded as () => boolean)();
  const loadBefore = loadavg().map((load) => round(load, 2));
  let saturation: Record<string, SaturationFigures> | undefined;
  let latency: Record<string, LatencyFigures> | undefined;
  let bareLatency: LatencyRow | undefined;
  let throughput: { cluster: Record<string, ThroughputRun>; bare: ThroughputRun } | undefined;
  let recovery: RecoveryRun[] | undefined;
  try {
    if (runs('saturation')) {
      console.log(`1/4 quota use under saturation (${SATURATION_SEARCHES} bulk searches × ${SATURATION_SPECS.length} strict sites; 1 node, then 3) …`);
      saturation = await bySize(SATURATION_SPECS, benchSaturation);
    }
    if (runs('latency')) {
      console.log(`2/4 scheduling latency (${LATENCY_RATE} searches/s for ${LATENCY_SECONDS} s over ${LATENCY_SPECS.length} sites; 1 node, then 3) …`);
      latency = await bySize(LATENCY_SPECS, benchLatency);
      bareLatency = await benchBareLatency();
    }
    if (runs('throughput')) {
      console.log(`3/4 throughput (${THROUGHPUT_JOBS} site jobs on ${INSTANT_SITES} instant sites; 1 node, 3, then bare BullMQ) …`);
      const cluster = await bySize(INSTANT_SPECS, benchClusterThroughput);
      throughput = { cluster, bare: await benchBareBullmq(THROUGHPUT_JOBS) };
    }
    if (runs('recovery')) {
      console.log(`4/4 recovery (3 nodes, one killed with jobs of a saturated site active on it, ${RECOVERY_RUNS} times) …`);
      const sites = await startBenchSites([RECOVERY_SPEC]);
      try {
        recovery = await benchRecovery(sites);
      } finally {
        sites.close();
      }
    }
  } finally {
    // A run that failed half-way must not leave nodes taking jobs from these databases.
    killAllChildren();
    await cleanUp();
  }

  if (saturation) {
    console.log('\n## 1. Quota use under saturation — target achieved/allowed ≥ 0.90, violations 0');
    const rows: Record<string, Record<string, string | number>> = {};
    for (const [size, figures] of Object.entries(saturation)) {
      for (const [siteId, site] of Object.entries(figures.sites)) {
        rows[`${size} · ${siteId}`] = {
          'achieved/allowed': site.quotaUse,
          'violations (over limit in a window)': site.violations,
          '429s': site.refused,
          'max in a window': site.maxInWindow,
          'done / jobs': `${site.done} / ${site.jobs}`,
          'run s': figures.seconds,
          'creations pushed back (429 / 503)': pushedBackText(figures.pushedBack),
          target: verdict(site.quotaUse >= 0.9 && site.violations === 0),
        };
      }
    }
    console.table(rows);
    const one = saturation[label(1)]!;
    const three = saturation[label(3)]!;
    for (const siteId of Object.keys(one.sites)) console.log(`${siteId}: achieved/allowed 3 nodes / 1 node = ${round(three.sites[siteId]!.quotaUse / one.sites[siteId]!.quotaUse, 3)}`);
  }
  if (latency) {
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
  if (throughput) {
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
  if (recovery) {
    console.log(`\n## 4. Recovery: a node killed (SIGKILL) → the last of its active jobs site:done on a survivor (ms) — target ≤ 5000`);
    const rows: Record<string, Record<string, string | number>> = {};
    recovery.forEach((run, i) => {
      rows[`run ${i + 1}`] = {
        killed: run.killed,
        'its active jobs': run.activeOn.filter((holder) => holder === run.killed).length,
        'active on (all nodes)': run.activeOn.join(' '),
        'queued at kill': run.queuedAtKill,
        'kill → restarted': run.restartedMs,
        'kill → site:done': run.doneMs,
        'done before kill': run.doneBeforeKill,
        violations: run.violations,
        '429s': run.refused,
        'creations pushed back (429 / 503)': pushedBackText(run.pushedBack),
        target: verdict(run.doneMs <= 5_000),
      };
    });
    console.table(rows);
  }

  if (saturation && latency && throughput && recovery) {
    const results = {
      at: new Date().toISOString(),
      node: process.version,
      nodeFlags: process.execArgv.filter((flag) => flag.startsWith('--max')),
      loadAverage: { before: loadBefore, after: loadavg().map((load) => round(load, 2)) },
      saturation,
      latency: { ...latency, bareBullmq: bareLatency },
      throughput,
      recovery,
    };
    await mkdir(path.join(process.cwd(), 'bench/results'), { recursive: true });
    await writeFile(path.join(process.cwd(), 'bench/results/cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwritten: bench/results/cluster.json');
  }
}

await main();
