/**
 * The search id of a `/api/searches/[id]/…` route. An id that cannot exist is answered like an
 * unknown one (404): nothing to learn from the difference, and it never reaches the store.
 */
import { echoInput } from '../../lib/input-echo';
import { searchIdSchema } from '../../lib/schemas';
import { NotFoundError } from '../errors';

/** What Next passes a route handler under `[id]`. */
export interface SearchRouteContext {
  readonly params: Promise<{ id: string }>;
}

/** The id of the route; throws `NotFoundError` (→ 404) for one no search can have. */
export async function searchIdFrom(context: SearchRouteContext): Promise<string> {
  const { id } = await context.params;
  if (!searchIdSchema.safeParse(id).success) throw new NotFoundError(`no search with id ${echoInput(id)}`);
  return id;
}
