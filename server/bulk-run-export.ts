/**
 * A whole bulk run as one download: one row per search × site, the columns of a single search's
 * export (`lib/csv-export.ts`), written a search at a time.
 *
 *   run record ──► pull ──► read search 1 ──► its rows ──► chunk ──► pull ──► … search N ──► end
 *
 * Example: a run of 200 businesses on 41 sites is 8,200 rows. The reader asks for the next chunk
 * only when the client has taken the last one (a stream's pull), so the process holds one
 * search's snapshot and one chunk at a time, never the 8,200 rows.
 *
 * Invariants:
 * - The searches come in the run's order (by line), each search's rows in the order it reports
 *   its sites, so two exports of an ended run are the same bytes.
 * - CSV: the header once, then each search's rows, every line ended by CRLF; cells escaped as the
 *   single export escapes them. JSON: `{id, createdAt, name?, errors, rows: [...]}`, each row an object
 *   keyed by the same columns.
 * - A search that can be read nowhere (neither live nor stored) has no rows; a read that fails
 *   ends the stream with that error, so a download is never cut short without the client seeing
 *   it fail.
 */
import { resultRows, toCsv } from '../lib/csv-export';
import type { SearchSnapshot } from '../lib/types';
import type { BulkRunRecord } from './store/store';

/** Formats of the export. */
export type BulkRunExportFormat = 'csv' | 'json';

/** Reads a search of the run: its current state, or undefined when it can be read nowhere. */
export type ReadSearch = (searchId: string) => Promise<SearchSnapshot | undefined>;

/** The export of `run` in `format`, as a byte stream that reads one search per chunk. */
export function bulkRunExport(run: BulkRunRecord, format: BulkRunExportFormat, read: ReadSearch): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const searchIds = [...run.searches].sort((a, b) => a.line - b.line).map((search) => search.searchId);
  let next = 0;
  let rowsWritten = 0;

  /** The text of one search's rows, with what separates it from the rows before. */
  async function chunkOf(searchId: string): Promise<string> {
    const snapshot = await read(searchId);
    const rows = snapshot ? resultRows(snapshot.search, snapshot.results) : [];
    if (rows.length === 0) return '';
    const before = rowsWritten;
    rowsWritten += rows.length;
    if (format === 'csv') return `${toCsv(rows, { header: false })}\r\n`;
    return `${before === 0 ? '\n' : ',\n'}${rows.map((row) => JSON.stringify(row)).join(',\n')}`;
  }

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const head =
          format === 'csv'
            ? // Papa ends a header with no rows after it with a line end, and one with rows without.
              `${toCsv([]).replace(/\r\n$/, '')}\r\n`
            : `{"id":${JSON.stringify(run.id)},"createdAt":${run.createdAt},${run.name === undefined ? '' : `"name":${JSON.stringify(run.name)},`}"errors":${JSON.stringify(run.errors)},"rows":[`;
        controller.enqueue(encoder.encode(head));
      },
      async pull(controller) {
        // Skips searches with no rows, so each pull enqueues something or ends the stream.
        while (next < searchIds.length) {
          const text = await chunkOf(searchIds[next++]!);
          if (text) {
            controller.enqueue(encoder.encode(text));
            return;
          }
        }
        if (format === 'json') controller.enqueue(encoder.encode(`${rowsWritten === 0 ? '' : '\n'}]}\n`));
        controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}
