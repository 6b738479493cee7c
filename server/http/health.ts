/**
 * `GET /api/health`: liveness and readiness, `ok` or `degraded` while the store is unhealthy or,
 * in a cluster, Redis is unreachable.
 *
 * Only the custom server answers it, ahead of Next (`edge.ts`): a probe must stay quick when
 * the process is busiest, and the route through Next took longer on a loaded loop
 * (`npm run load -- --spawn --duration 20 --clients 300 --overload --overload-duration 15`:
 * p50 112 ms through Next, 50 ms here, before the admission rate).
 */
import type { ClusterHealth } from '../../lib/types';
import type { Services } from '../services';

/** The health report. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly store: Awaited<ReturnType<Services['store']['health']>>;
  readonly sites: { readonly total: number; readonly available: number; readonly sandbox: number };
  readonly load: ReturnType<Services['pipeline']['load']>;
  readonly uptimeMs: number;
  /** In a cluster: this node, Redis, and the nodes alive. */
  readonly cluster?: ClusterHealth;
}

/** What the health report reads. */
export interface HealthSources extends Pick<Services, 'store' | 'registry' | 'pipeline' | 'startedAt'> {
  /** Redis and the nodes, in a cluster: `degraded` while Redis is unreachable. */
  readonly cluster?: () => Promise<ClusterHealth>;
}

/** The health of the running services. */
export async function healthReport(services: HealthSources): Promise<HealthReport> {
  const { store, registry, pipeline, startedAt } = services;
  const [storeHealth, cluster] = await Promise.all([store.health(), services.cluster?.()]);
  const sites = registry.all();
  return {
    status: storeHealth.status === 'ok' && cluster?.redis !== 'unreachable' ? 'ok' : 'degraded',
    store: storeHealth,
    sites: {
      total: sites.length,
      available: sites.filter((site) => !site.skipReason).length,
      sandbox: sites.filter((site) => site.definition.sandbox).length,
    },
    load: pipeline.load(),
    uptimeMs: Date.now() - startedAt,
    ...(cluster ? { cluster } : {}),
  };
}
