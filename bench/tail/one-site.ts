/**
 * Scenario "one-site": one heavy-tailed site — log-normal latency (median 500 ms, sigma 0.8) with
 * 3% of requests hanging — searched alone, BENCH_TAIL_SEARCHES searches a round at one every
 * BENCH_TAIL_PACE_MS, hedging off and on in alternate rounds.
 *
 *   bench ── searches (4/s) ──▶ pipeline (fresh each round) ──▶ heavytail.test (own process:
 *                                                                 requests, hangs, violations)
 *
 * The site's limits (concurrency 8, 20 requests/s) sit well above what the pace needs (~2.5 in
 * flight, 4 requests/s plus retries and hedges): the figures measure the tail, not queueing. Its
 * definition keeps the schema's defaults for a site file (4 s per attempt, 2 retries). Each
 * round starts with BENCH_TAIL_WARMUP searches that are not counted, so the fresh pipeline's
 * latency model has the ~20 answers it needs before it hedges.
 *
 * Rounds come in pairs (off, on) that search the same names: the site draws each request's
 * latency and hang from (seed, site, query, how many requests for that query came before), so
 * both rounds of a pair meet the same first requests and differ only in what sitescan did about
 * them. Names are unique within a round; rounds have fresh pipelines, and the site's answers are
 * not cached (cacheTtlMs 0), so no search is answered without a request.
 */
import type { SearchSnapshot, SiteLiveStats } from '../../lib/types';
import { HttpConnector } from '../../server/sites/connector';
import { SiteRegistry } from '../../server/sites/site-registry';
import { round } from '../../scripts/support/figures';
import type { BenchSiteSpec } from '../bench-sites';
import { startBenchSites } from '../start-bench-sites';
import { limitViolations } from './limit-violations';
import { ratio, searchFigures, slowerThan, verdict, type SearchFigures } from './search-figures';
import { ONE_SITE_PACE_MS, ONE_SITE_SEARCHES, ROUNDS, SEED, TARGETS, WARMUP_SEARCHES } from './settings';
import { startTailApp } from './tail-app';

/** The heavy-tailed site of the issue. */
export const HEAVY_TAIL_SPEC: BenchSiteSpec = {
  id: 'heavytail.test',
  limits: { concurrency: 8, requests: 20, perMs: 1000 },
  latencyMs: { medianMs: 500, sigma: 0.8 },
  hangRate: 0.03,
  seed: SEED,
  timeoutMs: 4_000,
  retries: 2,
};

/** What the site counted in a round. */
export interface OneSiteCounts {
  /** Requests for the measured searches (warm-up aside), refused ones too. */
  readonly requests: number;
  /** Every request of the round, warm-up included. */
  readonly requestsInRound: number;
  readonly refused: number;
  readonly hung: number;
  readonly aborted: number;
  readonly maxConcurrency: number;
  readonly maxArrivalsInWindow: number;
  readonly violations: number;
}

/** One round: hedging off or on, a fresh pipeline. */
export interface OneSiteRound {
  readonly hedging: boolean;
  readonly pair: number;
  readonly figures: SearchFigures;
  readonly site: OneSiteCounts;
  /** The pipeline's view of the site at the round's end (its latency model, its hedges). */
  readonly model?: Partial<SiteLiveStats>;
}

/** The rounds of one mode, pooled. */
export interface OneSiteMode {
  readonly searches: number;
  readonly searchMs: SearchFigures['searchMs'];
  readonly doneShare: number;
  readonly requestsPerSearch: number;
  readonly hedgesPerSearch: number;
  readonly violations: number;
  readonly refused: number;
  readonly maxPastDeadlineMs: number;
  readonly withDeadlineFailure: number;
  readonly failed: Readonly<Record<string, number>>;
  /** Searches slower than the p99 target, and how many of them sent a hedge. */
  readonly overP99Target: { readonly searches: number; readonly hedged: number };
}

/** Everything the scenario measured. */
export interface OneSiteResults {
  readonly spec: BenchSiteSpec;
  readonly searchesPerRound: number;
  readonly warmupPerRound: number;
  readonly paceMs: number;
  readonly rounds: readonly OneSiteRound[];
  readonly off: OneSiteMode;
  readonly on: OneSiteMode;
}

/** Runs the rounds: off, on, off, on … */
export async function benchOneSite(dir: string): Promise<OneSiteResults> {
  const sites = await startBenchSites([HEAVY_TAIL_SPEC]);
  const rounds: OneSiteRound[] = [];
  const measured: Record<'off' | 'on', SearchSnapshot[]> = { off: [], on: [] };
  try {
    for (let pair = 0; pair < ROUNDS; pair++) {
      const warmUp = Array.from({ length: WARMUP_SEARCHES }, (_, i) => ({ name: `Warm Up ${pair}-${i}` }));
      const names = Array.from({ length: ONE_SITE_SEARCHES }, (_, i) => `Tail Bakery ${pair}-${i}`);
      for (const hedging of [false, true]) {
        console.log(`  one-site · round ${pair + 1}/${ROUNDS} · hedging ${hedging ? 'on' : 'off'} …`);
        await sites.reset();
        const app = startTailApp({ registry: new SiteRegistry(sites.definitions.map((d) => new HttpConnector(d))), hedging, dir });
        let snapshots: SearchSnapshot[];
        let model: SiteLiveStats | undefined;
        try {
          snapshots = await app.runPaced([...warmUp, ...names.map((name) => ({ name }))], ONE_SITE_PACE_MS);
          model = app.siteStats()[HEAVY_TAIL_SPEC.id];
        } finally {
          await app.close();
        }
        const counted = snapshots.slice(warmUp.length);
        measured[hedging ? 'on' : 'off'].push(...counted);
        const stats = (await sites.stats())[HEAVY_TAIL_SPEC.id]!;
        rounds.push({
          hedging,
          pair,
          figures: searchFigures(counted),
          site: {
            requests: names.reduce((sum, name) => sum + (stats.requestsByQuery[name] ?? 0), 0),
            requestsInRound: stats.requests,
            refused: stats.refused,
            hung: stats.hung,
            aborted: stats.aborted,
            maxConcurrency: stats.maxConcurrency,
            maxArrivalsInWindow: stats.maxArrivalsInWindow,
            violations: limitViolations(stats, HEAVY_TAIL_SPEC.limits),
          },
          model: model && modelFigures(model),
        });
      }
    }
  } finally {
    sites.close();
  }
  const pool = (hedging: boolean): OneSiteMode => {
    const own = rounds.filter((r) => r.hedging === hedging);
    const snapshots = measured[hedging ? 'on' : 'off'];
    const figures = searchFigures(snapshots);
    const requests = own.reduce((sum, r) => sum + r.site.requests, 0);
    return {
      searches: figures.searches,
      searchMs: figures.searchMs,
      doneShare: round(figures.jobs.done / figures.searches, 4),
      requestsPerSearch: round(requests / figures.searches, 3),
      hedgesPerSearch: round(figures.hedges / figures.searches, 3),
      violations: own.reduce((sum, r) => sum + r.site.violations, 0),
      refused: own.reduce((sum, r) => sum + r.site.refused, 0),
      maxPastDeadlineMs: figures.maxPastDeadlineMs,
      withDeadlineFailure: figures.withDeadlineFailure,
      failed: figures.jobs.failed,
      overP99Target: slowerThan(snapshots, TARGETS.oneSite.p99Ms),
    };
  };
  return {
    spec: HEAVY_TAIL_SPEC,
    searchesPerRound: ONE_SITE_SEARCHES,
    warmupPerRound: WARMUP_SEARCHES,
    paceMs: ONE_SITE_PACE_MS,
    rounds,
    off: pool(false),
    on: pool(true),
  };
}

/** The latency model's and the hedges' fields of a site's live stats (absent before hedging lands). */
function modelFigures(stats: SiteLiveStats): Partial<SiteLiveStats> {
  const { latencyP50Ms, latencyP95Ms, latencyP99Ms, attemptTimeoutMs, hedgeDelayMs, hedges, hedgeWins, hedgeShare } = stats;
  return { latencyP50Ms, latencyP95Ms, latencyP99Ms, attemptTimeoutMs, hedgeDelayMs, hedges, hedgeWins, hedgeShare };
}

/** Prints the scenario's tables: on vs off with ratios and targets, then each round. */
export function printOneSite(results: OneSiteResults): void {
  const { off, on, spec } = results;
  const t = TARGETS.oneSite;
  const latency = spec.latencyMs as { medianMs: number; sigma: number };
  console.log(
    `\n## One site, heavy-tailed (log-normal median ${latency.medianMs} ms, sigma ${latency.sigma}, ${(spec.hangRate ?? 0) * 100}% hangs; ` +
      `limits ${spec.limits.concurrency} at once, ${spec.limits.requests}/${spec.limits.perMs} ms) — ` +
      `${results.searchesPerRound} searches × ${results.rounds.length / 2} rounds per mode, one every ${results.paceMs} ms, after ${results.warmupPerRound} warm-up searches per round`,
  );
  const row = (offValue: number, onValue: number, target?: string, met?: boolean) => ({
    off: offValue,
    on: onValue,
    'on/off': ratio(onValue, offValue),
    target: target ?? '',
    'on meets': met === undefined ? '' : verdict(met),
  });
  console.table({
    'search p50 ms': row(off.searchMs.p50, on.searchMs.p50),
    'search p95 ms': row(off.searchMs.p95, on.searchMs.p95, `≤ ${t.p95Ms}`, on.searchMs.p95 <= t.p95Ms),
    'search p99 ms': row(off.searchMs.p99, on.searchMs.p99, `≤ ${t.p99Ms}`, on.searchMs.p99 <= t.p99Ms),
    'search max ms': row(off.searchMs.max, on.searchMs.max),
    'share done': row(off.doneShare, on.doneShare, `≥ ${t.doneShare}`, on.doneShare >= t.doneShare),
    'requests per search': row(off.requestsPerSearch, on.requestsPerSearch, `≤ ${t.requestsPerSearch}`, on.requestsPerSearch <= t.requestsPerSearch),
    'hedges per search': row(off.hedgesPerSearch, on.hedgesPerSearch),
    'limit violations (site)': row(off.violations, on.violations, '0', on.violations === 0 && off.violations === 0),
    '429s': row(off.refused, on.refused),
    'searches with a deadline failure': row(off.withDeadlineFailure, on.withDeadlineFailure),
    [`searches over ${t.p99Ms} ms`]: row(off.overP99Target.searches, on.overP99Target.searches),
    [`… of them hedged`]: row(off.overP99Target.hedged, on.overP99Target.hedged),
    'max end − deadlineAt ms': row(off.maxPastDeadlineMs, on.maxPastDeadlineMs),
  });
  if (on.hedgesPerSearch === 0) console.log('note: no `site:hedged` event in any hedging-on round: the columns compare the same behaviour twice.');
  console.log('Per round (latency model and hedges as the pipeline reports them at the round\'s end):');
  console.table(
    results.rounds.map((r) => ({
      round: `${r.pair + 1} ${r.hedging ? 'on' : 'off'}`,
      'p50 ms': r.figures.searchMs.p50,
      'p95 ms': r.figures.searchMs.p95,
      'p99 ms': r.figures.searchMs.p99,
      done: r.figures.jobs.done,
      'req/search': round(r.site.requests / r.figures.searches, 3),
      hedges: r.figures.hedges,
      hung: r.site.hung,
      violations: r.site.violations,
      'model p50/p95/p99': r.model?.latencyP50Ms === undefined ? '–' : `${r.model.latencyP50Ms}/${r.model.latencyP95Ms}/${r.model.latencyP99Ms}`,
      'attempt timeout ms': r.model?.attemptTimeoutMs ?? '–',
      'hedge delay ms': r.model?.hedgeDelayMs ?? '–',
      'hedge wins': r.model?.hedgeWins ?? '–',
    })),
  );
  const failures = { off: off.failed, on: on.failed };
  if (Object.keys(off.failed).length + Object.keys(on.failed).length > 0) console.log('Failed jobs by reason:', JSON.stringify(failures));
}
