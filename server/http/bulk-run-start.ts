/**
 * Starting a bulk run, as `POST /api/bulk` (rows of an uploaded CSV) and
 * `POST /api/bulk/:id/rerun` (the rows of a recorded run) both do it: one bulk-priority search per
 * row, then one record of the run.
 *
 *   rows ──► each row: client's bulk quota ──► SearchService.create ──► started | not started (line, why)
 *                                                                              │
 *            none started, some refused for overload ──► 429 + Retry-After ◄──┤
 *            else record the run ──► taken: 201 {id, url, searches, errors} ◄─┘
 *                                └─► refused by the store: 503, the started searches in `details`
 *
 * Example: three rows, the client has two bulk rows left this hour. Rows 2 and 3 start; row 4 is
 * "not started: … try again in 1200 s"; the run is recorded with two searches and one error, 201.
 *
 * Invariants:
 * - Every row MUST pass the client's bulk quota (BULK_ROWS_PER_HOUR) and its share of the
 *   dispatcher, whichever route started it: running a run again is never a way around either.
 * - A search that started is never hidden: when the run cannot be recorded, the 503 lists it.
 * - The record keeps each row's whole query and the history owner, so the run can be started
 *   again and its searches listed from the record alone.
 */
import type { BulkRow, BulkRowError } from '../../lib/bulk-csv';
import type { BusinessQuery } from '../../lib/types';
import { OverloadedError, ValidationError } from '../errors';
import { newSearchId } from '../pipeline/search-producer';
import type { Services } from '../services';
import { retryAfterSeconds } from './error-answer';
import { historyKeyFor, ownerOfKey } from './history-key';
import { clientOf, errorResponse } from './responder';

/** The longest name a run keeps; longer ones are cut. */
export const MAX_RUN_NAME_CHARS = 200;

/** A search started by a bulk run, as the answer lists it. */
export interface BulkSearch {
  readonly line: number;
  readonly id: string;
  readonly url: string;
  readonly name: string;
  /** The search's owner capability (`ownership.ts`): whoever holds it may cancel it. */
  readonly cancelToken: string;
}

/** What a bulk run starts from. */
export interface BulkRunStart {
  /** The rows to start, each with its line in the uploaded file. */
  readonly rows: readonly BulkRow[];
  /** Rows already known not to start (a bad row of the file), reported with the others. */
  readonly errors?: readonly BulkRowError[];
  /** The run's name: the uploaded file's, when it gave one. */
  readonly name?: string;
}

/**
 * Starts the rows as one bulk run for the client of `request` and answers as `POST /api/bulk`
 * does: `201 {id, url: /bulk/<id>, searches, errors}`, a 429 when no row could start for overload,
 * a 503 (listing the started searches) when the run could not be recorded.
 */
export async function startBulkRun(
  request: Request,
  start: BulkRunStart,
  { searches: service, bulkLimiter }: Pick<Services, 'searches' | 'bulkLimiter'>,
): Promise<Response> {
  const client = clientOf(request);
  const history = historyKeyFor(request.headers, new URL(request.url).protocol === 'https:');
  const searches: BulkSearch[] = [];
  const queries: BusinessQuery[] = [];
  const errors: BulkRowError[] = [...(start.errors ?? [])];
  let refused: OverloadedError | undefined;
  for (const { line, query } of start.rows) {
    try {
      await bulkLimiter.take(client);
      const created = await service.create(query, { priority: 'bulk', client, historyKey: history.key });
      searches.push({ line, id: created.id, url: created.url, name: query.name, cancelToken: created.cancelToken });
      queries.push(query);
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
  // The searches run whether or not the run is recorded; a run the store cannot take is a 503
  // that still lists them, so the client can follow each one.
  try {
    await service.recordBulkRun({
      id,
      createdAt: Date.now(),
      ...(start.name === undefined ? {} : { name: start.name }),
      owner: ownerOfKey(history.key),
      searches: searches.map(({ line, id: searchId, name }, i) => ({ line, searchId, name, query: queries[i]! })),
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
}
