import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { GET } from './route';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  await app.dispose();
});

describe('GET /metrics', () => {
  it('serves Prometheus text with the pipeline and search figures', async () => {
    const { id } = await app.services.searches.create({ name: 'Metrics Bakery' }, { sites: ['yasabe.com', 'elocal.com'] });
    await app.services.searches.whenEnded(id);
    const response = await GET();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/sitescan_searches_total\{status="completed"\} 1/);
    expect(text).toMatch(/sitescan_site_attempts_total\{site="yasabe\.com"\} \d/);
    expect(text).toMatch(/sitescan_site_jobs_total\{site="elocal\.com",end="(found|partial|not_found|failed)"\} 1/);
    expect(text).toMatch(/sitescan_search_duration_seconds_count 1/);
    expect(text).toMatch(/sitescan_site_in_flight\{site="yasabe\.com"\} 0/);
    expect(text).toMatch(/sitescan_searches_running 0/);
    expect(text).toMatch(/sitescan_process_resident_memory_bytes \d+/);
  });
});
