import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SiteBlockedError } from '../../errors';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { NOMINATIM_PROFILE, NominatimAdapter } from './nominatim-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
  server.answer('/search', { body: fixture('nominatim-search.json') });
});
afterAll(() => server.close());
beforeEach(() => void (server.requests.length = 0));

const options = { signal: new AbortController().signal, timeoutMs: 2000 };

describe('NominatimAdapter', () => {
  it('asks /search in jsonv2 with address, extra tags and names, identifying itself', async () => {
    await new NominatimAdapter({ baseUrl: server.url }).search({ name: 'Blue Door Bakery', location: 'Austin, TX' }, options);
    const [request] = server.requests;
    expect(request!.method).toBe('GET');
    expect(request!.url.pathname).toBe('/search');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      q: 'Blue Door Bakery, Austin, TX',
      format: 'jsonv2',
      addressdetails: '1',
      extratags: '1',
      namedetails: '1',
      countrycodes: 'us',
      limit: '10',
    });
    expect(request!.headers['user-agent']).toBe('sitescan/0.1 (+contact)');
  });

  it('honours a configured User-Agent', async () => {
    await new NominatimAdapter({ baseUrl: server.url, userAgent: 'acme-listings/2 (ops@acme.example)' }).search({ name: 'x' }, options);
    expect(server.requests[0]!.headers['user-agent']).toBe('acme-listings/2 (ops@acme.example)');
  });

  it('reads places: address parts, state code from ISO3166-2, phone and website from tags', async () => {
    const { listings } = await new NominatimAdapter({ baseUrl: server.url }).search({ name: 'Blue Door Bakery' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 West Main Street, Austin, TX 78701',
        phone: '+1 512-555-0134',
        website: 'https://www.bluedoorbakery.com',
        url: 'https://www.openstreetmap.org/node/4481230911',
      },
      {
        name: 'Blue Door Barbers',
        address: 'Congress Avenue, Pflugerville, TX 78660',
        phone: '(512) 555-0190',
        website: 'bluedoorbarbers.example',
        url: 'https://www.openstreetmap.org/way/77123',
      },
      // An odd item: no address object, an OSM type that is no type, so no link.
      { name: 'Nameless Place', address: 'Nameless Place, Somewhere' },
    ]);
  });

  it('against the sandbox makes up no openstreetmap.org links', async () => {
    const { listings } = await new NominatimAdapter({ baseUrl: server.url, sandbox: true }).search({ name: 'x' }, options);
    expect(listings.every((listing) => listing.url === undefined)).toBe(true);
  });

  it('defaults to the public instance at 1 request/s for the whole app, cached for a day', () => {
    const { definition, skipReason } = new NominatimAdapter();
    expect(definition).toMatchObject({
      kind: 'nominatim',
      search: { url: 'https://nominatim.openstreetmap.org' },
      limits: { concurrency: 1, requests: 1, perMs: 1000 },
      cacheTtlMs: 86_400_000,
      sandbox: false,
    });
    expect(skipReason).toBeUndefined();
    expect(NOMINATIM_PROFILE.keyVariable).toBeUndefined();
  });
});

describe('a place API behind a bot wall', () => {
  it('reads an HTML challenge where JSON was expected as push-back, not as an empty answer', async () => {
    const walled = await startFixtureServer();
    try {
      walled.answer('/search', { body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>' });
      const search = new NominatimAdapter({ baseUrl: walled.url }).search({ name: 'Blue Door Bakery' }, options);
      await expect(search).rejects.toThrow(SiteBlockedError);
      await expect(search).rejects.toMatchObject({ wall: 'cloudflare' });
    } finally {
      await walled.close();
    }
  });
});
