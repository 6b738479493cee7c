import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BULK_BYTES } from '@/lib/bulk-csv';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { POST as bulk } from './route';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  await app.dispose();
});

interface BulkAnswer {
  searches: { line: number; id: string; url: string; name: string }[];
  errors: { line: number; message: string }[];
  error?: { code: string; message: string };
}

const upload = async (csv: string, type = 'text/csv') => {
  const response = await bulk(new Request('http://x/api/bulk', { method: 'POST', headers: { 'content-type': type }, body: csv }));
  return { status: response.status, body: (await response.json()) as BulkAnswer };
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
