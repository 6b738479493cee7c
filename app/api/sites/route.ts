import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** The site registry with each site's limits and live figures. */
export const GET = respond(async () => {
  const { registry, pipeline } = getServices();
  const sites = registry.all().map(({ definition, unavailableReason }) => ({
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    sandbox: definition.sandbox,
    limits: definition.limits,
    timeoutMs: definition.timeoutMs,
    retries: definition.retries,
    status: unavailableReason ? 'skipped' : 'active',
    ...(unavailableReason ? { reason: unavailableReason } : {}),
    stats: pipeline.siteStats(definition.id),
  }));
  return Response.json({ sites });
});
