import Database from 'better-sqlite3';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_COLUMNS, resultRows } from '@/lib/csv-export';
import type { BulkRunView } from '@/lib/types';
import { HISTORY_KEY_COOKIE, newHistoryKey } from '@/server/http/history-key';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { GET as exportRun } from './[id]/export/route';
import { POST as rerun } from './[id]/rerun/route';
import { GET as getRun } from './[id]/route';
import { POST as bulk } from './route';

interface BulkAnswer {
  id: string;
  url: string;
  searches: { line: number; id: string; url: string; name: string }[];
  errors: { line: number; message: string }[];
  error?: { code: string; message: string; details?: { searches: { id: string }[] } };
}

const context = (id: string) => ({ params: Promise.resolve({ id }) });

async function upload(csv: string, query = '', headers: Record<string, string> = {}) {
  const response = await bulk(new Request(`http://x/api/bulk${query}`, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body: csv }));
  return { status: response.status, body: (await response.json()) as BulkAnswer, headers: response.headers };
}

async function again(id: string, init: RequestInit = {}) {
  const response = await rerun(new Request(`http://x/api/bulk/${id}/rerun`, { method: 'POST', ...init }), context(id));
  return { status: response.status, body: (await response.json()) as BulkAnswer, headers: response.headers };
}

const download = (id: string, format?: string) =>
  exportRun(new Request(`http://x/api/bulk/${id}/export${format === undefined ? '' : `?format=${format}`}`), context(id));

const readRun = async (id: string) => (await (await getRun(new Request(`http://x/api/bulk/${id}`), context(id))).json()) as BulkRunView;

const CSV = 'name,location,phone,website\nBlue Door Bakery,"Austin, TX",(512) 555-0134,bluedoorbakery.com\n,Dallas,,\n"=HYPERLINK(""x"")",Portland,,\n';

describe('bulk run actions', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan();
  });
  afterAll(async () => {
    await app.dispose();
  });

  const ended = async (run: BulkAnswer) => Promise.all(run.searches.map((search) => app.services.searches.whenEnded(search.id)));

  describe('GET /api/bulk/:id/export', () => {
    it('downloads the whole batch as CSV: one row per search × site, the columns of a search export, formulas escaped', async () => {
      const { body: run } = await upload(CSV, '?name=clients.csv');
      const snapshots = await ended(run);
      const response = await download(run.id, 'csv');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="sitescan-bulk-clients-csv-${run.id}.csv"`);
      const parsed = Papa.parse<Record<string, string>>(await response.text(), { header: true, skipEmptyLines: true });
      expect(parsed.errors).toEqual([]);
      expect(parsed.meta.fields).toEqual([...RESULT_COLUMNS]);
      const expected = snapshots.flatMap((snapshot) => resultRows(snapshot.search, snapshot.results));
      expect(parsed.data).toHaveLength(expected.length);
      expect(parsed.data.map((row) => `${row.search_id} ${row.site_id} ${row.status} ${row.outcome}`)).toEqual(
        expected.map((row) => `${row.search_id} ${row.site_id} ${row.status} ${row.outcome}`),
      );
      expect(new Set(parsed.data.map((row) => row.business_name))).toEqual(new Set(['Blue Door Bakery', `'=HYPERLINK("x")`]));
    });

    it('downloads it as JSON with the run, its rows not started and the same rows, typed', async () => {
      const { body: run } = await upload(CSV);
      const snapshots = await ended(run);
      const response = await download(run.id, 'json');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await response.json()) as { id: string; createdAt: number; name?: string; errors: unknown[]; rows: Record<string, unknown>[] };
      expect(body).toMatchObject({ id: run.id, errors: [{ line: 3, message: 'name: name is required' }] });
      expect(body.name).toBeUndefined();
      expect(body.rows).toEqual(snapshots.flatMap((snapshot) => resultRows(snapshot.search, snapshot.results)));
      expect(typeof body.rows[0]!.attempts).toBe('number');
    });

    it('answers JSON when no format is given, and a run with no search as the head alone', async () => {
      const { body: run } = await upload('name\n\n,x\n');
      expect(run.searches).toEqual([]);
      const json = await download(run.id);
      expect(await json.json()).toMatchObject({ id: run.id, rows: [] });
      const csv = await download(run.id, 'csv');
      expect(await csv.text()).toBe(`${RESULT_COLUMNS.join(',')}\r\n`);
    });

    it('refuses an unknown format with 400 naming it, and an unknown or impossible id with 404', async () => {
      const { body: run } = await upload('name\nA Cafe\n');
      const refused = await download(run.id, 'xml');
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('format: format must be csv or json, got "xml"');
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', '../etc']) {
        const missing = await download(id, 'csv');
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
      }
    });
  });

  describe('POST /api/bulk/:id/rerun', () => {
    it('starts a new run of the same rows: same lines and whole queries, bulk priority, named "(again)", recorded', async () => {
      const { body: first } = await upload(CSV, '?name=clients.csv');
      const { status, body } = await again(first.id, { headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(status).toBe(201);
      expect(body.id).not.toBe(first.id);
      expect(body.url).toBe(`/bulk/${body.id}`);
      expect(body.errors).toEqual([]);
      expect(body.searches.map(({ line, name }) => ({ line, name }))).toEqual(first.searches.map(({ line, name }) => ({ line, name })));
      for (const [i, search] of body.searches.entries()) {
        expect(search.id).not.toBe(first.searches[i]!.id);
        const [before, now] = await Promise.all([app.services.searches.get(first.searches[i]!.id), app.services.searches.get(search.id)]);
        expect(now.search.query).toEqual(before.search.query);
        expect(now.search.priority).toBe('bulk');
      }
      expect((await app.services.searches.get(body.searches[0]!.id)).search.query).toEqual({
        name: 'Blue Door Bakery',
        location: 'Austin, TX',
        phone: '(512) 555-0134',
        website: 'bluedoorbakery.com',
      });
      const recorded = await readRun(body.id);
      expect(recorded.name).toBe('clients.csv (again)');
      expect(recorded.searches.map((search) => search.id)).toEqual(body.searches.map((search) => search.id));
    });

    it('starts a run recorded before queries were kept from its searches\' queries', async () => {
      const { body: first } = await upload(CSV);
      const old = await app.services.searches.bulkRunRecord(first.id);
      const id = 'OLDRUNOLDRUNOLDRUNOLDR';
      await app.services.searches.recordBulkRun({ ...old, id, searches: old.searches.map(({ line, searchId, name }) => ({ line, searchId, name })) });
      const { status, body } = await again(id);
      expect(status).toBe(201);
      expect((await app.services.searches.get(body.searches[0]!.id)).search.query).toEqual(
        (await app.services.searches.get(first.searches[0]!.id)).search.query,
      );
    });

    it('answers 404 for an unknown run, 409 for a run that started nothing, and refuses a body that is not JSON', async () => {
      expect((await again('AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
      expect((await again('not-an-id')).status).toBe(404);
      const { body: empty } = await upload('name\n,x\n');
      const nothing = await again(empty.id);
      expect(nothing.status).toBe(409);
      expect(nothing.body.error!.message).toBe(`bulk run ${empty.id} started no search, so there is nothing to run again`);
      const { body: run } = await upload('name\nA Cafe\n');
      const form = await again(run.id, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      expect(form.status).toBe(400);
      expect(form.body.error!.message).toBe('expected no body or content-type application/json, got application/x-www-form-urlencoded');
    });
  });

  describe('/history?bulk=<id> (SearchService.bulkRunHistory)', () => {
    it('lists exactly the run\'s searches in the order of its rows, a page at a time', async () => {
      const { body: run } = await upload('name\nA Cafe\nB Cafe\n,none\nC Cafe\n', '?name=abc.csv');
      const firstPage = await app.services.searches.bulkRunHistory(run.id, { offset: 0, limit: 2 });
      expect(firstPage).toMatchObject({ run: { id: run.id, name: 'abc.csv' }, total: 3, offset: 0 });
      expect(firstPage.items.map((item) => item.query.name)).toEqual(['A Cafe', 'B Cafe']);
      const second = await app.services.searches.bulkRunHistory(run.id, { offset: 2, limit: 2 });
      expect(second.items.map((item) => item.id)).toEqual([run.searches[2]!.id]);
      await expect(app.services.searches.bulkRunHistory('AAAAAAAAAAAAAAAAAAAAAA', { offset: 0, limit: 20 })).rejects.toThrow(
        'no bulk run with id AAAAAAAAAAAAAAAAAAAAAA',
      );
    });
  });
});

describe('bulk run actions with HISTORY_SCOPE=owner and a bulk quota of 3 rows an hour', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan({ HISTORY_SCOPE: 'owner', BULK_ROWS_PER_HOUR: '3' });
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('runs again through the client\'s bulk quota: rows past it are not started, and none at all is a 429', async () => {
    const cookie = `${HISTORY_KEY_COOKIE}=${newHistoryKey()}`;
    const { status, body: first } = await upload('name\nA Cafe\nB Cafe\n', '', { cookie });
    expect(status).toBe(201);
    const second = await again(first.id, { headers: { cookie } });
    expect(second.status).toBe(201);
    expect(second.body.searches.map((search) => search.line)).toEqual([2]);
    expect(second.body.errors.map((error) => error.line)).toEqual([3]);
    expect(second.body.errors[0]!.message).toMatch(/^not started: .* — try again in \d+ s$/);
    const third = await again(first.id, { headers: { cookie } });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lists a run\'s searches in the history only to the browser that started it', async () => {
    const key = newHistoryKey();
    // A quota of its own: the client address of this test's requests is a new one.
    const { status, body: run } = await upload('name\nD Cafe\n', '', { cookie: `${HISTORY_KEY_COOKIE}=${key}`, 'x-sitescan-client': '198.51.100.7' });
    expect(status).toBe(201);
    const mine = await app.services.searches.bulkRunHistory(run.id, { offset: 0, limit: 20 }, key);
    expect(mine.items.map((item) => item.id)).toEqual([run.searches[0]!.id]);
    for (const other of [newHistoryKey(), undefined]) {
      await expect(app.services.searches.bulkRunHistory(run.id, { offset: 0, limit: 20 }, other)).rejects.toThrow(/not started from this browser/);
    }
  });
});

describe('POST /api/bulk when the store refuses the run\'s record', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan();
    // A real failing write: SQLite itself aborts every insert of a bulk run; searches still write.
    const db = new Database(join(app.dataDir, 'sitescan.db'));
    db.exec("CREATE TRIGGER refuse_bulk_runs BEFORE INSERT ON bulk_runs BEGIN SELECT RAISE(ABORT, 'disk refuses bulk runs'); END");
    db.close();
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('answers 503 naming the store\'s reason, and lists the searches that started so they can be followed', async () => {
    const { status, body } = await upload('name\nA Cafe\n,x\nB Cafe\n');
    expect(status).toBe(503);
    expect(body.error!.code).toBe('unavailable');
    expect(body.error!.message).toMatch(/^the searches started, but the bulk run could not be recorded: .*disk refuses bulk runs/);
    const { searches, errors } = body.error!.details as unknown as BulkAnswer;
    expect(searches.map(({ line, name }) => ({ line, name }))).toEqual([
      { line: 2, name: 'A Cafe' },
      { line: 4, name: 'B Cafe' },
    ]);
    expect(errors).toEqual([{ line: 3, message: 'name: name is required' }]);
    // The searches run and are stored; only the run has no record.
    for (const search of searches) expect((await app.services.searches.whenEnded(search.id)).search.status).toBe('completed');
    const db = new Database(join(app.dataDir, 'sitescan.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS runs FROM bulk_runs').get()).toEqual({ runs: 0 });
    } finally {
      db.close();
    }
  });
});
