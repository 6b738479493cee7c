import { createSearchBodySchema, listSearchesQuerySchema, searchParamsObject } from '@/lib/schemas';
import { clientOf, readJson, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Starts a search: `201 {id, url}`; 429 + Retry-After past the client's per-minute limit. */
export const POST = respond(async (request: Request) => {
  const { sites, priority, ...query } = createSearchBodySchema.parse(await readJson(request));
  const services = getServices();
  await services.clientLimiter.take(clientOf(request));
  const created = await services.searches.create(query, { sites, priority });
  return Response.json(created, { status: 201, headers: { location: created.url } });
});

/** The history, newest first: `{items, next?}`; full-text on `q`, filtered by `status`. A bad cursor is a 400. */
export const GET = respond(async (request: Request) => {
  const { q, status, limit, cursor } = listSearchesQuerySchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const page = await getServices().searches.list({ q: q || undefined, status, limit, cursor });
  return Response.json(page, { headers: { 'cache-control': 'no-store' } });
});
