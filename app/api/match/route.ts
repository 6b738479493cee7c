import { matchBodySchema } from '@/lib/schemas';
import { readJson, respond } from '@/server/http/responder';
import { matchListing } from '@/server/sites/match';

export const dynamic = 'force-dynamic';

/** The matcher, for debugging a verdict: `{query, listing}` → `{score, outcome, fields}`. */
export const POST = respond(async (request: Request) => {
  const { query, listing } = matchBodySchema.parse(await readJson(request));
  const { score, outcome, fields } = matchListing(query, listing);
  return Response.json({ score, outcome, fields });
});
