import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { GOOGLE_FIELD_MASK, GooglePlacesAdapter } from './google-places-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.answer('/v1/places:searchText', { body: fixture('google-places-search-text.json') });
});

const options = { signal: new AbortController().signal, timeoutMs: 2000 };
const google = () => new GooglePlacesAdapter({ baseUrl: server.url, key: 'g-key' });

describe('GooglePlacesAdapter', () => {
  it('POSTs a Text Search (New) with the key and a field mask of only the NAP fields', async () => {
    await google().search({ name: 'Blue Door Bakery', location: 'Austin, TX' }, options);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url.pathname).toBe('/v1/places:searchText');
    expect(request!.headers['x-goog-api-key']).toBe('g-key');
    expect(request!.headers['x-goog-fieldmask']).toBe(
      'places.id,places.displayName,places.formattedAddress,places.nationalPhoneNumber,places.websiteUri,places.googleMapsUri',
    );
    expect(GOOGLE_FIELD_MASK.split(',').every((field) => field.startsWith('places.'))).toBe(true);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      textQuery: 'Blue Door Bakery, Austin, TX',
      pageSize: 10,
      regionCode: 'US',
      languageCode: 'en',
    });
  });

  it('reads places: display name, formatted address, national phone, website, Maps link', async () => {
    const { listings } = await google().search({ name: 'x' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St Ste 4, Austin, TX 78701, USA',
        phone: '(512) 555-0134',
        website: 'http://www.bluedoorbakery.com/',
        url: 'https://maps.google.com/?cid=5614285417580139729',
      },
      { name: 'Blue Door Salon', address: '88 Congress Ave, Austin, TX 78701, USA', phone: '+1 512-555-0155' },
    ]);
  });

  it('reads Google’s empty answer ({}) as no listings', async () => {
    server.answer('/v1/places:searchText', { body: {} });
    expect((await google().search({ name: 'x' }, options)).listings).toEqual([]);
  });

  it('never caches (only place ids may be stored)', () => {
    expect(new GooglePlacesAdapter({ key: 'k' }).definition).toMatchObject({
      search: { url: 'https://places.googleapis.com' },
      cacheTtlMs: 0,
    });
  });
});
