import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BULK_BYTES } from '@/lib/bulk-csv';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import type { BulkRunView } from '@/lib/types';
import { GET as getRun } from './[id]/route';
import { POST as bulk } from './route';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  await app.dispose();
});

interface BulkAnswer {
  id: string;
  url: string;
  searches: { line: number; id: string; url: string; name: string }[];
  errors: { line: number; message: string }[];
  error?: { code: string; message: string };
}

const upload = async (csv: string, type = 'text/csv', query = '') => {
  const response = await bulk(new Request(`http://x/api/bulk${query}`, { method: 'POST', headers: { 'content-type': type }, body: csv }));
  return { status: response.status, body: (await response.json()) as BulkAnswer };
};

const readRun = async (id: string) => {
  const response = await getRun(new Request(`http://x/api/bulk/${id}`), { params: Promise.resolve({ id }) });
  return { status: response.status, body: (await response.json()) as BulkRunView & { error?: { code: string; message: string } } };
};

describe('POST /api/bulk', () => {
  it('starts a bulk-priority search per good row and reports bad rows by line', async () => {
    const csv = 'name,location,phone,website\nBlue Door Bakery,"Austin, TX",,\n,Dallas,,\nCorner Deli,"Two\nLines",,\nx,,,\n';
    const { status, body } = await upload(csv);
    expect(status).toBe(201);
    expect(body.searches.map(({ line, name }) => ({ line, name }))).toEqual([
      { line: 2, name: 'Blue Door Bakery' },
      { line: 4, name: 'Corner Deli' },
      { line: 6, name: 'x' },
    ]);
    expect(body.errors).toEqual([{ line: 3, message: 'name: name is required' }]);
    for (const { id, url } of body.searches) {
      expect(url).toBe(`/s/${id}`);
      const snapshot = await app.services.searches.get(id);
      expect(snapshot.search.priority).toBe('bulk');
    }
    const first = await app.services.searches.get(body.searches[0]!.id);
    expect(first.search.query).toEqual({ name: 'Blue Door Bakery', location: 'Austin, TX' });
    // The run is a thing of its own: an id, a page, a record.
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.url).toBe(`/bulk/${body.id}`);
  });

  it('records the run: GET /api/bulk/:id answers its rows, where each search stands, and the rows not started', async () => {
    const csv = 'name,location\nBlue Door Bakery,"Austin, TX"\n,Dallas\nCorner Deli,Portland\n';
    const { body } = await upload(csv, 'text/csv', '?name=clients%0A.csv');
    const started = await readRun(body.id);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ id: body.id, name: 'clients.csv', errors: [{ line: 3, message: 'name: name is required' }] });
    expect(started.body.searches.map(({ line, id, name }) => ({ line, id, name }))).toEqual(
      body.searches.map(({ line, id, name }) => ({ line, id, name })),
    );
    for (const search of body.searches) await app.services.searches.whenEnded(search.id);
    const ended = await readRun(body.id);
    expect(ended.body.status).toBe('completed');
    for (const search of ended.body.searches) {
      expect(search.status).toBe('completed');
      expect(search.summary?.open).toBe(0);
      expect(search.summary?.total).toBeGreaterThan(0);
    }
  });

  it('answers 404 for an unknown run and for an id no run can have', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id', '../etc']) {
      const { status, body } = await readRun(id);
      expect(status).toBe(404);
      expect(body.error?.code).toBe('not_found');
    }
  });

  it.each([
    ['', 'text/csv', 400, /empty/],
    ['business,city\nA,B\n', 'text/csv', 400, /no "name" column/],
    [`name\n${'a\n'.repeat(1001)}`, 'text/csv', 400, /more than 1000 businesses/],
    [`name\n${'a'.repeat(MAX_BULK_BYTES)}\n`, 'text/csv', 413, /larger than/],
    ['{"name":"a"}', 'application/json', 415, /expected content-type text\/csv, got application\/json/],
  ])('refuses a file it cannot use as a whole (%#) with %i and the reason', async (csv, type, status, message) => {
    const answer = await upload(csv, type);
    expect(answer.status).toBe(status);
    expect(answer.body.error!.message).toMatch(message);
  });
});
