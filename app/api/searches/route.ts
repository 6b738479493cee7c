import { createSearchBodySchema, listSearchesQuerySchema, searchParamsObject } from '@/lib/schemas';
import { historyKeyFor, historyKeyOf } from '@/server/http/history-key';
import { ownerCookies } from '@/server/http/ownership';
import { clientOf, readJson, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * Starts a search: `201 {id, url, cancelToken}`, and the browser keeps `cancelToken` in a cookie
 * of the search's own paths (`server/http/ownership.ts`) and, on its first search, a history key
 * (`server/http/history-key.ts`); 429 + Retry-After past the client's per-minute limit or its
 * share of the dispatcher.
 */
export const POST = respond(async (request: Request) => {
  const { sites, priority, ...query } = createSearchBodySchema.parse(await readJson(request));
  const services = getServices();
  const client = clientOf(request);
  await services.clientLimiter.take(client);
  const secure = new URL(request.url).protocol === 'https:';
  const history = historyKeyFor(request.headers, secure);
  const created = await services.searches.create(query, { sites, priority, client, historyKey: history.key });
  const headers = new Headers({ location: created.url, 'cache-control': 'no-store' });
  for (const cookie of ownerCookies(created.id, created.cancelToken, secure)) headers.append('set-cookie', cookie);
  if (history.setCookie) headers.append('set-cookie', history.setCookie);
  return Response.json(created, { status: 201, headers });
});

/**
 * The history, newest first: `{items, next?}`; full-text on `q`, filtered by `status`. A bad cursor
 * is a 400. With HISTORY_SCOPE=owner, only the searches of the request's history key.
 */
export const GET = respond(async (request: Request) => {
  const { q, status, limit, cursor } = listSearchesQuerySchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const page = await getServices().searches.list({ q: q || undefined, status, limit, cursor }, historyKeyOf(request.headers.get('cookie')));
  return Response.json(page, { headers: { 'cache-control': 'no-store' } });
});
