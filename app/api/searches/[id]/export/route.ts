import { exportFileName, resultRows, toCsv } from '@/lib/csv-export';
import { exportQuerySchema, searchParamsObject } from '@/lib/schemas';
import { respond } from '@/server/http/responder';
import { searchIdFrom, type SearchRouteContext } from '@/server/http/search-id';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * A search as a download: `format=json` (default) is `{search, results, events}` as
 * `GET /api/searches/:id` answers it; `format=csv` is one row per site result, formulas escaped.
 */
export const GET = respond(async (request: Request, context: SearchRouteContext) => {
  const id = await searchIdFrom(context);
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
