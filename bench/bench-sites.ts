/**
 * Sites for the benchmarks, in their own process — as real sites are — so that the arrival times
 * they count are not skewed by sitescan's event loop. Each site enforces its limits exactly
 * (the sandbox's limiter with no tolerance) and counts violations.
 *
 * Protocol: the parent sends `{specs}` over IPC; this process answers `{port}`. HTTP:
 * `GET /<siteId>/search?q=` (JSON), `GET /__stats`, `POST /__reset`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SiteLimiter } from '../server/sandbox/limiter';

/** A bench site: its limits and how long it takes to answer. */
export interface BenchSiteSpec {
  readonly id: string;
  readonly limits: { readonly concurrency: number; readonly requests: number; readonly perMs: number };
  /** Answer latency: uniform between min and max ms. */
  readonly latencyMs: { readonly min: number; readonly max: number };
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
  readonly refused: number;
  readonly maxArrivalsInWindow: number;
  readonly exceeded: boolean;
}

function serve(specs: readonly BenchSiteSpec[]): Promise<number> {
  const limiters = new Map<string, SiteLimiter>();
  const arrivals = new Map<string, number[]>();
  const wallArrivals = new Map<string, BenchArrival[]>();
  const reset = () => {
    for (const spec of specs) {
      limiters.set(spec.id, new SiteLimiter({ ...spec.limits, toleranceMs: 0 }));
      arrivals.set(spec.id, []);
      wallArrivals.set(spec.id, []);
    }
  };
  reset();
  const byId = new Map(specs.map((spec) => [spec.id, spec]));
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/__stats') {
      const stats: Record<string, BenchSiteStats> = {};
      for (const spec of specs) {
        const s = limiters.get(spec.id)!.stats();
        stats[spec.id] = { arrivals: arrivals.get(spec.id)!, wallArrivals: wallArrivals.get(spec.id)!, refused: s.rateLimited, maxArrivalsInWindow: s.maxArrivalsInWindow, exceeded: s.exceeded };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (url.pathname === '/__reset') {
      reset();
      res.writeHead(204).end();
      return;
    }
    const id = url.pathname.split('/')[1]!;
    const spec = byId.get(id);
    if (!spec) {
      res.writeHead(404).end();
      return;
    }
    const admission = limiters.get(id)!.admit();
    if (!admission.admitted) {
      res.writeHead(429, { 'retry-after': String(Math.ceil(admission.retryAfterMs / 1000)) }).end();
      return;
    }
    arrivals.get(id)!.push(performance.now());
    wallArrivals.get(id)!.push({ at: Date.now(), q: url.searchParams.get('q') ?? '' });
    setTimeout(
      () => {
        admission.release();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ hits: [{ title: url.searchParams.get('q') }] }));
      },
      spec.latencyMs.min + Math.random() * (spec.latencyMs.max - spec.latencyMs.min),
    );
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

process.on('message', (message: { specs: BenchSiteSpec[] }) => {
  void serve(message.specs).then((port) => process.send!({ port }));
});
process.on('disconnect', () => process.exit(0));
