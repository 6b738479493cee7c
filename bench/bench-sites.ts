/**
 * Sites for the benchmarks, in their own process — as real sites are — so that the arrival times
 * they count are not skewed by sitescan's event loop. Each site enforces its limits exactly
 * (the sandbox's limiter with no tolerance) and counts violations.
 *
 * A site answers after a uniform latency (`{min, max}`), or after a log-normal one with a share
 * of hangs (`{medianMs, sigma}`, `hangRate`): a heavy-tailed site. Its draws are seeded per
 * (seed, site, query, how many requests for that query came before), so two runs that send the
 * same queries meet the same latencies whatever else they send. A hung request never answers and
 * gives its concurrency slot back at once, as the sandbox's `hang` fault does (faults.ts); a
 * request the client gives up on gives its slot back when the connection closes. Either way a
 * client that times out and tries again is not counted over the concurrency limit for the
 * site's own fault.
 *
 * Protocol: the parent sends `{specs}` over IPC; this process answers `{port}`. HTTP:
 * `GET /<siteId>/search?q=` (JSON), `GET /__stats`, `POST /__reset`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleLatencyMs } from '../server/sandbox/latency';
import { SiteLimiter } from '../server/sandbox/limiter';
import { createRng } from '../server/sandbox/rng';

/** Answer latency uniform between `min` and `max` ms (unseeded). */
export interface UniformLatency {
  readonly min: number;
  readonly max: number;
}

/** Answer latency drawn from a log-normal: a long right tail, as real web servers have (seeded). */
export interface LognormalLatency {
  /** Median in ms (the log-normal's e^μ). > 0. */
  readonly medianMs: number;
  /** Spread of log(latency): 0.4–0.6 for the sandbox's sites, 0.8 for a heavy tail. ≥ 0. */
  readonly sigma: number;
  /** Longest answer in ms. Default none. */
  readonly capMs?: number;
}

/** A bench site: its limits and how long it takes to answer. */
export interface BenchSiteSpec {
  readonly id: string;
  readonly limits: { readonly concurrency: number; readonly requests: number; readonly perMs: number };
  /** Answer latency: uniform between min and max ms, or log-normal. */
  readonly latencyMs: UniformLatency | LognormalLatency;
  /** Share of admitted requests that hang (never answered; their slot freed at once). Default 0; 0–1. */
  readonly hangRate?: number;
  /** Seed of the log-normal latencies and the hangs. Default 1. */
  readonly seed?: number;
  /** The site definition's per-attempt timeout (start-bench-sites.ts). Default 10,000 ms. */
  readonly timeoutMs?: number;
  /** The site definition's retries. Default 3. */
  readonly retries?: number;
}

/** One admitted request as a site saw it: when, on the wall clock, and for which query. */
export interface BenchArrival {
  /** `Date.now()` on arrival: comparable with the times other processes of the machine stamp. */
  readonly at: number;
  /** The query's name (the URL's `q`), which ties the arrival to its search. */
  readonly q: string;
}

/** What a site saw. */
export interface BenchSiteStats {
  /** Admitted arrivals, `performance.now()` of this process: monotonic, for rates. */
  readonly arrivals: readonly number[];
  /** The same arrivals on the wall clock, with their queries: for latencies from another process's stamps. */
  readonly wallArrivals: readonly BenchArrival[];
  /** Every arrival, refused ones too. */
  readonly requests: number;
  /** Every arrival (refused too) by query name: the requests each search cost. */
  readonly requestsByQuery: Readonly<Record<string, number>>;
  readonly refused: number;
  readonly maxArrivalsInWindow: number;
  /** Most requests in flight at once, counting the arriving one (refused ones too). */
  readonly maxConcurrency: number;
  readonly exceeded: boolean;
  /** Requests left unanswered on purpose (`hangRate`). */
  readonly hung: number;
  /** Requests the client gave up on before their answer (hung ones aside). */
  readonly aborted: number;
}

/** One site's limiter and counts, since start or the last reset. */
class SiteState {
  limiter: SiteLimiter;
  arrivals: number[] = [];
  wallArrivals: BenchArrival[] = [];
  byQuery = new Map<string, number>();
  requests = 0;
  hung = 0;
  aborted = 0;

  constructor(readonly spec: BenchSiteSpec) {
    this.limiter = new SiteLimiter({ ...spec.limits, toleranceMs: 0 });
  }

  stats(): BenchSiteStats {
    const s = this.limiter.stats();
    return {
      arrivals: this.arrivals,
      wallArrivals: this.wallArrivals,
      requests: this.requests,
      requestsByQuery: Object.fromEntries(this.byQuery),
      refused: s.rateLimited,
      maxArrivalsInWindow: s.maxArrivalsInWindow,
      maxConcurrency: s.maxConcurrency,
      exceeded: s.exceeded,
      hung: this.hung,
      aborted: this.aborted,
    };
  }
}

function serve(specs: readonly BenchSiteSpec[]): Promise<number> {
  let sites = new Map<string, SiteState>();
  const reset = () => {
    sites = new Map(specs.map((spec) => [spec.id, new SiteState(spec)]));
  };
  reset();
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/__stats') {
      const stats = Object.fromEntries([...sites].map(([id, site]) => [id, site.stats()]));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (url.pathname === '/__reset') {
      reset();
      res.writeHead(204).end();
      return;
    }
    const site = sites.get(url.pathname.split('/')[1]!);
    if (!site) {
      res.writeHead(404).end();
      return;
    }
    const q = url.searchParams.get('q') ?? '';
    site.requests++;
    const before = site.byQuery.get(q) ?? 0;
    site.byQuery.set(q, before + 1);
    const admission = site.limiter.admit();
    if (!admission.admitted) {
      res.writeHead(429, { 'retry-after': String(Math.ceil(admission.retryAfterMs / 1000)) }).end();
      return;
    }
    site.arrivals.push(performance.now());
    site.wallArrivals.push({ at: Date.now(), q });
    const { delayMs, hangs } = draw(site.spec, q, before);
    if (hangs) {
      // The server dropped the request: its slot is free, only the client still waits.
      admission.release();
      site.hung++;
      return;
    }
    const timer = setTimeout(() => {
      admission.release();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hits: [{ title: q }] }));
    }, delayMs);
    res.once('close', () => {
      if (res.writableFinished) return;
      // The client gave up (a timeout, or the slower copy of a hedged request): the server drops it.
      clearTimeout(timer);
      admission.release();
      site.aborted++;
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** How long the `nth` request (0-based) for query `q` takes at the site, and whether it hangs. */
function draw(spec: BenchSiteSpec, q: string, nth: number): { delayMs: number; hangs: boolean } {
  const latency = spec.latencyMs;
  if (!('medianMs' in latency) && !spec.hangRate) {
    return { delayMs: latency.min + Math.random() * (latency.max - latency.min), hangs: false };
  }
  const rng = createRng(spec.seed ?? 1, spec.id, q, nth);
  const delayMs =
    'medianMs' in latency
      ? sampleLatencyMs({ medianMs: latency.medianMs, sigma: latency.sigma, capMs: latency.capMs ?? Number.POSITIVE_INFINITY }, rng)
      : latency.min + rng.next() * (latency.max - latency.min);
  return { delayMs, hangs: rng.chance(spec.hangRate ?? 0) };
}

process.on('message', (message: { specs: BenchSiteSpec[] }) => {
  void serve(message.specs).then((port) => process.send!({ port }));
});
process.on('disconnect', () => process.exit(0));
