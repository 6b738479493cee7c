/**
 * `GET /api/health`: liveness and readiness, `ok` or `degraded` while the store is unhealthy.
 *
 * Only the custom server answers it, ahead of Next (`edge.ts`): a probe must stay quick when
 * the process is busiest, and the route through Next took longer on a loaded loop
 * (`npm run load -- --spawn --duration 20 --clients 300 --overload --overload-duration 15`:
 * p50 112 ms through Next, 50 ms here, before the admission rate).
 */
import type { Services } from '../services';

/** The health report. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly store: Awaited<ReturnType<Services['store']['health']>>;
  readonly sites: { readonly total: number; readonly available: number; readonly sandbox: number };
  readonly load: ReturnType<Services['pipeline']['load']>;
  readonly uptimeMs: number;
}

/** The health of the running services. */
export async function healthReport(services: Pick<Services, 'store' | 'registry' | 'pipeline' | 'startedAt'>): Promise<HealthReport> {
  const { store, registry, pipeline, startedAt } = services;
  const storeHealth = await store.health();
  const sites = registry.all();
  return {
    status: storeHealth.status,
    store: storeHealth,
    sites: {
      total: sites.length,
      available: sites.filter((site) => !site.skipReason).length,
      sandbox: sites.filter((site) => site.definition.sandbox).length,
    },
    load: pipeline.load(),
    uptimeMs: Date.now() - startedAt,
  };
}
