import { echoInput } from '@/lib/input-echo';
import { ValidationError } from '@/server/errors';
import { tokenOf } from '@/server/http/ownership';
import { clientOf, respond } from '@/server/http/responder';
import { searchIdFrom, type SearchRouteContext } from '@/server/http/search-id';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * Cancels a running search: `202`; 403 unless the request holds the search's capability (header
 * `X-Cancel-Token`, or the cookie the creating browser got; `server/http/ownership.ts`); 409 when
 * it already ended. No body is needed; a body that is not JSON is refused (a cross-site form can
 * only send form or text bodies).
 */
export const POST = respond(async (request: Request, context: SearchRouteContext) => {
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/json\b/i.test(type)) {
    throw new ValidationError(`expected no body or content-type application/json, got ${echoInput(type)}`, undefined, { code: 'unsupported_media_type' });
  }
  const id = await searchIdFrom(context);
  await getServices().searches.cancel(id, { token: tokenOf(request.headers), client: clientOf(request) });
  return Response.json({ id, status: 'cancelling' }, { status: 202 });
});
