import { echoInput } from '@/lib/input-echo';
import { MAX_BULK_BYTES, parseBulkCsv } from '@/lib/bulk-csv';
import { MAX_RUN_NAME_CHARS, startBulkRun } from '@/server/http/bulk-run-start';
import { errorResponse, respond } from '@/server/http/responder';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** The uploaded file's name from `?name=`, as plain text: control characters dropped, cut to MAX_RUN_NAME_CHARS. */
function fileNameOf(request: Request): string | undefined {
  const raw = new URL(request.url).searchParams.get('name');
  const name = raw?.replace(/\p{Cc}/gu, '').trim().slice(0, MAX_RUN_NAME_CHARS);
  return name ? name : undefined;
}

/**
 * Starts one bulk-priority search per row of a CSV (`text/csv` body; the file's name may come as
 * `?name=`) and records them as one bulk run (`server/http/bulk-run-start.ts`): `201 {id, url,
 * searches: [{line, id, url, name, cancelToken}], errors: [{line, message}]}`, `url` =
 * `/bulk/<id>`, the run's page and share link; a 503 listing the started searches when the run
 * could not be recorded.
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

  return startBulkRun(request, { rows: parsed.rows, errors: parsed.errors, name: fileNameOf(request) }, getServices());
});
