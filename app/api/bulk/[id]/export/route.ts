import { exportFileName } from '@/lib/csv-export';
import { echoInput } from '@/lib/input-echo';
import { bulkRunIdSchema, exportQuerySchema, searchParamsObject } from '@/lib/schemas';
import { bulkRunExport } from '@/server/bulk-run-export';
import { NotFoundError } from '@/server/errors';
import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

interface BulkRunRouteContext {
  readonly params: Promise<{ id: string }>;
}

/**
 * A whole bulk run as a download (`server/bulk-run-export.ts`): one row per search × site with
 * the columns of a search's export; `format=json` (the default, as for a search: `{id,
 * createdAt, name?, errors, rows}`) or `format=csv`. Written a search at a time, so memory stays
 * that of one search whatever the run's size. 400 naming an unknown format, 404 for an unknown run.
 */
export const GET = respond(async (request: Request, context: BulkRunRouteContext) => {
  const { format } = exportQuerySchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const { id } = await context.params;
  if (!bulkRunIdSchema.safeParse(id).success) throw new NotFoundError(`no bulk run with id ${echoInput(id)}`);
  const { searches } = getServices();
  const run = await searches.bulkRunRecord(id);
  const read = (searchId: string) =>
    searches.get(searchId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  return new Response(bulkRunExport(run, format, read), {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(`bulk ${run.name ?? ''}`, id, format)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});
