import { echoInput } from '@/lib/input-echo';
import { bulkRunIdSchema } from '@/lib/schemas';
import { NotFoundError } from '@/server/errors';
import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

interface BulkRunRouteContext {
  readonly params: Promise<{ id: string }>;
}

/**
 * A bulk run: `{id, createdAt, name?, status, searches: [{line, id, name, status, summary}],
 * errors}`; 404 for an unknown id (or one no run can have, which never reaches the store).
 */
export const GET = respond(async (_request: Request, context: BulkRunRouteContext) => {
  const { id } = await context.params;
  if (!bulkRunIdSchema.safeParse(id).success) throw new NotFoundError(`no bulk run with id ${echoInput(id)}`);
  return Response.json(await getServices().searches.bulkRun(id));
});
