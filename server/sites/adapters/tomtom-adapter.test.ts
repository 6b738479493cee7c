import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { TomTomAdapter } from './tomtom-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
  server.answer('/search/2/poiSearch/Blue Door Bakery, St. Louis, MO.json', { body: fixture('tomtom-poi-search.json') });
});
afterAll(() => server.close());
beforeEach(() => void (server.requests.length = 0));

const options = { signal: new AbortController().signal, timeoutMs: 2000 };

describe('TomTomAdapter', () => {
  it('asks /search/2/poiSearch/{query}.json with the query URL-encoded in the path and the key as a parameter', async () => {
    await new TomTomAdapter({ baseUrl: server.url, key: 'tt-key' }).search({ name: 'Blue Door Bakery', location: 'St. Louis, MO' }, options);
    const [request] = server.requests;
    expect(request!.target.split('?')[0]).toBe('/search/2/poiSearch/Blue%20Door%20Bakery%2C%20St.%20Louis%2C%20MO.json');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({ key: 'tt-key', limit: '10', countrySet: 'US', language: 'en-US' });
  });

  it('reads results: poi name, phone and url, the freeform address', async () => {
    const { listings } = await new TomTomAdapter({ baseUrl: server.url, key: 'k' }).search(
      { name: 'Blue Door Bakery', location: 'St. Louis, MO' },
      options,
    );
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St, Austin, TX 78701',
        phone: '+1 512-555-0134',
        website: 'www.bluedoorbakery.com',
      },
    ]);
  });

  it('defaults to 5 QPS and no caching', () => {
    expect(new TomTomAdapter({ key: 'k' }).definition).toMatchObject({
      search: { url: 'https://api.tomtom.com' },
      limits: { requests: 5, perMs: 1000 },
      cacheTtlMs: 0,
    });
  });
});
