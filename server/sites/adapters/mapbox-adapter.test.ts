import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SiteRateLimitedError } from '../../errors';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { MapboxAdapter } from './mapbox-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.answer('/search/searchbox/v1/forward', { body: fixture('mapbox-forward.json') });
});

const options = { signal: new AbortController().signal, timeoutMs: 2000 };
const mapbox = () => new MapboxAdapter({ baseUrl: server.url, key: 'pk.test' });

describe('MapboxAdapter', () => {
  it('asks /search/searchbox/v1/forward for POIs in the US with the access token', async () => {
    await mapbox().search({ name: 'Blue Door Bakery', location: 'Austin, TX' }, options);
    const [request] = server.requests;
    expect(request!.url.pathname).toBe('/search/searchbox/v1/forward');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      q: 'Blue Door Bakery, Austin, TX',
      types: 'poi',
      country: 'us',
      limit: '10',
      language: 'en',
      access_token: 'pk.test',
    });
  });

  it('reads features: name, full address (or address + place), phone and website from metadata', async () => {
    const { listings } = await mapbox().search({ name: 'x' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St, Austin, Texas 78701, United States of America',
        phone: '(512) 555-0134',
        website: 'https://www.bluedoorbakery.com',
      },
      { name: 'Blue Door Books', address: '500 S Lamar Blvd, Austin, Texas 78704, United States of America' },
    ]);
  });

  it('reads the wait from X-Rate-Limit-Reset (epoch seconds) on a 429', async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 30;
    server.answer('/search/searchbox/v1/forward', { status: 429, headers: { 'x-rate-limit-reset': String(resetAt) } });
    const error = (await mapbox().search({ name: 'x' }, options).catch((caught: unknown) => caught)) as SiteRateLimitedError;
    expect(error).toBeInstanceOf(SiteRateLimitedError);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('never caches (Search Box results are temporary)', () => {
    expect(new MapboxAdapter({ key: 'k' }).definition).toMatchObject({ search: { url: 'https://api.mapbox.com' }, cacheTtlMs: 0 });
  });
});
