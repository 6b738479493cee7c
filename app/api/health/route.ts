import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Liveness and readiness: `ok`, or `degraded` while the store is unhealthy. */
export const GET = respond(async () => {
  const { store, registry, pipeline, startedAt } = getServices();
  const storeHealth = await store.health();
  const sites = registry.all();
  return Response.json({
    status: storeHealth.status,
    store: storeHealth,
    sites: {
      total: sites.length,
      available: sites.filter((site) => !site.unavailableReason).length,
      sandbox: sites.filter((site) => site.definition.sandbox).length,
    },
    load: pipeline.load(),
    uptimeMs: Date.now() - startedAt,
  });
});
