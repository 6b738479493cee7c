import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { HereAdapter, US_CENTRE } from './here-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
  server.answer('/v1/discover', { body: fixture('here-discover.json') });
});
afterAll(() => server.close());
beforeEach(() => void (server.requests.length = 0));

const options = { signal: new AbortController().signal, timeoutMs: 2000 };

describe('HereAdapter', () => {
  it('asks /v1/discover with the query text, a search centre, the country filter and apiKey', async () => {
    await new HereAdapter({ baseUrl: server.url, key: 'here-key' }).search({ name: 'Blue Door Bakery', location: 'Austin, TX' }, options);
    const [request] = server.requests;
    expect(request!.url.pathname).toBe('/v1/discover');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      q: 'Blue Door Bakery, Austin, TX',
      at: US_CENTRE,
      in: 'countryCode:USA',
      limit: '10',
      lang: 'en-US',
      apiKey: 'here-key',
    });
  });

  it('reads items: the label without its leading title (it keeps the suite), first phone and website of the contacts', async () => {
    const { listings } = await new HereAdapter({ baseUrl: server.url, key: 'k' }).search({ name: 'x' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St Ste 4, Austin, TX 78701, United States',
        phone: '+15125550134',
        website: 'https://www.bluedoorbakery.com',
      },
      { name: 'Blue Door Barbers', address: 'Austin, TX 78704, United States' },
    ]);
  });

  it('composes the address from its parts when there is no label', async () => {
    server.answer('/v1/discover', {
      body: { items: [{ title: 'Blue Door Bakery', address: { houseNumber: '1200', street: 'W Main St', city: 'Austin', stateCode: 'TX', postalCode: '78701' } }] },
    });
    const { listings } = await new HereAdapter({ baseUrl: server.url, key: 'k' }).search({ name: 'x' }, options);
    expect(listings).toEqual([{ name: 'Blue Door Bakery', address: '1200 W Main St, Austin, TX 78701' }]);
    server.answer('/v1/discover', { body: fixture('here-discover.json') });
  });

  it('defaults to the limited plan’s 5 requests/s and no caching', () => {
    expect(new HereAdapter({ key: 'k' }).definition).toMatchObject({
      search: { url: 'https://discover.search.hereapi.com' },
      limits: { requests: 5, perMs: 1000 },
      cacheTtlMs: 0,
    });
  });
});
