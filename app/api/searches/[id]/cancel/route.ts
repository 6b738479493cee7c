import { searchIdSchema } from '@/lib/schemas';
import { errorResponse, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Cancels a running search: `202`; 409 when it already ended. */
export const POST = respond(async (_request: Request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!searchIdSchema.safeParse(id).success) return errorResponse(404, 'not_found', `no search with id ${id}`);
  await getServices().searches.cancel(id);
  return Response.json({ id, status: 'cancelling' }, { status: 202 });
});
