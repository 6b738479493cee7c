/**
 * `npm run bench:tail` — the tail of search time, hedging off beside hedging on in one run:
 *
 * 1. One site, heavy-tailed: log-normal latency (median 500 ms, sigma 0.8) and 3% of requests
 *    that hang, in its own process (bench-sites.ts), limits out of the way (8 at once, 20/s).
 *    BENCH_TAIL_SEARCHES one-site searches a round, one every 250 ms, unique names: search time
 *    p50/p95/p99 (targets p95 ≤ 2 s, p99 ≤ 3 s), share done (≥ 98%), requests the site received
 *    per search (≤ 1.25), hedges per search, limit violations the site counted (0).
 * 2. The sandbox with its default profile (its latencies and faults untouched: the yardstick), in
 *    its own process, all 41 sites: BENCH_TAIL_SANDBOX_SEARCHES searches a round, one every
 *    1.25 s (Nominatim's 1 request/s paces the whole network), the interactive deadline of 5 s,
 *    unique businesses (no cache hits): search time p50/p95/p99 (target p95 ≤ 4 s), jobs done /
 *    jobs ended (≥ 99.9%) with the `deadline` failures apart, limit violations the sandbox
 *    counted (0), and per site the hedges as a share of its requests.
 *
 * Both also report how late a search ended past its deadline: max(search:completed − deadlineAt).
 * The sandbox part also lists, for each search over its p95 target, the job it waited for last
 * (how long that job queued, ran, retried or hedged: its timeline) and, with hedging on, the slow
 * requests that got no hedge by reason (no free slot, budget spent …).
 *
 * How: rounds alternate off, on, off, on … (BENCH_TAIL_ROUNDS of each), each on a fresh pipeline
 * (`new Pipeline({hedging})`) that first searches BENCH_TAIL_WARMUP searches not counted, so that
 * each site's latency model has the answers it needs before it hedges; the two rounds of a pair
 * search the same names, and the sites draw latencies and faults from a seed, so a pair meets the
 * same sites. A search's time is its `search:completed` event's `at` minus its `createdAt`; its
 * hedges are its `site:hedged` events. See bench/tail/one-site.ts and bench/tail/sandbox.ts.
 *
 * Prints a table per scenario (off, on, on/off, target, met) and writes bench/results/tail.json.
 * Options (env): BENCH_TAIL_SEARCHES (200), BENCH_TAIL_PACE_MS (250), BENCH_TAIL_SANDBOX_SEARCHES
 * (40), BENCH_TAIL_SANDBOX_PACE_MS (1250), BENCH_TAIL_WARMUP (30), BENCH_TAIL_ROUNDS (2),
 * BENCH_TAIL_SEED (1), BENCH_ONLY (a comma-separated subset of `one-site,sandbox`; the JSON is then
 * not written, so the committed results always hold one whole run).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killAllChildren } from '../scripts/support/child-process';
import { benchOneSite, printOneSite, type OneSiteResults } from './tail/one-site';
import { benchSandbox, printSandbox, type SandboxResults } from './tail/sandbox';
import { ONE_SITE_SEARCHES, ROUNDS, runs, SANDBOX_SEARCHES, WARMUP_SEARCHES } from './tail/settings';

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'sitescan-bench-tail-'));
  try {
    let oneSite: OneSiteResults | undefined;
    let sandbox: SandboxResults | undefined;
    if (runs('one-site')) {
      console.log(`1/2 one heavy-tailed site (${ROUNDS} × off, on; ${WARMUP_SEARCHES} warm-up + ${ONE_SITE_SEARCHES} searches a round) …`);
      oneSite = await benchOneSite(dir);
    }
    if (runs('sandbox')) {
      console.log(`2/2 sandbox, default profile, all sites (${ROUNDS} × off, on; ${WARMUP_SEARCHES} warm-up + ${SANDBOX_SEARCHES} searches a round) …`);
      sandbox = await benchSandbox(dir);
    }
    if (oneSite) printOneSite(oneSite);
    if (sandbox) printSandbox(sandbox);
    if (oneSite && sandbox) {
      const results = { at: new Date().toISOString(), node: process.version, nodeFlags: process.execArgv.filter((flag) => flag.startsWith('--max')), oneSite, sandbox };
      await mkdir(path.join(process.cwd(), 'bench/results'), { recursive: true });
      await writeFile(path.join(process.cwd(), 'bench/results/tail.json'), `${JSON.stringify(results, null, 2)}\n`);
      console.log('\nwritten: bench/results/tail.json');
    }
  } finally {
    killAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
