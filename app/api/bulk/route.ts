import { echoInput } from '@/lib/input-echo';
import { MAX_BULK_BYTES, parseBulkCsv, type BulkRowError } from '@/lib/bulk-csv';
import { OverloadedError, ValidationError } from '@/server/errors';
import { retryAfterSeconds } from '@/server/http/error-answer';
import { historyKeyFor } from '@/server/http/history-key';
import { clientOf, errorResponse, respond } from '@/server/http/responder';
import { newSearchId } from '@/server/pipeline/search-producer';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** A search started by a bulk run. */
interface BulkSearch {
  readonly line: number;
  readonly id: string;
  readonly url: string;
  readonly name: string;
  /** The search's owner capability (`server/http/ownership.ts`): whoever holds it may cancel it. */
  readonly cancelToken: string;
}

/** The longest file name a run keeps (`?name=`); longer ones are cut. */
const MAX_NAME_CHARS = 200;

/** The uploaded file's name from `?name=`, as plain text: control characters dropped, cut to MAX_NAME_CHARS. */
function fileNameOf(request: Request): string | undefined {
  const raw = new URL(request.url).searchParams.get('name');
  const name = raw?.replace(/\p{Cc}/gu, '').trim().slice(0, MAX_NAME_CHARS);
  return name ? name : undefined;
}

/**
 * Starts one bulk-priority search per row of a CSV (`text/csv` body; the file's name may come as
 * `?name=`) and records them as one bulk run: `201 {id, url, searches: [{line, id, url, name,
 * cancelToken}], errors: [{line, message}]}`, `url` = `/bulk/<id>`, the run's page and share link.
 * A bad row or a refused search (429 overload) is reported by line and the other rows still run;
 * a file that cannot be used as a whole (too large, too many rows, no `name` column) is a 400.
 *
 * Each row counts against the client's bulk quota (BULK_ROWS_PER_HOUR) and its share of the
 * dispatcher: rows past either are reported as not started, and a run that could start none of
 * its rows for that reason is a 429 with Retry-After, the rows in `details`.
 */
export const POST = respond(async (request: Request) => {
  const type = request.headers.get('content-type') ?? '';
  if (!/^text\/csv\b/i.test(type)) {
    return errorResponse(415, 'unsupported_media_type', `expected content-type text/csv, got ${type ? echoInput(type) : 'none'}`);
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BULK_BYTES) return errorResponse(413, 'body_too_large', `the CSV is larger than ${MAX_BULK_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BULK_BYTES) {
    return errorResponse(413, 'body_too_large', `the CSV is larger than ${MAX_BULK_BYTES} bytes`);
  }
  const parsed = parseBulkCsv(text);
  if (!parsed.ok) return errorResponse(400, 'invalid_csv', parsed.message);

  const { searches: service, bulkLimiter } = getServices();
  const client = clientOf(request);
  const history = historyKeyFor(request.headers, new URL(request.url).protocol === 'https:');
  const searches: BulkSearch[] = [];
  const errors: BulkRowError[] = [...parsed.errors];
  let refused: OverloadedError | undefined;
  for (const { line, query } of parsed.rows) {
    try {
      await bulkLimiter.take(client);
      const created = await service.create(query, { priority: 'bulk', client, historyKey: history.key });
      searches.push({ line, id: created.id, url: created.url, name: query.name, cancelToken: created.cancelToken });
    } catch (error) {
      // What a single row may meet; anything else (shutting down, a fault of ours) ends the run.
      if (!(error instanceof OverloadedError || error instanceof ValidationError)) throw error;
      if (error instanceof OverloadedError) refused ??= error;
      const retry = error instanceof OverloadedError ? ` — try again in ${retryAfterSeconds(error.retryAfterMs)} s` : '';
      errors.push({ line, message: `not started: ${error.message}${retry}` });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  if (searches.length === 0 && refused) {
    return errorResponse(429, 'overloaded', `no row started: ${refused.message}`, { details: errors, retryAfterMs: refused.retryAfterMs });
  }
  // A run's id has the shape of a search's: 128 random bits, URL-safe.
  const id = newSearchId();
  const name = fileNameOf(request);
  // The searches run whether or not the run is recorded; a run the store cannot take is a 503
  // that still lists them, so the client can follow each one.
  try {
    await service.recordBulkRun({
      id,
      createdAt: Date.now(),
      ...(name === undefined ? {} : { name }),
      searches: searches.map(({ line, id: searchId, name: business }) => ({ line, searchId, name: business })),
      errors,
    });
  } catch (error) {
    return errorResponse(503, 'unavailable', `the searches started, but the bulk run could not be recorded: ${(error as Error).message}`, {
      details: { searches, errors },
    });
  }
  const headers = new Headers();
  if (history.setCookie && searches.length > 0) headers.append('set-cookie', history.setCookie);
  return Response.json({ id, url: `/bulk/${id}`, searches, errors }, { status: 201, headers });
});
