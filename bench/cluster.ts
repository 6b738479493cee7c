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
 *
 * The figures, one file each in bench/cluster/ (saturation, latency, throughput, recovery), share
 * its settings, a fresh cluster per figure (with-cluster), the searches made on it (searches) and
 * the CPU they took (cpu-use).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { killAllChildren } from '../scripts/support/child-process';
import { round } from '../scripts/support/figures';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';
import type { BenchSiteSpec } from './bench-sites';
import { startBenchSites, type BenchSites } from './start-bench-sites';
import { benchBareLatency, benchLatency, LATENCY_RATE, LATENCY_SECONDS, LATENCY_SPECS, printLatency, type LatencyFigures, type LatencyRow } from './cluster/latency';
import { benchRecovery, printRecovery, RECOVERY_SPEC, type RecoveryRun } from './cluster/recovery';
import { benchSaturation, printSaturation, SATURATION_SPECS, type SaturationFigures } from './cluster/saturation';
import { label, NODE_COUNTS, RECOVERY_RUNS, runs, SATURATION_SEARCHES, THROUGHPUT_JOBS } from './cluster/settings';
import { benchBareBullmq, benchClusterThroughput, INSTANT_SITES, INSTANT_SPECS, printThroughput, type ThroughputRun } from './cluster/throughput';
import { cleanUp } from './cluster/with-cluster';

/** The figures of one run; a figure BENCH_ONLY left out is undefined. */
interface Figures {
  saturation?: Record<string, SaturationFigures>;
  latency?: Record<string, LatencyFigures>;
  bareLatency?: LatencyRow;
  throughput?: { cluster: Record<string, ThroughputRun>; bare: ThroughputRun };
  recovery?: RecoveryRun[];
}

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

/** Takes each figure BENCH_ONLY asks for, in order; whatever happens, nothing is left running or stored. */
async function measure(): Promise<Figures> {
  const figures: Figures = {};
  try {
    if (runs('saturation')) {
      console.log(`1/4 quota use under saturation (${SATURATION_SEARCHES} bulk searches × ${SATURATION_SPECS.length} strict sites; 1 node, then 3) …`);
      figures.saturation = await bySize(SATURATION_SPECS, benchSaturation);
    }
    if (runs('latency')) {
      console.log(`2/4 scheduling latency (${LATENCY_RATE} searches/s for ${LATENCY_SECONDS} s over ${LATENCY_SPECS.length} sites; 1 node, then 3) …`);
      figures.latency = await bySize(LATENCY_SPECS, benchLatency);
      figures.bareLatency = await benchBareLatency();
    }
    if (runs('throughput')) {
      console.log(`3/4 throughput (${THROUGHPUT_JOBS} site jobs on ${INSTANT_SITES} instant sites; 1 node, 3, then bare BullMQ) …`);
      const cluster = await bySize(INSTANT_SPECS, benchClusterThroughput);
      figures.throughput = { cluster, bare: await benchBareBullmq(THROUGHPUT_JOBS) };
    }
    if (runs('recovery')) {
      console.log(`4/4 recovery (3 nodes, one killed with jobs of a saturated site active on it, ${RECOVERY_RUNS} times) …`);
      const sites = await startBenchSites([RECOVERY_SPEC]);
      try {
        figures.recovery = await benchRecovery(sites);
      } finally {
        sites.close();
      }
    }
  } finally {
    // A run that failed half-way must not leave nodes taking jobs from these databases.
    killAllChildren();
    await cleanUp();
  }
  return figures;
}

/** Writes bench/results/cluster.json, when every figure was taken (the committed results hold one whole run). */
async function writeResults({ saturation, latency, bareLatency, throughput, recovery }: Figures, loadBefore: readonly number[]): Promise<void> {
  if (!(saturation && latency && throughput && recovery)) return;
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

async function main() {
  // Nodes must not outlive the bench (Ctrl-C, a closed pipe, a crash): they would go on taking
  // jobs from these databases, and the next run's.
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));
  (buildIfNeeded as () => boolean)();
  const loadBefore = loadavg().map((load) => round(load, 2));
  const figures = await measure();
  if (figures.saturation) printSaturation(figures.saturation);
  if (figures.latency) printLatency(figures.latency, figures.bareLatency);
  if (figures.throughput) printThroughput(figures.throughput);
  if (figures.recovery) printRecovery(figures.recovery);
  await writeResults(figures, loadBefore);
}

await main();
