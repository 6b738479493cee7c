import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueryNotSupportedError, SiteRateLimitedError } from '../../errors';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { YelpAdapter } from './yelp-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.answer('/v3/businesses/search', { body: fixture('yelp-search.json') });
  server.answer('/v3/businesses/matches', { body: fixture('yelp-matches.json') });
  server.answer('/v3/businesses/search/phone', { body: fixture('yelp-matches.json') });
});

const options = { signal: new AbortController().signal, timeoutMs: 2000 };
const yelp = (sandbox = false) => new YelpAdapter({ baseUrl: server.url, key: 'yelp-key', sandbox });

describe('YelpAdapter', () => {
  it('uses /businesses/search with term and location when the location has no street', async () => {
    await yelp().search({ name: 'Blue Door Bakery', location: 'Austin, TX', phone: '512-555-0134' }, options);
    const [request] = server.requests;
    expect(request!.url.pathname).toBe('/v3/businesses/search');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({ term: 'Blue Door Bakery', location: 'Austin, TX', limit: '10' });
    expect(request!.headers.authorization).toBe('Bearer yelp-key');
  });

  it('uses /businesses/matches with the parsed address, E.164 phone and no Yelp threshold when there is a street', async () => {
    await yelp().search(
      { name: 'Blue Door Bakery', location: '1200 West Main Street, Suite 4, Austin, Texas 78701', phone: '(512) 555-0134' },
      options,
    );
    const [request] = server.requests;
    expect(request!.url.pathname).toBe('/v3/businesses/matches');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      name: 'Blue Door Bakery',
      address1: '1200 W MAIN ST',
      address2: 'STE 4',
      city: 'AUSTIN',
      state: 'TX',
      zip_code: '78701',
      country: 'US',
      phone: '+15125550134',
      limit: '10',
      match_threshold: 'none',
    });
  });

  it('falls back to /businesses/search/phone without a location, and refuses a query with neither', async () => {
    await yelp().search({ name: 'Blue Door Bakery', phone: '512.555.0134' }, options);
    expect(server.requests[0]!.url.pathname).toBe('/v3/businesses/search/phone');
    expect(server.requests[0]!.url.searchParams.get('phone')).toBe('+15125550134');
    await expect(yelp().search({ name: 'Blue Door Bakery' }, options)).rejects.toBeInstanceOf(QueryNotSupportedError);
  });

  it('reads search results: street lines joined, E.164 phone, the Yelp page as the link (web links only)', async () => {
    const { listings } = await yelp().search({ name: 'x', location: 'Austin, TX' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St Ste 4, Austin, TX 78701',
        phone: '+15125550134',
        url: 'https://www.yelp.com/biz/blue-door-bakery-austin?adjust_creative=x&utm_source=yelp_api_v3',
      },
      { name: 'Blue Door Barbers', address: 'Austin, TX 78704' },
    ]);
  });

  it('reads match results, which carry no url, linking by alias (but never to yelp.com from the sandbox)', async () => {
    const query = { name: 'Blue Door Bakery', location: '1200 W Main St, Austin, TX' };
    expect((await yelp().search(query, options)).listings[0]).toEqual({
      name: 'Blue Door Bakery',
      address: '1200 W Main St Ste 4, Austin, TX 78701',
      phone: '+15125550134',
      url: 'https://www.yelp.com/biz/blue-door-bakery-austin',
    });
    expect((await yelp(true).search(query, options)).listings[0]!.url).toBeUndefined();
  });

  it('reads the daily-limit reset time Yelp sends with ACCESS_LIMIT_REACHED', async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    server.answer('/v3/businesses/search', {
      status: 429,
      headers: { 'ratelimit-dailylimit': '300', 'ratelimit-remaining': '0', 'ratelimit-resettime': reset },
      body: { error: { code: 'ACCESS_LIMIT_REACHED', description: 'You’ve reached the access limit for this client.' } },
    });
    const error = (await yelp().search({ name: 'x', location: 'Austin, TX' }, options).catch((caught: unknown) => caught)) as SiteRateLimitedError;
    expect(error).toBeInstanceOf(SiteRateLimitedError);
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('defaults: the starter plan’s 300 a day, content kept 24 h as Yelp’s terms allow', () => {
    expect(new YelpAdapter({ key: 'k' }).definition).toMatchObject({
      search: { url: 'https://api.yelp.com' },
      limits: { requests: 300, perMs: 86_400_000 },
      cacheTtlMs: 86_400_000,
    });
  });
});
