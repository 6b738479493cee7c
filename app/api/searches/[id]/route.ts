import { respond } from '@/server/http/responder';
import { searchIdFrom, type SearchRouteContext } from '@/server/http/search-id';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** A search with its site results and event log. */
export const GET = respond(async (_request: Request, context: SearchRouteContext) =>
  Response.json(await getServices().searches.get(await searchIdFrom(context))),
);
