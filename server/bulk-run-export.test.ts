import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS, resultRows } from '../lib/csv-export';
import type { SearchSnapshot } from '../lib/types';
import { bulkRunExport } from './bulk-run-export';
import { asSiteResult, makeResult, makeSearch, searchId, T0 } from './store/store-conformance';
import type { BulkRunRecord } from './store/store';

/** A search with a result on each of `sites`. */
function snapshotOf(id: string, name: string, sites: readonly string[]): SearchSnapshot {
  const search = makeSearch(id, { query: { name } });
  return { search, results: sites.map((site) => asSiteResult(makeResult(id, site))), events: [] };
}

const [a, b, c] = [searchId(1), searchId(2), searchId(3)];
// Rows recorded out of line order: the export follows the lines.
const run: BulkRunRecord = {
  id: 'run-1',
  createdAt: T0,
  name: 'clients "2024".csv',
  searches: [
    { line: 4, searchId: b, name: '=B Cafe' },
    { line: 2, searchId: a, name: 'A Cafe' },
    { line: 5, searchId: c, name: 'Gone Cafe' },
  ],
  errors: [{ line: 3, message: 'name: name is required' }],
};
const snapshots = new Map([
  [a, snapshotOf(a, 'A Cafe', ['alpha.example', 'beta.example'])],
  [b, snapshotOf(b, '=B Cafe', ['alpha.example'])],
]);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('bulkRunExport', () => {
  it('writes CSV in the order of the lines, the header once, formulas escaped, a search read nowhere left out', async () => {
    const text = await readAll(bulkRunExport(run, 'csv', async (id) => snapshots.get(id)));
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...RESULT_COLUMNS]);
    expect(parsed.data.map((row) => `${row.search_id} ${row.business_name} ${row.site_id}`)).toEqual([
      `${a} A Cafe alpha.example`,
      `${a} A Cafe beta.example`,
      `${b} '=B Cafe alpha.example`,
    ]);
  });

  it('writes JSON: the run, its rows not started and the same rows as typed objects', async () => {
    const body = JSON.parse(await readAll(bulkRunExport(run, 'json', async (id) => snapshots.get(id)))) as Record<string, unknown>;
    expect(body).toStrictEqual({
      id: 'run-1',
      createdAt: T0,
      name: 'clients "2024".csv',
      errors: run.errors,
      rows: [...resultRows(snapshots.get(a)!.search, snapshots.get(a)!.results), ...resultRows(snapshots.get(b)!.search, snapshots.get(b)!.results)],
    });
  });

  it('writes valid JSON for a run with no rows at all', async () => {
    const body = JSON.parse(await readAll(bulkRunExport({ ...run, name: undefined }, 'json', async () => undefined))) as Record<string, unknown>;
    expect(body).toStrictEqual({ id: 'run-1', createdAt: T0, errors: run.errors, rows: [] });
  });

  it('reads a search only when the reader asks for the next chunk, so it holds one search at a time', async () => {
    const read: string[] = [];
    const reader = bulkRunExport(run, 'csv', async (id) => {
      read.push(id);
      return snapshots.get(id);
    }).getReader();
    expect((await reader.read()).value).toBeDefined(); // the header
    // The stream may pull one chunk ahead of the reader (highWaterMark 1), no more.
    expect(read.length).toBeLessThanOrEqual(1);
    expect((await reader.read()).value).toBeDefined(); // A Cafe's rows
    expect(read[0]).toBe(a);
    expect(read.length).toBeLessThanOrEqual(2);
    while (!(await reader.read()).done);
    expect(read).toEqual([a, b, c]);
  });

  it('fails the stream with the reader\'s error rather than end a download short', async () => {
    const failing = bulkRunExport(run, 'csv', async (id) => {
      if (id === b) throw new Error('store unreachable');
      return snapshots.get(id);
    });
    await expect(readAll(failing)).rejects.toThrow('store unreachable');
  });
});
