import { echoInput } from '@/lib/input-echo';
import { bulkRunIdSchema } from '@/lib/schemas';
import { ConflictError, NotFoundError, ValidationError } from '@/server/errors';
import { MAX_RUN_NAME_CHARS, startBulkRun } from '@/server/http/bulk-run-start';
import { respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

interface BulkRunRouteContext {
  readonly params: Promise<{ id: string }>;
}

/** The name of a run started again: `clients.csv (again)`; none when the first had none. */
function againName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : `${name.slice(0, MAX_RUN_NAME_CHARS - ' (again)'.length)} (again)`;
}

/**
 * Starts a recorded bulk run again: a new run of the rows that started a search, with the same
 * lines and queries, named `<name> (again)`. Answers as `POST /api/bulk` does (201 `{id, url,
 * searches, errors}`, 429, 503), through the same admission, per-client quota and access rules;
 * 404 for an unknown run, 409 for a run that started no search. No body is needed; a body that
 * is not JSON is refused (a cross-site form can only send form or text bodies).
 */
export const POST = respond(async (request: Request, context: BulkRunRouteContext) => {
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/json\b/i.test(type)) {
    throw new ValidationError(`expected no body or content-type application/json, got ${echoInput(type)}`, undefined, { code: 'unsupported_media_type' });
  }
  const { id } = await context.params;
  if (!bulkRunIdSchema.safeParse(id).success) throw new NotFoundError(`no bulk run with id ${echoInput(id)}`);
  const services = getServices();
  const { run, rows } = await services.searches.bulkRunRows(id);
  if (rows.length === 0) throw new ConflictError(`bulk run ${id} started no search, so there is nothing to run again`);
  return startBulkRun(request, { rows, name: againName(run.name) }, services);
});
