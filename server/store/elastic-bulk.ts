/**
 * The write buffer's bulk call for a real node: one flush as one run of the client's bulk helper,
 * with every doc the helper drops sorted into "already there", "retry" or "refused".
 *
 *   flight (PendingDocs) ──► ops: index search · update result (upsert) · create event
 *        ──► helpers.bulk (≤ FLUSH_BYTES a request, BULK_CONCURRENCY at a time, refresh wait_for)
 *        ──► dropped: 409 on create → already stored · 429, 5xx → retry · other → refused
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { OnDropDocument } from '@elastic/elasticsearch/lib/helpers';
import type { Logger } from 'pino';
import {
  toEventDoc,
  toResultUpdate,
  toSearchDoc,
  type EventDoc,
  type ResultDoc,
  type ResultFields,
  type SearchDoc,
} from './elastic-documents';
import type { ElasticIndexNames } from './elastic-indices';
import { PendingDocs, type DocKind } from './elastic-pending-docs';
import type { BulkFlush, RefusedDoc } from './elastic-write-buffer';

/** Bulk request size the helper aims for; a flush of 10,000 events is about 3 MB. */
const FLUSH_BYTES = 5_000_000;
/** Bulk requests of one flush in parallel (safe: a flush holds one op per doc). */
const BULK_CONCURRENCY = 2;

/** One op of a flush with its body: the bulk helper's datasource, returned as is by `onDocument`. */
type BulkAction =
  | [{ index: estypes.BulkIndexOperation }, SearchDoc]
  | [{ update: estypes.BulkUpdateOperation }, estypes.BulkUpdateAction<ResultDoc, ResultFields>]
  | [{ create: estypes.BulkCreateOperation }, EventDoc];

/** The sorted drops of one flush, filled as the helper reports them. */
interface SortedDrops {
  readonly retry: PendingDocs;
  readonly refused: RefusedDoc[];
  retryReason?: string;
}

/** Options of `elasticBulk`. */
export interface ElasticBulkOptions {
  readonly client: Client;
  readonly indices: ElasticIndexNames;
  /** Timeout of each bulk request. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
}

/** The bulk call that sends the write buffer's flushes to `indices` through `client`. */
export function elasticBulk(options: ElasticBulkOptions): BulkFlush {
  const { client, indices, requestTimeoutMs, logger } = options;
  const kindOfIndex = new Map<string, DocKind>([
    [indices.searches, 'search'],
    [indices.results, 'result'],
    [indices.events, 'event'],
  ]);
  return async (flight, context) => {
    const outcome: SortedDrops = { retry: new PendingDocs(), refused: [] };
    const ops = bulkActions(flight, indices);
    const stats = await client.helpers.bulk<BulkAction>(
      {
        datasource: ops,
        onDocument: (action) => action,
        onDrop: (dropped) => sortDropped(dropped, flight, outcome, kindOfIndex, logger),
        flushBytes: FLUSH_BYTES,
        concurrency: BULK_CONCURRENCY,
        // Retries are the write buffer's (with backoff, and the docs kept in the overlay), not the helper's.
        retries: 0,
        // wait_for: a doc leaves the overlay only once searches see it. While closing nobody reads
        // this store again but the next process may at once, and one forced refresh is cheap.
        refresh: context.closing ? true : 'wait_for',
      },
      { maxRetries: 0, requestTimeout: requestTimeoutMs, signal: context.signal },
    );
    logger.debug({ docs: ops.length, retry: outcome.retry.size, ms: stats.time, bytes: stats.bytes }, 'flushed');
    return outcome;
  };
}

/** The ops of one flush, searches then results then events, each under its natural id. */
function bulkActions(flight: PendingDocs, indices: ElasticIndexNames): BulkAction[] {
  const ops: BulkAction[] = [];
  for (const [id, search] of flight.searches) {
    ops.push([{ index: { _index: indices.searches, _id: id } }, toSearchDoc(search)]);
  }
  for (const [id, { result, position }] of flight.results) {
    ops.push([{ update: { _index: indices.results, _id: id, retry_on_conflict: 3 } }, toResultUpdate(result, position)]);
  }
  for (const [id, event] of flight.events) {
    ops.push([{ create: { _index: indices.events, _id: id } }, toEventDoc(event)]);
  }
  return ops;
}

/** Sorts a doc the bulk helper gave up on: already there, to retry, or refused for good. */
function sortDropped(
  dropped: OnDropDocument<BulkAction>,
  flight: PendingDocs,
  outcome: SortedDrops,
  kindOfIndex: ReadonlyMap<string, DocKind>,
  logger: Logger,
): void {
  const [type, meta] = Object.entries(dropped.operation)[0] ?? [];
  const target = meta as { _index?: string; _id?: string } | undefined;
  const kind = target?._index === undefined ? undefined : kindOfIndex.get(target._index);
  const id = target?._id;
  if (kind === undefined || id === undefined) {
    logger.error({ operation: dropped.operation, status: dropped.status }, 'bulk helper dropped an op we did not send');
    return;
  }
  // The event is already stored: the first one written stays.
  if (dropped.status === 409 && type === 'create') return;
  const reason = `${dropped.status} ${dropped.error?.type ?? ''} ${dropped.error?.reason ?? ''}`.trim();
  if (dropped.status === 429 || dropped.status >= 500) {
    outcome.retry.copyFrom(flight, kind, id);
    outcome.retryReason = reason;
    return;
  }
  outcome.refused.push({ kind, id, reason: `${reason} (index ${target?._index})` });
}
