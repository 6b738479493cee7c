import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** The site registry with each site's limits and live figures. */
export const GET = respond(async () => Response.json({ sites: getServices().pipeline.sites() }));
