/**
 * The place-API emulations over real HTTP: each answers its API's documented request with the
 * documented shape (field names and types, fixture-style), refuses bad auth with the API's own
 * error shape, and pushes back on bursts the way the API does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADAPTER_KINDS } from '../../sites/site-definition';
import type { SandboxListing } from '../dataset';
import { startSandbox, type Sandbox } from '../index';
import { cityPosition } from '../geo';
import { SiteSearchIndex } from '../site-search';
import { e164Phone, internationalPhone, nationalPhone, splitStreet, stateName } from './api-emulation';
import { createYelpEmulation } from './yelp';

const UA = { 'user-agent': 'sitescan-tests/1.0 (tests@example.com)' };
const FSQ = { authorization: 'Bearer test-key', 'x-places-api-version': '2025-06-17' };
const YELP = { authorization: 'Bearer test-key' };

let sandbox: Sandbox;
let slow: Sandbox;
let load: Sandbox;

beforeAll(async () => {
  [sandbox, slow, load] = await Promise.all([
    startSandbox({ isolate: false, profile: 'calm', speed: 0, seed: 11, businesses: 1500 }),
    startSandbox({ isolate: false, profile: 'calm', speed: 0.2, seed: 11, businesses: 300, limitOverrides: { 'google-places': { requests: 2 } } }),
    startSandbox({ isolate: false, profile: 'load', speed: 0, seed: 11, businesses: 1500 }),
  ]);
});
afterAll(() => Promise.all([sandbox.close(), slow.close(), load.close()]));
beforeEach(() => sandbox.reset());

/** A listing of the API that has a phone and a website (Yelp: a phone), showing the business's own name. */
function listed(kind: string, from: Sandbox = sandbox, skip = 0): SandboxListing {
  const candidates = from.dataset
    .listings(`api.${kind}`)
    .filter((l) => l.phone && (l.website || kind === 'yelp') && l.name === from.dataset.business(l.businessId)!.name && !/[()[\]\\^$.|?*+{}"]/.test(l.name));
  return candidates[skip]!;
}
const business = (listing: SandboxListing, from: Sandbox = sandbox) => from.dataset.business(listing.businessId)!;
const freeText = (listing: SandboxListing, from: Sandbox = sandbox) => {
  const b = business(listing, from);
  return `${b.name}, ${b.city}, ${b.state}`;
};
const get = (path: string, headers: Record<string, string> = {}, from: Sandbox = sandbox) => fetch(`${from.url}${path}`, { headers });
const burst = async (n: number, send: () => Promise<Response>) => {
  const responses = await Promise.all(Array.from({ length: n }, send));
  await Promise.all(responses.map((r) => r.arrayBuffer()));
  return responses;
};
const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

describe('sandbox API surface', () => {
  it('serves every adapter kind under its prefix, with its documented limits', () => {
    expect(Object.keys(sandbox.apiBaseUrls())).toEqual([...ADAPTER_KINDS]);
    for (const kind of ADAPTER_KINDS) expect(sandbox.apiBaseUrls()[kind]).toBe(`${sandbox.url}/${kind}`);
    expect(sandbox.apiLimits()).toEqual({
      nominatim: { concurrency: 1, requests: 1, perMs: 1000 },
      overpass: { concurrency: 2, requests: 10_000, perMs: 86_400_000 },
      'foursquare-places': { concurrency: 50, requests: 50, perMs: 1000 },
      yelp: { concurrency: 5, requests: 5, perMs: 1000 },
      'google-places': { concurrency: 50, requests: 600, perMs: 60_000 },
      here: { concurrency: 5, requests: 5, perMs: 1000 },
      tomtom: { concurrency: 5, requests: 5, perMs: 1000 },
      mapbox: { concurrency: 20, requests: 1000, perMs: 60_000 },
    });
    const { apis } = sandbox.stats();
    for (const kind of ADAPTER_KINDS) expect(apis[kind].limits).toEqual(sandbox.apiLimits()[kind]);
  });

  it('raises the announced limits ×20 under the load profile', () => {
    expect(load.apiLimits().nominatim).toEqual({ concurrency: 20, requests: 20, perMs: 1000 });
    expect(load.apiLimits().yelp).toEqual({ concurrency: 100, requests: 100, perMs: 1000 });
  });

  it('announces the documented limit while enforcing an override, and does not call it exceeded', async () => {
    expect(slow.apiLimits()['google-places']).toEqual({ concurrency: 50, requests: 600, perMs: 60_000 });
    slow.reset();
    const responses = await burst(4, () =>
      fetch(`${slow.url}/google-places/v1/places:searchText`, {
        method: 'POST',
        headers: { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.id', 'content-type': 'application/json' },
        body: JSON.stringify({ textQuery: 'Bakery, Austin, TX' }),
      }),
    );
    expect(statuses(responses)).toEqual([200, 200, 429, 429]);
    expect(slow.stats().apis['google-places']).toMatchObject({ enforced: { requests: 2 }, limits: { requests: 600 }, rateLimited: 2, exceeded: false });
  });

  it('finds what it lists: every API returns its listing of a business searched the adapters’ way', async () => {
    const checks: Record<string, (l: SandboxListing) => Promise<string[]>> = {
      nominatim: async (l) =>
        ((await (await get(`/nominatim/search?${new URLSearchParams({ q: freeText(l, load), format: 'jsonv2', limit: '10' })}`, UA, load)).json()) as { name: string }[]).map((p) => p.name),
      overpass: async (l) => {
        const b = business(l, load);
        const data = `[out:json];area["name"="${b.city}"]->.a;nwr["name"~"${b.name}",i](area.a);out center 10;`;
        const response = await fetch(`${load.url}/overpass/api/interpreter`, { method: 'POST', body: new URLSearchParams({ data }) });
        return ((await response.json()) as { elements: { tags: { name: string } }[] }).elements.map((e) => e.tags.name);
      },
      'foursquare-places': async (l) => {
        const b = business(l, load);
        const response = await get(`/foursquare-places/places/search?${new URLSearchParams({ query: b.name, near: `${b.city}, ${b.state}` })}`, FSQ, load);
        return ((await response.json()) as { results: { name: string }[] }).results.map((p) => p.name);
      },
      yelp: async (l) => {
        const b = business(l, load);
        const response = await get(`/yelp/v3/businesses/search?${new URLSearchParams({ term: b.name, location: `${b.city}, ${b.state}` })}`, YELP, load);
        return ((await response.json()) as { businesses: { name: string }[] }).businesses.map((p) => p.name);
      },
      'google-places': async (l) => {
        const response = await fetch(`${load.url}/google-places/v1/places:searchText`, {
          method: 'POST',
          headers: { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.displayName', 'content-type': 'application/json' },
          body: JSON.stringify({ textQuery: freeText(l, load) }),
        });
        return (((await response.json()) as { places?: { displayName: { text: string } }[] }).places ?? []).map((p) => p.displayName.text);
      },
      here: async (l) =>
        ((await (await get(`/here/v1/discover?${new URLSearchParams({ q: freeText(l, load), in: 'countryCode:USA', apiKey: 'k' })}`, {}, load)).json()) as { items: { title: string }[] }).items.map(
          (i) => i.title,
        ),
      tomtom: async (l) =>
        ((await (await get(`/tomtom/search/2/poiSearch/${encodeURIComponent(freeText(l, load))}.json?key=k&countrySet=US`, {}, load)).json()) as { results: { poi: { name: string } }[] }).results.map(
          (r) => r.poi.name,
        ),
      mapbox: async (l) =>
        (
          (await (await get(`/mapbox/search/searchbox/v1/forward?${new URLSearchParams({ q: freeText(l, load), access_token: 't', country: 'us' })}`, {}, load)).json()) as {
            features: { properties: { name: string } }[];
          }
        ).features.map((f) => f.properties.name),
    };
    for (const kind of ADAPTER_KINDS) {
      for (let i = 0; i < 6; i++) {
        const listing = listed(kind, load, i * 7);
        expect(await checks[kind]!(listing), `${kind} ${listing.businessId}`).toContain(listing.name);
      }
    }
    for (const [kind, stats] of Object.entries(load.stats().apis)) expect(stats, kind).toMatchObject({ rateLimited: 0, exceeded: false });
  });
});

describe('OpenStreetMap Nominatim', () => {
  const search = (q: string, headers: Record<string, string> = UA, extra = '') =>
    get(`/nominatim/search?${new URLSearchParams({ q, format: 'jsonv2', addressdetails: '1', extratags: '1', namedetails: '1', limit: '10' })}${extra}`, headers);

  it('answers jsonv2 places with address, extratags and namedetails', async () => {
    const listing = listed('nominatim');
    const response = await search(freeText(listing));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const places = (await response.json()) as Record<string, unknown>[];
    const place = places.find((p) => p.name === listing.name)!;
    expect(place).toMatchObject({
      place_id: expect.any(Number),
      licence: expect.stringContaining('OpenStreetMap contributors'),
      osm_type: expect.stringMatching(/^(node|way)$/),
      osm_id: expect.any(Number),
      lat: expect.stringMatching(/^-?\d+\.\d{7}$/),
      lon: expect.stringMatching(/^-?\d+\.\d{7}$/),
      category: expect.any(String),
      type: expect.any(String),
      place_rank: 30,
      importance: expect.any(Number),
      name: listing.name,
      display_name: expect.stringContaining(`${listing.name}, `),
      boundingbox: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
      namedetails: { name: listing.name },
    });
    const address = place.address as Record<string, string>;
    const { houseNumber, road } = splitStreet(listing.street);
    expect(address).toMatchObject({
      house_number: houseNumber,
      road,
      city: listing.city,
      state: stateName(listing.state),
      'ISO3166-2-lvl4': `US-${listing.state}`,
      postcode: listing.zip,
      country: 'United States',
      country_code: 'us',
    });
    const tags = place.extratags as Record<string, string>;
    expect(tags.phone ?? tags['contact:phone']).toBe(listing.phone);
    expect(tags.website ?? tags['contact:website']).toBe(listing.website);
    expect(listing.phone).toBe(internationalPhone(listing.phone!));
  });

  it('leaves out what was not asked for, and says `class` in format=json', async () => {
    const listing = listed('nominatim');
    const places = (await (await get(`/nominatim/search?${new URLSearchParams({ q: freeText(listing), format: 'json' })}`, UA)).json()) as Record<string, unknown>[];
    expect(places.length).toBeGreaterThan(0);
    expect(places[0]).toHaveProperty('class');
    expect(places[0]).not.toHaveProperty('category');
    expect(places[0]).not.toHaveProperty('address');
    expect(places[0]).not.toHaveProperty('extratags');
  });

  it('blocks requests that do not identify the application (no or stock User-Agent); a Referer will do', async () => {
    const noAgent = await fetch(`${sandbox.url}/nominatim/search?q=Bakery&format=jsonv2`, { headers: { 'user-agent': '' } });
    expect(noAgent.status).toBe(403);
    expect(await noAgent.text()).toContain('Access blocked');
    sandbox.reset();
    expect((await search('Bakery', { 'user-agent': 'python-requests/2.31.0' })).status).toBe(403);
    sandbox.reset();
    expect((await search('Bakery', { 'user-agent': 'node' })).status).toBe(403);
    sandbox.reset();
    expect((await search('Bakery', { 'user-agent': 'node', referer: 'https://sitescan.example/' })).status).toBe(200);
  });

  it('refuses q mixed with structured fields, and an unsupported format', async () => {
    const mixed = await get(`/nominatim/search?q=Bakery&city=Austin&format=jsonv2`, UA);
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toEqual({ error: { code: 400, message: expect.stringContaining("cannot be used together with 'q'") } });
    sandbox.reset();
    expect((await get(`/nominatim/search?q=Bakery&format=xml`, UA)).status).toBe(400);
  });

  it('allows 1 request/s: a burst gets 429 + Retry-After, and sustained abuse a 30 s 403 block', async () => {
    const first = await burst(3, () => search('Bakery, Austin, TX'));
    expect(statuses(first)).toEqual([200, 429, 429]);
    const refused = first.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await burst(2, () => search('Bakery')); // violations 3 and 4: the 4th starts a block
    const blocked = await search('Bakery');
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).toContain('temporarily blocked');
    expect(sandbox.stats().apis.nominatim).toMatchObject({ blocks: 1, blocked: 1, exceeded: true, pushBack: 'block' });
    sandbox.reset();
    expect((await search('Bakery')).status).toBe(200);
  });
});

describe('Overpass API', () => {
  const interpreter = (data: string, from: Sandbox = sandbox) => fetch(`${from.url}/overpass/api/interpreter`, { method: 'POST', body: new URLSearchParams({ data }) });

  it('answers [out:json] QL with elements and OSM tags, way centres with `out center`', async () => {
    const listing = listed('overpass');
    const response = await interpreter(`[out:json][timeout:25];area["name"="${listing.city}"]->.a;nwr["name"~"${listing.name}",i](area.a);out center 10;`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: number; generator: string; osm3s: Record<string, string>; elements: Record<string, unknown>[] };
    expect(body).toMatchObject({ version: 0.6, generator: expect.stringContaining('Overpass API'), osm3s: { timestamp_osm_base: expect.any(String), copyright: expect.stringContaining('ODbL') } });
    const element = body.elements.find((e) => (e.tags as Record<string, string>).name === listing.name)!;
    expect(element.type).toMatch(/^(node|way)$/);
    expect(element.id).toEqual(expect.any(Number));
    if (element.type === 'node') expect(element).toMatchObject({ lat: expect.any(Number), lon: expect.any(Number) });
    else expect(element).toMatchObject({ center: { lat: expect.any(Number), lon: expect.any(Number) } });
    const { houseNumber, road } = splitStreet(listing.street);
    const tags = element.tags as Record<string, string>;
    expect(tags).toMatchObject({ 'addr:housenumber': houseNumber, 'addr:street': road, 'addr:city': listing.city, 'addr:state': listing.state, 'addr:postcode': listing.zip });
    expect(tags.phone ?? tags['contact:phone']).toBe(listing.phone);
  });

  it('filters by bbox and answers OSM XML without [out:json]', async () => {
    const listing = listed('overpass');
    const empty = (await (await interpreter(`[out:json];nwr["name"="${listing.name}"](0,0,1,1);out;`)).json()) as { elements: unknown[] };
    expect(empty.elements).toEqual([]);
    const xml = await interpreter(`nwr["name"="${listing.name}"];out;`);
    expect(xml.headers.get('content-type')).toContain('xml');
    expect(await xml.text()).toContain(`<tag k="name" v="`);
  });

  it('answers a query it cannot read with Overpass’s 400 error page', async () => {
    const response = await interpreter('[out:json];nwr["name"~"(unclosed"];out;');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<strong style="color:#FF0000">Error</strong>');
  });

  it('gives 2 slots: a third concurrent query gets 429 "rate_limited"; /api/status is free', async () => {
    slow.reset();
    const query = '[out:json];nwr["name"~"Bakery"];out 5;';
    const responses = await Promise.all(Array.from({ length: 3 }, () => interpreter(query, slow)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(statuses(responses)).toEqual([200, 200, 429]);
    expect(bodies.find((_, i) => responses[i]!.status === 429)).toContain('rate_limited');
    const status = await (await fetch(`${slow.url}/overpass/api/status`)).text();
    expect(status).toMatch(/Rate limit: 2\n2 slots available now\./);
    expect(slow.stats().apis.overpass).toMatchObject({ requests: 3, rateLimitedFor: { concurrency: 1 }, maxConcurrency: 3 });
  });
});

describe('Foursquare Places', () => {
  it('answers /places/search with results[] in the 2025-06-17 shape', async () => {
    const listing = listed('foursquare-places');
    const b = business(listing);
    const response = await get(`/foursquare-places/places/search?${new URLSearchParams({ query: b.name, near: `${b.city}, ${b.state}`, limit: '10' })}`, FSQ);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: Record<string, unknown>[]; context: unknown };
    const place = body.results.find((p) => p.name === listing.name)!;
    expect(place).toMatchObject({
      fsq_place_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: listing.name,
      latitude: expect.any(Number),
      longitude: expect.any(Number),
      categories: [expect.objectContaining({ fsq_category_id: expect.any(String), name: expect.any(String) })],
      location: {
        address: expect.any(String),
        locality: listing.city,
        region: listing.state,
        postcode: listing.zip,
        country: 'US',
        formatted_address: listing.address,
      },
      tel: listing.phone,
      website: listing.website,
      link: expect.stringMatching(/^\/places\/[0-9a-f]{24}$/),
    });
    expect(body.context).toMatchObject({ geo_bounds: { circle: { center: { latitude: expect.any(Number), longitude: expect.any(Number) } } } });
  });

  it('keeps only the fields asked for', async () => {
    const response = await get('/foursquare-places/places/search?query=Bakery&near=Austin%2C%20TX&fields=fsq_place_id,name', FSQ);
    const { results } = (await response.json()) as { results: Record<string, unknown>[] };
    expect(results.length).toBeGreaterThan(0);
    for (const place of results) expect(Object.keys(place).sort()).toEqual(['fsq_place_id', 'name']);
  });

  it('refuses a missing token (401), a missing version header and an unknown `near` (400)', async () => {
    const noToken = await get('/foursquare-places/places/search?query=Bakery', { 'x-places-api-version': '2025-06-17' });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ message: 'Invalid request token.' });
    const noVersion = await get('/foursquare-places/places/search?query=Bakery', { authorization: 'Bearer k' });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { message: string }).message).toContain('X-Places-Api-Version');
    expect((await get('/foursquare-places/places/search?query=Bakery&near=Gotham', FSQ)).status).toBe(400);
  });
});

describe('Yelp Fusion', () => {
  it('answers /v3/businesses/search with businesses[], total and region', async () => {
    const listing = listed('yelp');
    const b = business(listing);
    const response = await get(`/yelp/v3/businesses/search?${new URLSearchParams({ term: b.name, location: `${b.city}, ${b.state}`, limit: '20' })}`, YELP);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-dailylimit')).toBe('5000');
    expect(response.headers.get('ratelimit-remaining')).toBe('4999');
    expect(response.headers.get('ratelimit-resettime')).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+00:00$/);
    const body = (await response.json()) as { businesses: Record<string, unknown>[]; total: number; region: unknown };
    expect(body.total).toBeGreaterThanOrEqual(1);
    expect(body.region).toMatchObject({ center: { latitude: expect.any(Number), longitude: expect.any(Number) } });
    const found = body.businesses.find((x) => x.name === listing.name)!;
    const { houseNumber, road, unit } = splitStreet(listing.street);
    expect(found).toMatchObject({
      id: expect.stringMatching(/^[\w-]{22}$/),
      alias: expect.stringMatching(/^[a-z0-9-]+$/),
      name: listing.name,
      url: expect.stringMatching(new RegExp(`^${sandbox.url}/yelp/biz/`)),
      review_count: expect.any(Number),
      rating: expect.any(Number),
      categories: [{ alias: expect.any(String), title: expect.any(String) }],
      coordinates: { latitude: expect.any(Number), longitude: expect.any(Number) },
      location: {
        address1: `${houseNumber} ${road}`,
        address2: unit ?? '',
        city: listing.city,
        state: listing.state,
        zip_code: listing.zip,
        country: 'US',
        display_address: [`${houseNumber} ${road}`, ...(unit ? [unit] : []), `${listing.city}, ${listing.state} ${listing.zip}`],
      },
      phone: e164Phone(listing.phone!),
      display_phone: nationalPhone(listing.phone!),
      distance: expect.any(Number),
    });
    expect(found).not.toHaveProperty('website');
    const page = await fetch(found.url as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(listing.name.replaceAll('&', '&amp;').replaceAll("'", '&#39;'));
  });

  it('matches a business by name and address, finds it by phone and by id', async () => {
    const listing = listed('yelp');
    const match = await get(`/yelp/v3/businesses/matches?${new URLSearchParams({ name: listing.name, address1: listing.street, city: listing.city, state: listing.state, country: 'US' })}`, YELP);
    expect(match.status).toBe(200);
    const { businesses } = (await match.json()) as { businesses: Record<string, unknown>[] };
    expect(businesses[0]).toMatchObject({ id: expect.any(String), alias: expect.any(String), name: listing.name, location: expect.any(Object), coordinates: expect.any(Object), phone: e164Phone(listing.phone!) });
    const byPhone = (await (await get(`/yelp/v3/businesses/search/phone?phone=${encodeURIComponent(e164Phone(listing.phone!))}`, YELP)).json()) as { businesses: { id: string }[]; total: number };
    expect(byPhone.businesses.map((x) => x.id)).toContain(businesses[0]!.id);
    const details = (await (await get(`/yelp/v3/businesses/${businesses[0]!.id as string}`, YELP)).json()) as { name: string };
    expect(details.name).toBe(listing.name);
  });

  it('answers Yelp’s error shapes: TOKEN_MISSING, TOKEN_INVALID, VALIDATION_ERROR, LOCATION_NOT_FOUND', async () => {
    const expectError = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error: { code, description: expect.any(String) } });
    };
    await expectError(await get('/yelp/v3/businesses/search?term=Bakery&location=Austin'), 401, 'TOKEN_MISSING');
    await expectError(await get('/yelp/v3/businesses/search?term=Bakery&location=Austin', { authorization: 'Bearer ' }), 401, 'TOKEN_INVALID');
    await expectError(await get('/yelp/v3/businesses/search?term=Bakery&location=Austin&limit=51', YELP), 400, 'VALIDATION_ERROR');
    sandbox.reset();
    await expectError(await get('/yelp/v3/businesses/search?term=Bakery', YELP), 400, 'VALIDATION_ERROR');
    await expectError(await get('/yelp/v3/businesses/search?term=Bakery&location=Gotham', YELP), 400, 'LOCATION_NOT_FOUND');
    await expectError(await get('/yelp/v3/businesses/matches?name=X&city=Austin&state=TX&country=US', YELP), 400, 'VALIDATION_ERROR');
    sandbox.reset();
    await expectError(await get('/yelp/v3/businesses/search/phone?phone=5128712345', YELP), 400, 'VALIDATION_ERROR');
  });

  it('answers a burst over 5/s with 429 TOO_MANY_REQUESTS_PER_SECOND', async () => {
    const responses = await Promise.all(Array.from({ length: 7 }, () => get('/yelp/v3/businesses/search?term=Bakery&location=Austin%2C%20TX', YELP)));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ error?: { code: string } }>));
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(bodies.filter((b) => b.error).map((b) => b.error!.code)).toEqual(['TOO_MANY_REQUESTS_PER_SECOND', 'TOO_MANY_REQUESTS_PER_SECOND']);
  });

  it('spends a daily quota, then answers 429 ACCESS_LIMIT_REACHED until reset', () => {
    const yelp = createYelpEmulation({ dailyLimit: 2 });
    const world = { seed: 11, baseUrl: 'http://sandbox.test', dataset: sandbox.dataset, index: new SiteSearchIndex(sandbox.dataset.listings('api.yelp')), limits: yelp.limits };
    const request = { method: 'GET', path: '/v3/businesses/search', query: new URLSearchParams({ term: 'Bakery', location: 'Austin, TX' }), headers: { authorization: 'Bearer k' }, body: '' };
    const window = { remaining: 4, resetMs: 1000 };
    expect(yelp.handle(request, world, window)).toMatchObject({ status: 200, headers: { 'RateLimit-Remaining': '1' } });
    expect(yelp.handle(request, world, window).status).toBe(200);
    const spent = yelp.handle(request, world, window);
    expect(spent.status).toBe(429);
    expect(JSON.parse(spent.body)).toMatchObject({ error: { code: 'ACCESS_LIMIT_REACHED' } });
    yelp.reset!();
    expect(yelp.handle(request, world, window).status).toBe(200);
  });
});

describe('Google Places Text Search (New)', () => {
  const searchText = (body: unknown, headers: Record<string, string>, from: Sandbox = sandbox) =>
    fetch(`${from.url}/google-places/v1/places:searchText`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const MASK = 'places.id,places.displayName,places.formattedAddress,places.nationalPhoneNumber,places.internationalPhoneNumber,places.websiteUri,places.googleMapsUri';

  it('answers only the fields in the mask', async () => {
    const listing = listed('google-places');
    const response = await searchText({ textQuery: freeText(listing), maxResultCount: 5 }, { 'x-goog-api-key': 'k', 'x-goog-fieldmask': MASK });
    expect(response.status).toBe(200);
    const { places, ...rest } = (await response.json()) as { places: Record<string, unknown>[] };
    expect(rest).toEqual({});
    const place = places.find((p) => (p.displayName as { text: string }).text === listing.name)!;
    expect(place).toEqual({
      id: expect.stringMatching(/^ChIJ[\w-]{23}$/),
      displayName: { text: listing.name, languageCode: 'en' },
      formattedAddress: `${listing.address}, USA`,
      nationalPhoneNumber: nationalPhone(listing.phone!),
      internationalPhoneNumber: internationalPhone(listing.phone!),
      websiteUri: listing.website,
      googleMapsUri: `${sandbox.url}${listing.path}`,
    });
    for (const other of places) for (const key of Object.keys(other)) expect(MASK.split(',')).toContain(`places.${key}`);
  });

  it('projects nested paths and expands `*`', async () => {
    const listing = listed('google-places');
    const nested = (await (await searchText({ textQuery: freeText(listing) }, { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.displayName.text' })).json()) as { places: unknown[] };
    expect(nested.places[0]).toEqual({ displayName: { text: expect.any(String) } });
    const all = (await (await searchText({ textQuery: freeText(listing) }, { 'x-goog-api-key': 'k', 'x-goog-fieldmask': '*' })).json()) as { places: Record<string, unknown>[] };
    expect(Object.keys(all.places[0]!)).toEqual(expect.arrayContaining(['name', 'id', 'types', 'formattedAddress', 'addressComponents', 'location', 'displayName', 'businessStatus']));
  });

  it('requires the field mask (400), a key (403) and a valid key (400 API_KEY_INVALID)', async () => {
    const noMask = await searchText({ textQuery: 'Bakery' }, { 'x-goog-api-key': 'k' });
    expect(noMask.status).toBe(400);
    expect(await noMask.json()).toEqual({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(/^FieldMask is a required parameter/) } });
    const noKey = await searchText({ textQuery: 'Bakery' }, { 'x-goog-fieldmask': MASK });
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    const emptyKey = await searchText({ textQuery: 'Bakery' }, { 'x-goog-api-key': ' ', 'x-goog-fieldmask': MASK });
    expect(await emptyKey.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } });
    const unknown = await searchText({ textQuery: 'Bakery' }, { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.nope' });
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("Cannot find matching fields for path 'places.nope'");
  });

  it('answers {} when nothing matches, 400 for an empty query or a bad count, 405 for GET', async () => {
    const headers = { 'x-goog-api-key': 'k', 'x-goog-fieldmask': MASK };
    expect(await (await searchText({ textQuery: 'Zzyzx Quuxbarn, Austin, TX' }, headers)).json()).toEqual({});
    expect((await searchText({ textQuery: ' ' }, headers)).status).toBe(400);
    expect((await searchText({ textQuery: 'Bakery', maxResultCount: 21 }, headers)).status).toBe(400);
    expect((await fetch(`${sandbox.url}/google-places/v1/places:searchText`, { headers })).status).toBe(405);
  });

  it('answers the quota with 429 RESOURCE_EXHAUSTED', async () => {
    slow.reset();
    const headers = { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.id' };
    const responses = await Promise.all(Array.from({ length: 3 }, () => searchText({ textQuery: 'Bakery' }, headers, slow)));
    const refused = responses.find((r) => r.status === 429)!;
    expect(await refused.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: expect.stringContaining('Quota exceeded') } });
  });
});

describe('HERE Discover', () => {
  it('answers items[] with title, address label, position and contacts', async () => {
    const listing = listed('here');
    const response = await get(`/here/v1/discover?${new URLSearchParams({ q: freeText(listing), in: 'countryCode:USA', limit: '5', apiKey: 'k' })}`);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: Record<string, unknown>[] };
    const item = items.find((i) => i.title === listing.name)!;
    const { houseNumber, road } = splitStreet(listing.street);
    expect(item).toMatchObject({
      title: listing.name,
      id: expect.stringMatching(/^here:pds:place:840/),
      resultType: 'place',
      address: {
        label: `${listing.name}, ${listing.address}, United States`,
        countryCode: 'USA',
        stateCode: listing.state,
        city: listing.city,
        street: road,
        postalCode: listing.zip,
        houseNumber,
      },
      position: { lat: expect.any(Number), lng: expect.any(Number) },
      categories: [expect.objectContaining({ id: expect.any(String), name: expect.any(String), primary: true })],
      contacts: [{ phone: [{ value: e164Phone(listing.phone!) }], www: [{ value: listing.website }] }],
    });
  });

  it('takes the place from `at` when q has none, and finds nothing outside the US', async () => {
    const listing = listed('here');
    const centre = cityPosition(listing.city, listing.state)!;
    const near = (await (await get(`/here/v1/discover?${new URLSearchParams({ q: listing.name, at: `${centre.lat},${centre.lon}`, apiKey: 'k' })}`)).json()) as {
      items: { title: string; address: { city: string }; distance: number }[];
    };
    const item = near.items.find((i) => i.title === listing.name)!;
    expect(item.address.city).toBe(listing.city);
    expect(item.distance).toBeLessThan(6000);
    expect(near.items.every((i) => i.address.city === listing.city)).toBe(true);
    const abroad = (await (await get(`/here/v1/discover?q=Bakery&in=countryCode:CAN&apiKey=k`)).json()) as { items: unknown[] };
    expect(abroad.items).toEqual([]);
  });

  it('answers HERE’s error shapes: 401 without apiKey, 400 without q', async () => {
    const noKey = await get('/here/v1/discover?q=Bakery&in=countryCode:USA');
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ error: 'Unauthorized', error_description: 'No credentials found' });
    const noQ = await get('/here/v1/discover?in=countryCode:USA&apiKey=k');
    expect(noQ.status).toBe(400);
    expect(await noQ.json()).toMatchObject({ status: 400, title: "Illegal input for parameter 'q'", cause: expect.any(String), correlationId: expect.any(String) });
  });

  it('allows 5 requests/s: a burst gets 429 + Retry-After', async () => {
    const responses = await burst(7, () => get('/here/v1/discover?q=Bakery,%20Austin,%20TX&in=countryCode:USA&apiKey=k'));
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(responses.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('TomTom Search', () => {
  it('answers poiSearch with summary and results[] of POIs', async () => {
    const listing = listed('tomtom');
    const response = await get(`/tomtom/search/2/poiSearch/${encodeURIComponent(freeText(listing))}.json?key=k&limit=5&countrySet=US`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { summary: Record<string, unknown>; results: Record<string, unknown>[] };
    expect(body.summary).toMatchObject({ query: expect.any(String), queryType: 'NON_NEAR', numResults: body.results.length, offset: 0, totalResults: expect.any(Number) });
    const result = body.results.find((r) => (r.poi as { name: string }).name === listing.name)!;
    const { houseNumber, road } = splitStreet(listing.street);
    expect(result).toMatchObject({
      type: 'POI',
      id: expect.any(String),
      score: expect.any(Number),
      poi: { name: listing.name, phone: listing.phone, url: listing.website, categories: [expect.any(String)] },
      address: {
        streetNumber: houseNumber,
        streetName: road,
        municipality: listing.city,
        countrySubdivision: listing.state,
        postalCode: listing.zip.slice(0, 5),
        countryCode: 'US',
        freeformAddress: listing.address,
      },
      position: { lat: expect.any(Number), lon: expect.any(Number) },
    });
    const fuzzy = (await (await get(`/tomtom/search/2/search/${encodeURIComponent(freeText(listing))}.json?key=k`)).json()) as { results: { poi: { name: string } }[] };
    expect(fuzzy.results.map((r) => r.poi.name)).toContain(listing.name);
  });

  it('answers TomTom’s error shapes and finds nothing outside countrySet', async () => {
    const noKey = await get('/tomtom/search/2/poiSearch/bakery.json');
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toMatchObject({ errorText: expect.any(String), detailedError: { code: 'Forbidden' }, httpStatusCode: 403 });
    expect((await get('/tomtom/search/2/poiSearch/bakery.json?key=k&limit=0')).status).toBe(400);
    const abroad = (await (await get('/tomtom/search/2/poiSearch/bakery.json?key=k&countrySet=CA')).json()) as { results: unknown[] };
    expect(abroad.results).toEqual([]);
  });

  it('allows 5 QPS: a burst gets 429 + Retry-After', async () => {
    const responses = await burst(6, () => get('/tomtom/search/2/poiSearch/bakery.json?key=k'));
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(responses.at(-1)!.headers.get('retry-after') ?? responses.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('Mapbox Search Box', () => {
  it('answers /forward with a GeoJSON FeatureCollection of POIs', async () => {
    const listing = listed('mapbox');
    const response = await get(`/mapbox/search/searchbox/v1/forward?${new URLSearchParams({ q: freeText(listing), access_token: 't', limit: '5', country: 'us' })}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-rate-limit-limit')).toBe('1000');
    expect(response.headers.get('x-rate-limit-interval')).toBe('60');
    expect(Number(response.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    const body = (await response.json()) as { type: string; features: { type: string; geometry: { coordinates: number[] }; properties: Record<string, unknown> }[]; attribution: string };
    expect(body.type).toBe('FeatureCollection');
    expect(body.attribution).toContain('Mapbox');
    const feature = body.features.find((f) => f.properties.name === listing.name)!;
    expect(feature.type).toBe('Feature');
    expect(feature.geometry.coordinates).toEqual([expect.any(Number), expect.any(Number)]);
    expect(feature.properties).toMatchObject({
      name: listing.name,
      mapbox_id: expect.stringMatching(/^dXJuOm1ieHBvaTo/),
      feature_type: 'poi',
      full_address: `${listing.street}, ${listing.city}, ${stateName(listing.state)} ${listing.zip}, United States`,
      coordinates: { latitude: feature.geometry.coordinates[1], longitude: feature.geometry.coordinates[0] },
      metadata: { phone: listing.phone, website: listing.website },
    });
  });

  it('answers 401 without or with an empty token, 422 for a limit over 10', async () => {
    const none = await get('/mapbox/search/searchbox/v1/forward?q=Bakery');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'Not Authorized - No Token' });
    expect(await (await get('/mapbox/search/searchbox/v1/forward?q=Bakery&access_token=')).json()).toEqual({ message: 'Not Authorized - Invalid Token' });
    expect((await get('/mapbox/search/searchbox/v1/forward?q=Bakery&access_token=t&limit=11')).status).toBe(422);
  });
});
