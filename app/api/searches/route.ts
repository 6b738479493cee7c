import { createSearchBodySchema } from '@/lib/schemas';
import { readJson, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Starts a search: `201 {id, url}`. */
export const POST = respond(async (request: Request) => {
  const { sites, priority, ...query } = createSearchBodySchema.parse(await readJson(request));
  const created = getServices().searches.create(query, { sites, priority });
  return Response.json(created, { status: 201, headers: { location: created.url } });
});
