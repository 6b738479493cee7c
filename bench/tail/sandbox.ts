/**
 * Scenario "sandbox": the sandbox network with its default profile — its latencies and faults are
 * the yardstick, untouched — in its own process, and sitescan on all its sites (33 directory
 * sites and 8 place-API emulations), BENCH_TAIL_SANDBOX_SEARCHES searches a round at one every
 * BENCH_TAIL_SANDBOX_PACE_MS, the interactive deadline (5 s), hedging off and on in alternate
 * rounds.
 *
 *   sandbox (main.ts, SANDBOX_PROFILE=default) ──/__sandbox/sites, /__sandbox/apis──▶ registry
 *      ▲  counts per site: requests, 429s, max in a window, max in flight      │
 *      └───────────────────── requests ◀── pipeline (fresh each round) ◀──────┘
 *
 * Each round resets the sandbox (its counters, windows and per-site request counters, so that a
 * pair of rounds meets the same draws at its start), composes a fresh pipeline and searches
 * BENCH_TAIL_WARMUP uncounted searches, then the measured ones, on the same pace without a break.
 * Queries are the sandbox dataset's businesses (realistic names, every other one with its phone),
 * all different within a round, so no answer comes from the cache; the two rounds of a pair
 * search the same ones.
 *
 * Jobs done = jobs that ended `site:done` / jobs that ended at all (done, failed, skipped,
 * cancelled); `deadline` failures are counted apart. Hedge share of a site = its `site:hedged`
 * events over the requests the sandbox counted from it, both over the whole round (warm-up too).
 */
import path from 'node:path';
import type { BusinessQuery, SearchSnapshot, SiteLiveStats } from '../../lib/types';
import type { RateLimits } from '../../server/sandbox/limiter';
import type { SandboxStats, SandboxSiteStats } from '../../server/sandbox/sandbox-server';
import { createAdapterConnectors } from '../../server/sites/adapters';
import { ADAPTER_KINDS, type AdapterKind, type DeclarativeSiteDefinitionInput, type SiteLimits } from '../../server/sites/site-definition';
import { SiteRegistry } from '../../server/sites/site-registry';
import { freePort, startReadyChild, stopChild } from '../../scripts/support/child-process';
import { round } from '../../scripts/support/figures';
import { queriesFrom } from '../../scripts/load/workload';
import { limitViolations } from './limit-violations';
import { lastJobs, lastJobShapes, ratio, searchFigures, verdict, type LastJob, type SearchFigures } from './search-figures';
import { ROUNDS, SANDBOX_PACE_MS, SANDBOX_SEARCHES, SEED, TARGETS, WARMUP_SEARCHES } from './settings';
import { startTailApp } from './tail-app';

/** What one site did in a round: the sandbox's counts, and the hedges sitescan sent it. */
export interface SandboxSiteRound {
  readonly requests: number;
  readonly refused: number;
  readonly exceeded: boolean;
  readonly violations: number;
  /** What the violations were measured against: the announced limits, the most in flight, the most in a window. */
  readonly limits: RateLimits;
  readonly maxConcurrency: number;
  readonly maxArrivalsInWindow: number;
  /** Jobs of the measured searches that failed for `deadline`. */
  readonly deadlineFailures: number;
  readonly hedges: number;
  /** Hedges / requests the sandbox counted. */
  readonly hedgeShare: number;
  readonly hedgeWins?: number;
  readonly latencyP95Ms?: number;
  readonly attemptTimeoutMs?: number;
  readonly hedgeDelayMs?: number;
  /** Requests past the hedge delay that got no hedge, by reason (the site's stats). */
  readonly hedgesDeclined?: Readonly<Record<string, number>>;
}

/** One round: hedging off or on, a fresh pipeline. */
export interface SandboxRound {
  readonly hedging: boolean;
  readonly pair: number;
  readonly figures: SearchFigures;
  readonly sites: Readonly<Record<string, SandboxSiteRound>>;
}

/** The rounds of one mode, pooled. */
export interface SandboxMode {
  readonly searches: number;
  readonly searchMs: SearchFigures['searchMs'];
  readonly jobsEnded: number;
  readonly jobsDoneShare: number;
  readonly deadlineFailures: number;
  readonly failed: Readonly<Record<string, number>>;
  readonly skipped: number;
  readonly withDeadlineFailure: number;
  readonly maxPastDeadlineMs: number;
  readonly requests: number;
  readonly hedges: number;
  readonly hedgeShare: number;
  readonly violations: number;
  readonly sitesOverTheirLimit: readonly string[];
  readonly refused: number;
  /** Searches over the p95 target: the job each one waited for last. */
  readonly overP95Target: readonly LastJob[];
}

/** Everything the scenario measured. */
export interface SandboxResults {
  readonly profile: 'default';
  readonly sites: number;
  readonly searchesPerRound: number;
  readonly warmupPerRound: number;
  readonly paceMs: number;
  readonly rounds: readonly SandboxRound[];
  readonly off: SandboxMode;
  readonly on: SandboxMode;
}

/** What `GET /__sandbox/apis` answers. */
type SandboxApis = Record<AdapterKind, { baseUrl: string; limits: SiteLimits }>;

/** The sandbox process, and a fresh registry of all its sites on each call. */
interface RunningSandbox {
  readonly url: string;
  registry(): SiteRegistry;
  stop(): Promise<void>;
}

/** Starts the sandbox (default profile) in its own process, as `npm run sandbox` does. */
async function startSandboxProcess(dir: string): Promise<RunningSandbox> {
  const port = await freePort();
  const child = await startReadyChild({
    name: 'sandbox',
    args: ['--import', 'tsx', 'server/sandbox/main.ts'],
    env: { SANDBOX_PORT: String(port), SANDBOX_PROFILE: 'default', SANDBOX_SEED: String(SEED), LOG_LEVEL: 'warn' },
    logFile: path.join(dir, 'sandbox.log'),
    ready: 'sandbox network listening at',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const definitions = (await (await fetch(`${url}/__sandbox/sites`)).json()) as DeclarativeSiteDefinitionInput[];
    const apis = (await (await fetch(`${url}/__sandbox/apis`)).json()) as SandboxApis;
    const apiBaseUrls = Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, apis[kind].baseUrl])) as Record<AdapterKind, string>;
    const apiLimits = Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, apis[kind].limits])) as Record<AdapterKind, SiteLimits>;
    return {
      url,
      registry: () => SiteRegistry.fromDefinitions(definitions, [], createAdapterConnectors({ env: {}, sandbox: { apiBaseUrls, apiLimits } })),
      stop: async () => {
        await stopChild(child);
      },
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** One round on a reset sandbox and a fresh pipeline: every search of it, and the round's figures. */
async function sandboxRound(sandbox: RunningSandbox, queries: readonly BusinessQuery[], hedging: boolean, pair: number, dir: string) {
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
  const sites = sandbox.registry();
  const app = startTailApp({ registry: sites, hedging, dir });
  let snapshots: SearchSnapshot[];
  let live: Record<string, SiteLiveStats>;
  try {
    snapshots = await app.runPaced(queries, SANDBOX_PACE_MS);
    live = app.siteStats();
  } finally {
    await app.close();
  }
  const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as SandboxStats;
  const counted = snapshots.slice(WARMUP_SEARCHES);
  const figures = searchFigures(counted);
  const hedgesBySite = searchFigures(snapshots).hedgesBySite;
  const perSite: Record<string, SandboxSiteRound> = {};
  for (const connector of sites.all()) {
    const { id, kind } = connector.definition;
    const seen: SandboxSiteStats | undefined = (ADAPTER_KINDS as readonly string[]).includes(kind) ? stats.apis[kind as AdapterKind] : stats.sites[id];
    if (!seen) throw new Error(`the sandbox reports nothing for site ${id} (kind ${kind})`);
    const hedges = hedgesBySite[id] ?? 0;
    const model = live[id];
    perSite[id] = {
      requests: seen.requests,
      refused: seen.rateLimited,
      exceeded: seen.exceeded,
      violations: limitViolations(seen, seen.limits),
      limits: seen.limits,
      maxConcurrency: seen.maxConcurrency,
      maxArrivalsInWindow: seen.maxArrivalsInWindow,
      deadlineFailures: figures.deadlineFailuresBySite[id] ?? 0,
      hedges,
      hedgeShare: seen.requests === 0 ? 0 : round(hedges / seen.requests, 4),
      hedgeWins: model?.hedgeWins,
      latencyP95Ms: model?.latencyP95Ms,
      attemptTimeoutMs: model?.attemptTimeoutMs,
      hedgeDelayMs: model?.hedgeDelayMs,
      hedgesDeclined: model?.hedgesDeclined,
    };
  }
  return { counted, figures: { hedging, pair, figures, sites: perSite } satisfies SandboxRound };
}

/** The rounds of one mode, pooled: percentiles over all their measured searches, sums of the rest. */
function poolSandbox(rounds: readonly SandboxRound[], snapshots: readonly SearchSnapshot[], hedging: boolean): SandboxMode {
  const figures = searchFigures(snapshots);
  const siteRounds = rounds.filter((r) => r.hedging === hedging).flatMap((r) => Object.entries(r.sites));
  const requests = siteRounds.reduce((n, [, site]) => n + site.requests, 0);
  const hedges = siteRounds.reduce((n, [, site]) => n + site.hedges, 0);
  return {
    searches: figures.searches,
    searchMs: figures.searchMs,
    jobsEnded: figures.jobs.ended,
    jobsDoneShare: round(figures.jobs.done / figures.jobs.ended, 4),
    deadlineFailures: figures.jobs.failed.deadline ?? 0,
    failed: figures.jobs.failed,
    skipped: figures.jobs.skipped,
    withDeadlineFailure: figures.withDeadlineFailure,
    maxPastDeadlineMs: figures.maxPastDeadlineMs,
    requests,
    hedges,
    hedgeShare: requests === 0 ? 0 : round(hedges / requests, 4),
    violations: siteRounds.reduce((n, [, site]) => n + site.violations, 0),
    sitesOverTheirLimit: [...new Set(siteRounds.filter(([, site]) => site.exceeded).map(([id]) => id))],
    refused: siteRounds.reduce((n, [, site]) => n + site.refused, 0),
    overP95Target: lastJobs(snapshots, TARGETS.sandbox.p95Ms),
  };
}

/** Runs the rounds: off, on, off, on … */
export async function benchSandbox(dir: string): Promise<SandboxResults> {
  const sandbox = await startSandboxProcess(dir);
  const rounds: SandboxRound[] = [];
  const measured: Record<'off' | 'on', SearchSnapshot[]> = { off: [], on: [] };
  try {
    const nextQuery = queriesFrom(SEED);
    for (let pair = 0; pair < ROUNDS; pair++) {
      const queries: BusinessQuery[] = Array.from({ length: WARMUP_SEARCHES + SANDBOX_SEARCHES }, nextQuery);
      for (const hedging of [false, true]) {
        console.log(`  sandbox · round ${pair + 1}/${ROUNDS} · hedging ${hedging ? 'on' : 'off'} …`);
        const { counted, figures } = await sandboxRound(sandbox, queries, hedging, pair, dir);
        measured[hedging ? 'on' : 'off'].push(...counted);
        rounds.push(figures);
      }
    }
  } finally {
    await sandbox.stop();
  }
  return {
    profile: 'default',
    sites: sandbox.registry().size,
    searchesPerRound: SANDBOX_SEARCHES,
    warmupPerRound: WARMUP_SEARCHES,
    paceMs: SANDBOX_PACE_MS,
    rounds,
    off: poolSandbox(rounds, measured.off, false),
    on: poolSandbox(rounds, measured.on, true),
  };
}

/** Prints the scenario's tables: on vs off with ratios and targets, each round, then each site. */
export function printSandbox(results: SandboxResults): void {
  const { off, on } = results;
  const t = TARGETS.sandbox;
  console.log(
    `\n## Sandbox, default profile, all ${results.sites} sites — ${results.searchesPerRound} searches × ${results.rounds.length / 2} rounds per mode, ` +
      `one every ${results.paceMs} ms, deadline 5 s, after ${results.warmupPerRound} warm-up searches per round`,
  );
  const row = (offValue: number | string, onValue: number | string, target?: string, met?: boolean) => ({
    off: offValue,
    on: onValue,
    'on/off': typeof offValue === 'number' && typeof onValue === 'number' ? ratio(onValue, offValue) : '',
    target: target ?? '',
    'on meets': met === undefined ? '' : verdict(met),
  });
  console.table({
    'search p50 ms': row(off.searchMs.p50, on.searchMs.p50),
    'search p95 ms': row(off.searchMs.p95, on.searchMs.p95, `≤ ${t.p95Ms}`, on.searchMs.p95 <= t.p95Ms),
    'search p99 ms': row(off.searchMs.p99, on.searchMs.p99),
    'search max ms': row(off.searchMs.max, on.searchMs.max),
    'jobs done / ended': row(off.jobsDoneShare, on.jobsDoneShare, `≥ ${t.jobsDoneShare}`, on.jobsDoneShare >= t.jobsDoneShare),
    'jobs ended': row(off.jobsEnded, on.jobsEnded),
    'jobs failed: deadline': row(off.deadlineFailures, on.deadlineFailures),
    'jobs failed: other': row(sum(off.failed) - off.deadlineFailures, sum(on.failed) - on.deadlineFailures),
    'jobs skipped': row(off.skipped, on.skipped),
    'searches with a deadline failure': row(off.withDeadlineFailure, on.withDeadlineFailure),
    'max end − deadlineAt ms': row(off.maxPastDeadlineMs, on.maxPastDeadlineMs),
    'requests (sandbox, whole rounds)': row(off.requests, on.requests),
    'hedges / requests': row(off.hedgeShare, on.hedgeShare),
    'limit violations (sandbox)': row(off.violations, on.violations, '0', off.violations === 0 && on.violations === 0),
    'sites over their limit': row(off.sitesOverTheirLimit.length, on.sitesOverTheirLimit.length, '0', off.sitesOverTheirLimit.length + on.sitesOverTheirLimit.length === 0),
    '429s and other refusals': row(off.refused, on.refused),
  });
  for (const r of results.rounds) {
    for (const [id, site] of Object.entries(r.sites)) {
      if (!site.exceeded) continue;
      const { concurrency, requests, perMs } = site.limits;
      console.log(
        `over its limit: ${id} in round ${r.pair + 1} ${r.hedging ? 'on' : 'off'} — most in flight ${site.maxConcurrency} (limit ${concurrency}), ` +
          `most in ${perMs} ms ${site.maxArrivalsInWindow} (limit ${requests}), ${site.refused} refused`,
      );
    }
  }
  console.log('Failed jobs by reason:', JSON.stringify({ off: off.failed, on: on.failed }));
  const declined: Record<string, number> = {};
  for (const r of results.rounds.filter((round) => round.hedging)) {
    for (const site of Object.values(r.sites)) {
      for (const [reason, n] of Object.entries(site.hedgesDeclined ?? {})) declined[reason] = (declined[reason] ?? 0) + n;
    }
  }
  console.log('Slow requests not hedged (hedging on, whole rounds), by reason:', JSON.stringify(declined));
  console.log(`Searches over ${t.p95Ms} ms, and the job each waited for last (queued: search created → first start; ran: first start → end; times in the timeline from the search's creation):`);
  console.table([...off.overP95Target.map((job) => ({ mode: 'off', ...job })), ...on.overP95Target.map((job) => ({ mode: 'on', ...job }))]);
  console.table({ off: lastJobShapes(off.overP95Target), on: lastJobShapes(on.overP95Target) });
  if (on.hedges === 0) console.log('note: no `site:hedged` event in any hedging-on round: the columns compare the same behaviour twice.');
  console.log('Per round:');
  console.table(
    results.rounds.map((r) => ({
      round: `${r.pair + 1} ${r.hedging ? 'on' : 'off'}`,
      'p50 ms': r.figures.searchMs.p50,
      'p95 ms': r.figures.searchMs.p95,
      'p99 ms': r.figures.searchMs.p99,
      'jobs done': r.figures.jobs.done,
      'jobs ended': r.figures.jobs.ended,
      'deadline fails': r.figures.jobs.failed.deadline ?? 0,
      hedges: r.figures.hedges,
      violations: Object.values(r.sites).reduce((n, site) => n + site.violations, 0),
    })),
  );
  printSandboxSites(results);
}

/** The per-site table: requests off and on, and the hedges' share of them. */
function printSandboxSites(results: SandboxResults): void {
  console.log('Per site, all rounds of a mode (hedge share = hedges / requests the sandbox counted, warm-up included):');
  const ids = Object.keys(results.rounds[0]?.sites ?? {});
  const total = (hedging: boolean, id: string, field: 'requests' | 'hedges' | 'violations' | 'refused' | 'deadlineFailures') =>
    results.rounds.filter((r) => r.hedging === hedging).reduce((n, r) => n + (r.sites[id]?.[field] ?? 0), 0);
  const lastOn = [...results.rounds].reverse().find((r) => r.hedging);
  console.table(
    Object.fromEntries(
      ids.map((id) => {
        const onRequests = total(true, id, 'requests');
        const onHedges = total(true, id, 'hedges');
        const wins = results.rounds.filter((r) => r.hedging).reduce<number | undefined>((n, r) => (r.sites[id]?.hedgeWins === undefined ? n : (n ?? 0) + r.sites[id].hedgeWins), undefined);
        return [
          id,
          {
            'requests off': total(false, id, 'requests'),
            'requests on': onRequests,
            'on/off': ratio(onRequests, total(false, id, 'requests')),
            hedges: onHedges,
            'hedge share': onRequests === 0 ? 0 : round(onHedges / onRequests, 4),
            'hedge wins': wins ?? '–',
            'violations off/on': `${total(false, id, 'violations')}/${total(true, id, 'violations')}`,
            '429s off/on': `${total(false, id, 'refused')}/${total(true, id, 'refused')}`,
            'deadline fails off/on': `${total(false, id, 'deadlineFailures')}/${total(true, id, 'deadlineFailures')}`,
            'p95 ms (model)': lastOn?.sites[id]?.latencyP95Ms ?? '–',
            'hedge delay ms': lastOn?.sites[id]?.hedgeDelayMs ?? '–',
            'attempt timeout ms': lastOn?.sites[id]?.attemptTimeoutMs ?? '–',
          },
        ];
      }),
    ),
  );
}

const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((n, value) => n + value, 0);
