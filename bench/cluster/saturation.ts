/**
 * Figure 1, quota use under saturation: BENCH_SATURATION_SEARCHES bulk searches, spread round-robin
 * over the nodes, each on three strict sites (5, 10 and 20 requests/s), keep every site saturated
 * for ≥ 10 s; per site, achieved/allowed (target ≥ 0.90) and the violations and 429s the site
 * counted (target 0).
 */
import type { BenchSiteSpec } from '../bench-sites';
import { quotaColumns } from '../quota-columns';
import { quotaUse } from '../quota-use';
import type { BenchSites } from '../start-bench-sites';
import { round } from '../../scripts/support/figures';
import { allEnded, createAll, pushedBackSoFar, pushedBackText, readAll, type PushedBack } from './searches';
import { label, SATURATION_SEARCHES, verdict } from './settings';
import { logsOf, withCluster } from './with-cluster';

/** Bulk searches a node lets run before it ends them (`BULK_DEADLINE_MS`, default). */
const BULK_DEADLINE_MS = 60_000;

/** The strict sites every search is on. */
export const SATURATION_SPECS: BenchSiteSpec[] = [
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

/** What one cluster size achieved on each site. */
export interface SaturationFigures {
  readonly searches: number;
  readonly seconds: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
  readonly sites: Record<string, { quotaUse: number; violations: number; refused: number; maxInWindow: number; done: number; jobs: number }>;
}

/** Runs the figure on a fresh cluster of `nodes` nodes. */
export async function benchSaturation(nodes: number, sites: BenchSites): Promise<SaturationFigures> {
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
    return { searches: ids.length, seconds: round((ended - started) / 1000, 2), pushedBack: pushedBackSoFar(), sites: figures };
  });
}

/** The figure's table, a row per cluster size and site, then 3 nodes against 1. */
export function printSaturation(saturation: Record<string, SaturationFigures>): void {
  console.log('\n## 1. Quota use under saturation — target achieved/allowed ≥ 0.90, violations 0');
  const rows: Record<string, Record<string, string | number>> = {};
  for (const [size, figures] of Object.entries(saturation)) {
    for (const [siteId, site] of Object.entries(figures.sites)) {
      rows[`${size} · ${siteId}`] = {
        ...quotaColumns(site),
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
