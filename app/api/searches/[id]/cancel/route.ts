import { respond } from '@/server/http/responder';
import { searchIdFrom, type SearchRouteContext } from '@/server/http/search-id';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Cancels a running search: `202`; 409 when it already ended. */
export const POST = respond(async (_request: Request, context: SearchRouteContext) => {
  const id = await searchIdFrom(context);
  await getServices().searches.cancel(id);
  return Response.json({ id, status: 'cancelling' }, { status: 202 });
});
