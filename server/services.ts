/**
 * The registry of composed services: the only global. `server/index.ts` registers them once;
 * route handlers and server components (bundled separately by Next) reach the same instances
 * through `globalThis` under a `Symbol.for` key, which both module graphs share.
 *
 * Import types only here: anything else would pull server code into Next's bundles.
 */
import type { ClusterHealth } from '../lib/types';
import type { Config } from './config';
import type { ClientRateLimiter } from './http/client-rate-limiter';
import type { Hub } from './hub';
import type { Metrics } from './metrics';
import type { SearchRunner } from './search-runner';
import type { SearchService } from './search-service';
import type { SiteRegistry } from './sites/site-registry';
import type { Store } from './store/store';

/** Everything a request handler may use. */
export interface Services {
  readonly config: Config;
  readonly store: Store;
  readonly registry: SiteRegistry;
  /** Runs the searches: the one-process pipeline, or this node of a cluster. */
  readonly pipeline: SearchRunner;
  readonly searches: SearchService;
  readonly hub?: Hub;
  readonly metrics: Metrics;
  /** Searches one client may start per minute. */
  readonly clientLimiter: ClientRateLimiter;
  /** Bulk rows one client may start per hour. */
  readonly bulkLimiter: ClientRateLimiter;
  readonly startedAt: number;
  /** In a cluster: Redis and the nodes alive, as this node sees them. */
  readonly clusterHealth?: () => Promise<ClusterHealth>;
}

const KEY = Symbol.for('sitescan.services');
type Holder = { [KEY]?: Services };

/** Makes the services reachable from route handlers. */
export function registerServices(services: Services | undefined): void {
  (globalThis as Holder)[KEY] = services;
}

/** The running services; throws when sitescan was not started through `server/index.ts`. */
export function getServices(): Services {
  const services = (globalThis as Holder)[KEY];
  if (!services) {
    throw new Error('sitescan services are not registered: start the app with `npm start` or `npm run dev` (server/index.ts), not `next start`');
  }
  return services;
}
