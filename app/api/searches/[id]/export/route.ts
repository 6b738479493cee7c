import { exportFileName, resultRows, toCsv } from '@/lib/csv-export';
import { exportQuerySchema, searchIdSchema, searchParamsObject } from '@/lib/schemas';
import { errorResponse, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * A search as a download: `format=json` (default) is `{search, results, events}` as
 * `GET /api/searches/:id` answers it; `format=csv` is one row per site result, formulas escaped.
 */
export const GET = respond(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!searchIdSchema.safeParse(id).success) return errorResponse(404, 'not_found', `no search with id ${id}`);
  const { format } = exportQuerySchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const snapshot = await getServices().searches.get(id);
  const headers = {
    'content-disposition': `attachment; filename="${exportFileName(snapshot.search.query.name, id, format)}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (format === 'json') {
    return new Response(JSON.stringify(snapshot, null, 2), {
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    });
  }
  return new Response(toCsv(resultRows(snapshot.search, snapshot.results)), {
    headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
  });
});
