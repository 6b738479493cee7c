import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NextConfig } from 'next';
// @ts-expect-error -- a plain .mjs config without a declaration file
import nextConfigModule from '../../next.config.mjs';
import { startTestSitescan, type TestSitescan } from '../test-support';
import { SECURITY_HEADERS } from './server-answer';

const nextConfig = nextConfigModule as NextConfig;

describe('answers of the custom server', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    // No Next here (web: false): whatever answers /api/health is the custom server itself.
    app = await startTestSitescan();
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('carry the security headers Next puts on its own answers', async () => {
    const rules = (await nextConfig.headers!()) as { source: string; headers: { key: string; value: string }[] }[];
    const everyPath = rules.find((rule) => rule.source === '/:path*')!;
    expect(Object.fromEntries(everyPath.headers.map(({ key, value }) => [key, value]))).toEqual(SECURITY_HEADERS);
  });

  it('answer GET /api/health without Next, as JSON with the security headers', async () => {
    const response = await fetch(`${app.url}/api/health?probe=1`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; store: { kind: string }; sites: { total: number }; load: unknown };
    expect(body).toMatchObject({ status: 'ok', store: { kind: 'sqlite' }, load: { runningSearches: 0, bufferedJobs: 0 } });
    expect(body.sites.total).toBe(app.services.registry.size);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');

    const head = await fetch(`${app.url}/api/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
