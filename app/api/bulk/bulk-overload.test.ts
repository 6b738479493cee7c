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
  it('answers 429 when no row could start, with each refused row, the reason and when to retry', async () => {
    const response = await bulk(
      new Request('http://x/api/bulk', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'name\nA Cafe\n\nB Cafe\n' }),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const { error } = (await response.json()) as { error: { code: string; message: string; details: { line: number; message: string }[] } };
    expect(error.code).toBe('overloaded');
    expect(error.message).toMatch(/^no row started: too many site jobs waiting/);
    expect(error.details.map((e) => e.line)).toEqual([2, 4]);
    for (const row of error.details) expect(row.message).toMatch(/^not started: too many site jobs waiting .* — try again in \d+ s$/);
  });
});
