import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { POST as bulk } from './route';

let app: TestSitescan;
beforeAll(async () => {
  // Fewer buffered jobs allowed than one search has sites: every search is refused with 429.
  app = await startTestSitescan({ MAX_BUFFERED_JOBS: '1' });
});
afterAll(async () => {
  await app.dispose();
});

describe('POST /api/bulk when sitescan is overloaded', () => {
  it('reports each refused row with the reason and when to retry, and still answers', async () => {
    const response = await bulk(
      new Request('http://x/api/bulk', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'name\nA Cafe\n\nB Cafe\n' }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { searches: unknown[]; errors: { line: number; message: string }[] };
    expect(body.searches).toEqual([]);
    expect(body.errors.map((e) => e.line)).toEqual([2, 4]);
    for (const error of body.errors) expect(error.message).toMatch(/^not started: too many site jobs waiting .* — try again in \d+ s$/);
  });
});
