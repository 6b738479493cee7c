import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { FoursquarePlacesAdapter } from './foursquare-places-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
  server.answer('/places/search', { body: fixture('foursquare-places-search.json') });
});
afterAll(() => server.close());
beforeEach(() => void (server.requests.length = 0));

const options = { signal: new AbortController().signal, timeoutMs: 2000 };

describe('FoursquarePlacesAdapter', () => {
  it('asks /places/search with Bearer auth, the API version header and the NAP fields by name', async () => {
    await new FoursquarePlacesAdapter({ baseUrl: server.url, key: 'fsq-key' }).search(
      { name: 'Blue Door Bakery', location: 'Austin, TX' },
      options,
    );
    const [request] = server.requests;
    expect(request!.url.pathname).toBe('/places/search');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      query: 'Blue Door Bakery',
      near: 'Austin, TX',
      limit: '10',
      fields: 'fsq_place_id,name,location,tel,website',
    });
    expect(request!.headers.authorization).toBe('Bearer fsq-key');
    expect(request!.headers['x-places-api-version']).toBe('2025-06-17');
  });

  it('reads results: address from its parts (suite included), else the formatted address', async () => {
    const { listings } = await new FoursquarePlacesAdapter({ baseUrl: server.url, key: 'k' }).search({ name: 'x' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St Ste 4, Austin, TX 78701',
        phone: '(512) 555-0134',
        website: 'https://www.bluedoorbakery.com',
        url: 'https://foursquare.com/v/4b5a3c2ef964a520a7b828e3',
      },
      { name: 'Blue Door Coffee', address: 'Austin, TX 78704', url: 'https://foursquare.com/v/5c1f0d8e1a2b3c4d5e6f7a8b' },
    ]);
  });

  it('never caches (pay-as-you-go may keep ids only) and defaults to 50 QPS', () => {
    expect(new FoursquarePlacesAdapter({ key: 'k' }).definition).toMatchObject({
      search: { url: 'https://places-api.foursquare.com' },
      limits: { requests: 50, perMs: 1000 },
      cacheTtlMs: 0,
    });
  });
});
