import { searchIdSchema } from '@/lib/schemas';
import { errorResponse, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** A search with its site results and event log. */
export const GET = respond(async (_request: Request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  // An id that cannot exist is answered like an unknown one: nothing to learn from the difference.
  if (!searchIdSchema.safeParse(id).success) return errorResponse(404, 'not_found', `no search with id ${id}`);
  return Response.json(await getServices().searches.get(id));
});
