import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SiteRateLimitedError, TransientSiteError, UnrecoverableSiteError } from '../../errors';
import { ADAPTER_KINDS } from '../site-definition';
import { startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { ADAPTERS, createAdapterConnectors, NOT_CONFIGURED, SANDBOX_API_KEY } from './index';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.answer('*', { status: 404, body: { error: 'no fixture' } });
});

const query = { name: 'Blue Door Bakery', location: 'Austin, TX', phone: '(512) 555-0134' };
const attempt = (index: number, timeoutMs = 2000) =>
  ADAPTERS[index]!.create({ baseUrl: `${server.url}/prefix`, key: 'test-key' }).search(query, {
    signal: new AbortController().signal,
    timeoutMs,
  });

describe.each(ADAPTERS.map(({ profile }, index) => [profile.kind, index] as const))('%s adapter', (kind, index) => {
  const { profile } = ADAPTERS[index]!;

  it('is skipped as "not configured" without its key, and sends nothing', async () => {
    const connector = ADAPTERS[index]!.create({ baseUrl: server.url });
    if (profile.keyVariable === undefined) {
      expect(connector.skipReason).toBeUndefined();
      return;
    }
    expect(connector.skipReason).toBe(NOT_CONFIGURED);
    await expect(connector.search(query, { signal: new AbortController().signal, timeoutMs: 1000 })).rejects.toBeInstanceOf(
      UnrecoverableSiteError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('keeps the base URL’s path prefix (a proxy, or the sandbox’s /<kind>)', async () => {
    server.answer('*', { body: kind === 'nominatim' ? [] : {} });
    await attempt(index).catch(() => undefined);
    expect(server.requests[0]?.url.pathname).toMatch(/^\/prefix\//);
  });

  it('turns 429 into SiteRateLimitedError with the wait from Retry-After', async () => {
    server.answer('*', { status: 429, headers: { 'retry-after': '7' }, body: { error: { code: 'TOO_MANY_REQUESTS_PER_SECOND' } } });
    await expect(attempt(index)).rejects.toMatchObject({ name: 'SiteRateLimitedError', status: 429, retryAfterMs: 7000 });
  });

  it('reads the wait from RateLimit-Reset when there is no Retry-After', async () => {
    server.answer('*', { status: 429, headers: { 'ratelimit-reset': '3' } });
    const error = await attempt(index).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SiteRateLimitedError);
    expect((error as SiteRateLimitedError).retryAfterMs).toBe(3000);
  });

  it('treats 5xx as unavailable and 401 as unrecoverable', async () => {
    server.answer('*', { status: 502, body: 'Bad Gateway' });
    await expect(attempt(index)).rejects.toBeInstanceOf(TransientSiteError);
    server.answer('*', { status: 401, body: { error: 'bad key' } });
    await expect(attempt(index)).rejects.toBeInstanceOf(UnrecoverableSiteError);
  });

  it('refuses a redirect to another host', async () => {
    server.answer('*', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
    await expect(attempt(index)).rejects.toThrow(/redirect to http:\/\/169\.254\.169\.254 refused/);
  });

  it.each([
    ['HTML instead of JSON', '<html><body>Service Unavailable</body></html>'],
    ['truncated JSON', '{"results": [{"name": "Blue'],
    ['a number', '42'],
    ['null', 'null'],
    ['an object without the list', '{"unexpected": true}'],
    ['a list that is a string', '{"results": "x", "businesses": "x", "places": "x", "items": "x", "features": "x", "elements": "x"}'],
  ])('answers garbage (%s) with TransientSiteError', async (_, body) => {
    server.answer('*', { body });
    await expect(attempt(index)).rejects.toBeInstanceOf(TransientSiteError);
  });

  it.each([
    ['items of every wrong type', [null, 1, 'x', [], { name: { nested: true } }, { name: 12345 }]],
    ['fields of every wrong type', [{ name: 'A', location: 5, address: [1], tags: 'x', properties: { name: 'A', metadata: 3 } }]],
  ])('never throws a TypeError on %s', async (_, items) => {
    const body = kind === 'nominatim' ? items : { results: items, businesses: items, places: items, items, features: items, elements: items };
    server.answer('*', { body });
    const answer = await attempt(index);
    for (const listing of answer.listings) expect(typeof listing.name).toBe('string');
  });
});

/** The smallest answer of each API that still holds a business: a name and nothing else. */
const MINIMAL_ANSWERS: Record<(typeof ADAPTER_KINDS)[number], unknown> = {
  nominatim: [{ name: 'Minimal' }],
  overpass: { elements: [{ tags: { name: 'Minimal' } }] },
  'foursquare-places': { results: [{ name: 'Minimal' }] },
  yelp: { businesses: [{ name: 'Minimal' }] },
  'google-places': { places: [{ displayName: { text: 'Minimal' } }] },
  here: { items: [{ title: 'Minimal' }] },
  tomtom: { results: [{ poi: { name: 'Minimal' } }] },
  mapbox: { features: [{ properties: { name: 'Minimal' } }] },
};

describe.each(ADAPTERS.map(({ profile }, index) => [profile.kind, index] as const))('%s adapter, minimal answer', (kind, index) => {
  it('reads an item that has a name and nothing else', async () => {
    server.answer('*', { body: MINIMAL_ANSWERS[kind] });
    expect((await attempt(index)).listings).toEqual([{ name: 'Minimal' }]);
  });
});

describe('createAdapterConnectors', () => {
  it('makes one connector per adapter kind, in a stable order', () => {
    const connectors = createAdapterConnectors({ env: {} });
    expect(connectors.map((c) => c.definition.kind)).toEqual([...ADAPTER_KINDS]);
    expect(new Set(connectors.map((c) => c.definition.id)).size).toBe(ADAPTER_KINDS.length);
  });

  it('without keys: the keyless OSM services are active, every keyed API is skipped', () => {
    const connectors = createAdapterConnectors({ env: {} });
    const reasons = Object.fromEntries(connectors.map((c) => [c.definition.kind, c.skipReason]));
    expect(reasons).toEqual({
      nominatim: undefined,
      overpass: undefined,
      'foursquare-places': NOT_CONFIGURED,
      yelp: NOT_CONFIGURED,
      'google-places': NOT_CONFIGURED,
      here: NOT_CONFIGURED,
      tomtom: NOT_CONFIGURED,
      mapbox: NOT_CONFIGURED,
    });
    expect(connectors.every((c) => !c.definition.sandbox)).toBe(true);
    expect(connectors.find((c) => c.definition.kind === 'yelp')!.definition.search.url).toBe('https://api.yelp.com');
  });

  it('reads keys, <KIND>_BASE_URL and <KIND>_LIMITS from the environment', () => {
    const connectors = createAdapterConnectors({
      env: {
        YELP_API_KEY: 'k',
        YELP_BASE_URL: 'https://yelp-proxy.internal/api',
        FOURSQUARE_PLACES_BASE_URL: 'http://127.0.0.1:9/fsq',
        YELP_LIMITS: '{"concurrency":4,"requests":5000,"perMs":86400000}',
      },
    });
    const yelp = connectors.find((c) => c.definition.kind === 'yelp')!;
    expect(yelp.skipReason).toBeUndefined();
    expect(yelp.definition).toMatchObject({
      search: { url: 'https://yelp-proxy.internal/api' },
      limits: { concurrency: 4, requests: 5000, perMs: 86_400_000 },
    });
    expect(connectors.find((c) => c.definition.kind === 'foursquare-places')!.definition.search.url).toBe('http://127.0.0.1:9/fsq');
  });

  it('stops with a message naming the variable when one is wrong', () => {
    expect(() => createAdapterConnectors({ env: { HERE_BASE_URL: 'ftp://here.example' } })).toThrow(/HERE_BASE_URL/);
    expect(() => createAdapterConnectors({ env: { TOMTOM_LIMITS: '{"concurrency":0}' } })).toThrow(/TOMTOM_LIMITS is invalid/);
    expect(() => createAdapterConnectors({ env: { MAPBOX_LIMITS: 'fast' } })).toThrow(/MAPBOX_LIMITS must be JSON/);
  });

  it('with the sandbox: every adapter on its emulation, keyed, labelled sandbox, limits from the emulation', async () => {
    const apiBaseUrls = Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, `${server.url}/${kind}`])) as Record<
      (typeof ADAPTER_KINDS)[number],
      string
    >;
    const connectors = createAdapterConnectors({
      env: { YELP_API_KEY: 'real-key-must-not-leak' },
      sandbox: { apiBaseUrls, apiLimits: { nominatim: { concurrency: 1, requests: 2, perMs: 1000 } } },
    });
    expect(connectors.every((c) => c.definition.sandbox && c.skipReason === undefined)).toBe(true);
    expect(connectors.find((c) => c.definition.kind === 'nominatim')!.definition.limits).toEqual({ concurrency: 1, requests: 2, perMs: 1000 });
    server.answer('*', { body: { businesses: [] } });
    await connectors.find((c) => c.definition.kind === 'yelp')!.search(query, { signal: new AbortController().signal, timeoutMs: 1000 });
    const sent = server.requests.at(-1)!;
    expect(sent.url.pathname).toBe('/yelp/v3/businesses/search');
    expect(sent.headers.authorization).toBe(`Bearer ${SANDBOX_API_KEY}`);
  });
});
