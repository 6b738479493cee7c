import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** The site registry with each site's limits and live figures; in a cluster also the nodes alive. */
export const GET = respond(async () => {
  const { pipeline, clusterHealth } = getServices();
  return Response.json({ sites: pipeline.sites(), ...(clusterHealth ? { cluster: await clusterHealth() } : {}) });
});
