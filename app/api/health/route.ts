import { healthReport } from '@/server/http/health';
import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Liveness and readiness (the custom server answers it ahead of Next; see server/http/health.ts). */
export const GET = respond(async () => Response.json(await healthReport(getServices())));
