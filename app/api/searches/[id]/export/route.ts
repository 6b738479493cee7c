import { exportFileName, resultRows, toCsv } from '@/lib/csv-export';
import { changesReport } from '@/lib/scan-changes';
import { exportQuerySchema, searchParamsObject } from '@/lib/schemas';
import { respond } from '@/server/http/responder';
import { searchIdFrom, type SearchRouteContext } from '@/server/http/search-id';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * A search as a download: `format=json` (default) is `{search, results, events}` as
 * `GET /api/searches/:id` answers it, with `sinceLastScan` when the business was scanned before
 * (the previous scan, the count of each change and each site's); `format=csv` is one row per site
 * result, formulas escaped, with the previous scan's outcome and the change in the last columns.
 */
export const GET = respond(async (request: Request, context: SearchRouteContext) => {
  const id = await searchIdFrom(context);
  const { format } = exportQuerySchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const { searches } = getServices();
  const snapshot = await searches.get(id);
  const previous = await searches.previousScan(snapshot.search);
  const headers = {
    'content-disposition': `attachment; filename="${exportFileName(snapshot.search.query.name, id, format)}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (format === 'json') {
    const body = previous ? { ...snapshot, sinceLastScan: changesReport(previous, snapshot.results) } : snapshot;
    return new Response(JSON.stringify(body, null, 2), {
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    });
  }
  return new Response(toCsv(resultRows(snapshot.search, snapshot.results, previous)), {
    headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
  });
});
