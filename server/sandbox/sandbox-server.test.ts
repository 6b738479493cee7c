import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractHtml, extractJson } from '../sites/extract';
import type { DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import { ADAPTER_KINDS, siteDefinitionListSchema } from '../sites/site-definition';
import type { SandboxListing } from './dataset';
import { SLOW_FIRST_BYTE_MS } from './faults';
import { startSandbox, type Sandbox } from './index';
import { sampleLatencyMs } from './latency';
import { CONTENT_TYPES, LAYOUTS, PAGE_SIZE } from './layouts';
import { createRng } from './rng';
import { SANDBOX_SITES } from './sandbox-sites';
import { readHtml, readJson, type ReadListing } from './testing/read-extract';
import { CLIENT_MARGIN_MS, definitionOf, searchUrl, spec } from './testing/site-urls';

const SITE_IDS = SANDBOX_SITES.map((site) => site.id);

/** Reads a page with sitescan's own extraction code, and with the test helper: both must agree. */
function read(definition: DeclarativeSiteDefinitionInput, body: string): ReadListing[] {
  if (definition.kind === 'html') {
    const listings = extractHtml(body, definition.extract);
    expect(readHtml(body, definition.extract)).toEqual(listings);
    return listings;
  }
  const listings = extractJson(JSON.parse(body), definition.extract);
  expect(readJson(JSON.parse(body), definition.extract)).toEqual(listings);
  return listings;
}

/** Fetches a search and reads its results with the definition's extract block. */
async function search(sandbox: Sandbox, siteId: string, fields: { name: string; location?: string }) {
  const definition = definitionOf(sandbox, siteId);
  const response = await fetch(searchUrl(definition, fields));
  const body = await response.text();
  const items = response.status !== 200 ? [] : read(definition, body);
  return { response, body, items };
}

const expectedRead = (sandbox: Sandbox, listing: SandboxListing): ReadListing => ({
  name: listing.name,
  address: listing.address,
  ...(listing.phone ? { phone: listing.phone } : {}),
  ...(listing.website ? { website: listing.website } : {}),
  url: `${sandbox.url}${listing.path}`,
});

const statuses = async (responses: Promise<Response>[]) => {
  const settled = await Promise.all(responses);
  await Promise.all(settled.map((r) => r.arrayBuffer()));
  return settled;
};

describe('sandbox server: sites', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ isolate: false, speed: 0, seed: 7, businesses: 3000, profile: 'calm' });
  });
  afterAll(() => sandbox.close());

  it('listens on a random port and gives valid definitions pointing at itself', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.profile).toBe('calm');
    const definitions = sandbox.siteDefinitions();
    const parsed = siteDefinitionListSchema.safeParse(definitions);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(definitions.map((d) => d.id)).toEqual(SITE_IDS);
    expect(definitions.length).toBeGreaterThanOrEqual(30);
    for (const definition of definitions) {
      expect(definition.search.url.startsWith(`${sandbox.url}/${definition.id}/`)).toBe(true);
      expect(definition.sandbox).toBe(true);
      expect(definition.limits).toEqual(sandbox.stats().sites[definition.id]!.limits);
    }
    expect(sandbox.dataset.businesses).toHaveLength(3000);
  });

  it.each(SITE_IDS)('%s: a search for a business it lists finds it, and sitescan’s extraction parses it', async (siteId) => {
    const listings = sandbox.dataset.listings(siteId);
    // Prefer a name with & or ': they must survive escaping and the search's punctuation rules.
    const listing = listings.find((l) => /[&']/.test(l.name)) ?? listings[0]!;
    const business = sandbox.dataset.business(listing.businessId)!;
    // sitescan searches with the true name, not the site's variant of it.
    const { response, items } = await search(sandbox, siteId, { name: business.name, location: `${business.city}, ${business.state}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(CONTENT_TYPES[LAYOUTS[spec(siteId).layout].kind]);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(10);
    expect(items).toContainEqual(expectedRead(sandbox, listing));
    expect(items[0]!.name).toBe(listing.name);
  });

  it.each(SITE_IDS)('%s: a search that matches nothing is a valid, empty page', async (siteId) => {
    const { response, body, items } = await search(sandbox, siteId, { name: 'Zzyzx Quuxbarn', location: '' });
    expect(response.status).toBe(200);
    expect(items).toEqual([]);
    if (LAYOUTS[spec(siteId).layout].kind === 'html') expect(body).toContain('<main>');
    else expect(() => JSON.parse(body) as unknown).not.toThrow();
  });

  it.each(SITE_IDS)('%s: a search without q is a 400 in the site kind', async (siteId) => {
    const response = await fetch(`${sandbox.url}/${siteId}${spec(siteId).searchPath}?where=Austin`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(CONTENT_TYPES[LAYOUTS[spec(siteId).layout].kind]);
    expect(await response.text()).toContain('q is required');
  });

  it('paginates: page 1 holds the first five of a broad search, the next link serves page 2', async () => {
    const definition = definitionOf(sandbox, 'manta.com');
    if (definition.kind !== 'html') throw new Error('manta.com is an HTML site');
    const first = await (await fetch(searchUrl(definition, { name: 'Dental' }))).text();
    const items = read(definition, first);
    expect(items).toHaveLength(PAGE_SIZE);
    const next = /<a rel="next" href="([^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&');
    expect(next.startsWith(`${sandbox.url}/manta.com/search?`)).toBe(true);
    const second = read(definition, await (await fetch(next)).text());
    expect(second.length).toBeGreaterThan(0);
    expect(second.map((l) => l.url)).not.toContain(items[0]!.url);
  });

  it('serves the listing page a result links to', async () => {
    const listing = sandbox.dataset.listings('yasabe.com')[3]!;
    const response = await fetch(`${sandbox.url}${listing.path}`);
    expect(response.status).toBe(200);
    expect(read(definitionOf(sandbox, 'yasabe.com'), await response.text())).toEqual([expectedRead(sandbox, listing)]);
    expect((await fetch(`${sandbox.url}/yasabe.com/biz/nobody-b999999`)).status).toBe(404);
  });

  it('escapes the query it echoes', async () => {
    const { response, body } = await search(sandbox, 'cylex-usa.com', { name: '<script>alert("x")</script>' });
    expect(response.status).toBe(200);
    expect(body).not.toContain('<script>');
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('answers 404 for an unknown site and serves the same stats over HTTP as stats()', async () => {
    expect((await fetch(`${sandbox.url}/nosuch.example/search?q=x`)).status).toBe(404);
    const response = await fetch(`${sandbox.url}/__sandbox/stats`);
    expect(response.headers.get('content-type')).toBe(CONTENT_TYPES.json);
    const body = (await response.json()) as { sites: Record<string, unknown>; apis: Record<string, unknown> };
    expect(body).toEqual(JSON.parse(JSON.stringify(sandbox.stats())));
    expect(Object.keys(body.apis)).toEqual([...ADAPTER_KINDS]);
  });

  it('tells the ground truth: one site’s listing of a business, or every site’s', async () => {
    const listing = sandbox.dataset.listings('hotfrog.com')[0]!;
    const one = await fetch(`${sandbox.url}/__sandbox/truth?site=hotfrog.com&business=${listing.businessId}`);
    expect(await one.json()).toEqual(JSON.parse(JSON.stringify({ site: 'hotfrog.com', business: sandbox.dataset.business(listing.businessId), listing })));
    const yelp = (await (await fetch(`${sandbox.url}/__sandbox/truth?site=yelp&business=${listing.businessId}`)).json()) as { listing: unknown };
    expect(yelp.listing).toEqual(JSON.parse(JSON.stringify(sandbox.dataset.listingFor('api.yelp', listing.businessId) ?? null)));
    const all = (await (await fetch(`${sandbox.url}/__sandbox/truth?business=${listing.businessId}`)).json()) as { listings: Record<string, unknown> };
    expect(Object.keys(all.listings)).toEqual([...SITE_IDS, ...ADAPTER_KINDS]);
    expect(all.listings['hotfrog.com']).toEqual(JSON.parse(JSON.stringify(listing)));
    expect((await fetch(`${sandbox.url}/__sandbox/truth?business=b999999`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/__sandbox/truth?site=nope.example&business=${listing.businessId}`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/__sandbox/truth`)).status).toBe(400);
  });

  it('was never pushed over a limit by the tests above', () => {
    const { sites } = sandbox.stats();
    for (const siteId of SITE_IDS) {
      expect(sites[siteId], siteId).toMatchObject({ exceeded: false, rateLimited: 0, inFlight: 0 });
      expect(sites[siteId]!.requests, siteId).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('sandbox server: limits and push-back', () => {
  let instant: Sandbox;
  let fast: Sandbox;
  beforeAll(async () => {
    [instant, fast] = await Promise.all([
      startSandbox({ isolate: false, speed: 0, businesses: 500, profile: 'calm', limitOverrides: { 'yasabe.com': { requests: 2 } } }),
      startSandbox({ isolate: false, speed: 0.2, businesses: 500, profile: 'calm' }),
    ]);
  });
  afterAll(() => Promise.all([instant.close(), fast.close()]));

  /** `n` requests as fast as the site's concurrency allows: waves of `concurrency`, each awaited. */
  const burst = async (sandbox: Sandbox, siteId: string, n: number, name = 'Plumbing') => {
    const url = searchUrl(definitionOf(sandbox, siteId), { name });
    const wave = definitionOf(sandbox, siteId).limits.concurrency;
    const responses: Response[] = [];
    for (let sent = 0; sent < n; sent += wave) {
      responses.push(...(await statuses(Array.from({ length: Math.min(wave, n - sent) }, () => fetch(url)))));
    }
    return responses;
  };

  it('answers a burst beyond the rate limit with 429 + Retry-After + RateLimit-* (ratelimit-headers style)', async () => {
    const siteId = 'yellowyello.com'; // 5 per 1000 ms
    const responses = await burst(instant, siteId, 12);
    const refused = responses.filter((r) => r.status === 429);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-policy')).toBe('5;w=1');
      expect(r.headers.get('content-type')).toBe(CONTENT_TYPES.html);
    }
    const ok = responses.find((r) => r.status === 200)!;
    expect(ok.headers.get('ratelimit-limit')).toBe('5');
    expect(instant.stats().sites[siteId]).toMatchObject({
      requests: 12,
      rateLimited: 7,
      rateLimitedFor: { rate: 7, concurrency: 0 },
      responses: { '200': 5, '429': 7 },
      maxArrivalsInWindow: 12,
      exceeded: true,
      pushBack: 'ratelimit-headers',
    });
    expect(instant.stats().sites['elocal.com']!.exceeded).toBe(false);
  });

  it('plain 429 sites send Retry-After and no RateLimit-* fields', async () => {
    const responses = await burst(instant, 'golocal247.com', 12);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit-limit')).toBeNull();
    expect(responses.find((r) => r.status === 200)!.headers.get('ratelimit-limit')).toBeNull();
  });

  it('unavailable sites answer 503 + Retry-After', async () => {
    const responses = await burst(instant, 'merchantcircle.com', 8); // 5 per 1000 ms
    expect(responses.filter((r) => r.status === 503)).toHaveLength(3);
    expect(responses.find((r) => r.status === 503)!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(instant.stats().sites['merchantcircle.com']).toMatchObject({ responses: { '200': 5, '503': 3 }, rateLimited: 3, pushBack: 'unavailable' });
  });

  it('the captcha site answers 200 with a captcha page and no results', async () => {
    const siteId = 'citysquares.com'; // 8 per 1000 ms
    const definition = definitionOf(instant, siteId);
    const url = searchUrl(definition, { name: 'Dental' });
    const bodies: string[] = [];
    for (let sent = 0; sent < 10; sent += 3) {
      bodies.push(...(await Promise.all(Array.from({ length: Math.min(3, 10 - sent) }, async () => (await fetch(url)).text()))));
    }
    const captchas = bodies.filter((body) => body.includes('data-captcha="required"'));
    expect(captchas).toHaveLength(2);
    for (const body of captchas) {
      expect(body).toMatch(/<title>Security check/);
      expect(read(definition, body)).toEqual([]);
    }
    expect(instant.stats().sites[siteId]).toMatchObject({ responses: { '200': 10 }, captchas: 2, rateLimited: 2, pushBack: 'captcha' });
  });

  it('the block site answers 403 for 30 s after more than 3 violations within 10 s, until reset', async () => {
    const siteId = 'opendi.us'; // 6 per 1000 ms
    const first = await burst(instant, siteId, 10);
    expect(first.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    const blocked = await burst(instant, siteId, 1);
    expect(blocked[0]!.status).toBe(403);
    expect(instant.stats().sites[siteId]).toMatchObject({ blocks: 1, blocked: 1, pushBack: 'block' });
    instant.reset();
    expect((await burst(instant, siteId, 1))[0]!.status).toBe(200);
  });

  it('enforces an overridden limit while announcing (and measuring against) the original', async () => {
    expect(definitionOf(instant, 'yasabe.com').limits).toEqual({ concurrency: 4, requests: 10, perMs: 1000 });
    const responses = await burst(instant, 'yasabe.com', 4);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    expect(instant.stats().sites['yasabe.com']).toMatchObject({
      limits: { requests: 10 },
      enforced: { requests: 2 },
      rateLimited: 2,
      exceeded: false,
    });
  });

  it('answers requests beyond the concurrency limit with 429, without holding a slot', async () => {
    const siteId = 'cylex-usa.com'; // concurrency 2; median 1100 ms × 0.2
    const url = searchUrl(definitionOf(fast, siteId), { name: 'Dental' });
    const responses = await statuses(Array.from({ length: 3 }, () => fetch(url)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect(fast.stats().sites[siteId]).toMatchObject({
      rateLimitedFor: { concurrency: 1, rate: 0 },
      maxConcurrency: 3,
      inFlight: 0,
      exceeded: true,
    });
  });

  it('measures the exact window: a client a little too fast is admitted (tolerance) yet reported as exceeding', async () => {
    fast.reset();
    const url = searchUrl(definitionOf(fast, 'yellowyello.com'), { name: 'Cafe' }); // 5 per 1000 ms, enforced on 900 ms
    const started = performance.now();
    for (let i = 0; i < 6; i++) {
      // Six starts 185 ms apart: the 6th lands ~925 ms after the 1st, inside the announced 1000 ms window.
      const wait = started + i * 185 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await (await fetch(url)).arrayBuffer();
    }
    expect(fast.stats().sites['yellowyello.com']).toMatchObject({ maxArrivalsInWindow: 6, exceeded: true });
  });

  it('zeroes the stats on POST /__sandbox/reset and on reset()', async () => {
    await fetch(searchUrl(definitionOf(instant, 'foursquare.com'), { name: 'Cafe' }));
    expect(instant.stats().sites['foursquare.com']!.requests).toBeGreaterThan(0);
    const response = await fetch(`${instant.url}/__sandbox/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    const zero = { requests: 0, rateLimited: 0, responses: {}, maxConcurrency: 0, maxArrivalsInWindow: 0, exceeded: false, aborted: 0, captchas: 0, blocked: 0, blocks: 0 };
    const body = (await (await fetch(`${instant.url}/__sandbox/stats`)).json()) as { sites: Record<string, unknown>; apis: Record<string, unknown> };
    for (const siteId of SITE_IDS) expect(body.sites[siteId], siteId).toMatchObject(zero);
    for (const kind of ADAPTER_KINDS) expect(body.apis[kind], kind).toMatchObject(zero);

    await fetch(searchUrl(definitionOf(instant, 'foursquare.com'), { name: 'Cafe' }));
    expect(instant.stats().sites['foursquare.com']!.requests).toBe(1);
    instant.reset();
    expect(instant.stats().sites['foursquare.com']).toMatchObject(zero);
    // A reset also forgets the window: the burst-limited site answers again at once.
    expect((await fetch(searchUrl(definitionOf(instant, 'yellowyello.com'), { name: 'Cafe' }))).status).toBe(200);
  });
});

describe('sandbox server: faults and profiles', () => {
  it('serves each fault kind as documented (forced per site with faultOverrides)', async () => {
    const speed = 0.05;
    const sandbox = await startSandbox({
      speed,
      businesses: 300,
      profile: 'calm',
      faultOverrides: {
        'yasabe.com': { serverError: 1 },
        'elocal.com': { malformed: 1 },
        'foursquare.com': { truncated: 1 },
        'cataloxy.us': { hang: 1 },
        'n49.com': { slowFirstByte: 1 },
      },
    });
    try {
      const url = (siteId: string) => searchUrl(definitionOf(sandbox, siteId), { name: 'Cafe' });
      const serverError = await fetch(url('yasabe.com'));
      expect([500, 502, 503, 504]).toContain(serverError.status);
      expect(serverError.headers.get('retry-after')).toBeNull();
      await serverError.arrayBuffer();

      const malformed = await fetch(url('elocal.com'));
      expect(malformed.status).toBe(200);
      const malformedBody = await malformed.text();
      expect(() => JSON.parse(malformedBody) as unknown).toThrow();

      const truncated = await fetch(url('foursquare.com'));
      expect(truncated.status).toBe(200);
      await expect(truncated.text()).rejects.toThrow();

      await expect(fetch(url('cataloxy.us'), { signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);

      const started = performance.now();
      const slow = await fetch(url('n49.com'));
      await slow.arrayBuffer();
      expect(slow.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_FIRST_BYTE_MS.min * speed - 5);

      const { sites } = sandbox.stats();
      expect(sites['yasabe.com']!.faults).toMatchObject({ serverError: 1 });
      expect(sites['elocal.com']!.faults).toMatchObject({ malformed: 1 });
      expect(sites['foursquare.com']!.faults).toMatchObject({ truncated: 1 });
      expect(sites['cataloxy.us']!.faults).toMatchObject({ hang: 1 });
      expect(sites['n49.com']!.faults).toMatchObject({ slowFirstByte: 1 });
      // A hung request gives its slot back: the client's retry is never counted over the limit.
      expect(sites['cataloxy.us']).toMatchObject({ inFlight: 0, exceeded: false });
    } finally {
      await sandbox.close();
    }
  });

  it('meets the same faults for the same requests under the same seed; calm meets none', async () => {
    // Limits raised by override so a fast sequential client is never refused; faults are what is compared.
    const options = { speed: 0, businesses: 300, seed: 5, limitOverrides: { 'cataloxy.us': { requests: 1000, concurrency: 50 } }, faultOverrides: { 'cataloxy.us': { hang: 0 } } };
    const run = async (profile: 'stormy' | 'calm' | 'default') => {
      const sandbox = await startSandbox({ isolate: false, ...options, profile });
      try {
        const url = searchUrl(definitionOf(sandbox, 'cataloxy.us'), { name: 'Cafe', location: 'Austin, TX' });
        const seen: string[] = [];
        for (let i = 0; i < 60; i++) {
          const response = await fetch(url);
          const body = await response.text().catch(() => '<reset>');
          seen.push(`${response.status}:${body.length}`);
        }
        return { seen, faults: sandbox.stats().sites['cataloxy.us']!.faults };
      } finally {
        await sandbox.close();
      }
    };
    const [stormy, again, calm] = [await run('stormy'), await run('stormy'), await run('calm')];
    expect(again).toEqual(stormy);
    const faulted = Object.values(stormy.faults).reduce((sum, n) => sum + n, 0);
    // cataloxy.us has faultiness 2: stormy's 26% × 2 of 60 requests (no hangs here).
    expect(faulted).toBeGreaterThan(15);
    expect(Object.values(calm.faults).every((n) => n === 0)).toBe(true);
    expect(calm.seen.every((entry) => entry.startsWith('200:'))).toBe(true);
  });

  it('the load profile announces limits ×20 and answers ten times faster', async () => {
    const sandbox = await startSandbox({ isolate: false, speed: 1, businesses: 200, profile: 'load' });
    try {
      expect(definitionOf(sandbox, 'yellowyello.com').limits).toEqual({ concurrency: 40, requests: 100, perMs: 1000 });
      const started = performance.now();
      await (await fetch(searchUrl(definitionOf(sandbox, 'localstack.com'), { name: 'Cafe' }))).arrayBuffer();
      expect(performance.now() - started).toBeLessThan(400); // median 1200 ms × 0.1, capped at 300
    } finally {
      await sandbox.close();
    }
  });

  it('answers a search of every site and API within the 5 s promise at full latency', async () => {
    const sandbox = await startSandbox({ isolate: false, speed: 1, businesses: 500, profile: 'calm' });
    try {
      const started = performance.now();
      const sites = sandbox.siteDefinitions().map(async (definition) => (await fetch(searchUrl(definition, { name: 'Cafe', location: 'Austin, TX' }))).status);
      const bases = sandbox.apiBaseUrls();
      const apis = [
        fetch(`${bases.nominatim}/search?q=Cafe%2C%20Austin%2C%20TX&format=jsonv2`, { headers: { 'user-agent': 'sitescan-tests/1.0' } }),
        fetch(`${bases.overpass}/api/interpreter`, { method: 'POST', body: new URLSearchParams({ data: '[out:json];nwr["name"~"Cafe"];out 5;' }) }),
        fetch(`${bases['foursquare-places']}/places/search?query=Cafe&near=Austin`, { headers: { authorization: 'Bearer k', 'x-places-api-version': '2025-06-17' } }),
        fetch(`${bases.yelp}/v3/businesses/search?term=Cafe&location=Austin`, { headers: { authorization: 'Bearer k' } }),
        fetch(`${bases['google-places']}/v1/places:searchText`, { method: 'POST', headers: { 'x-goog-api-key': 'k', 'x-goog-fieldmask': 'places.id' }, body: '{"textQuery":"Cafe in Austin"}' }),
        fetch(`${bases.here}/v1/discover?q=Cafe&in=countryCode:USA&apiKey=k`),
        fetch(`${bases.tomtom}/search/2/poiSearch/cafe.json?key=k`),
        fetch(`${bases.mapbox}/search/searchbox/v1/forward?q=cafe&access_token=t`),
      ].map(async (response) => (await response).status);
      const all = await Promise.all([...sites, ...apis]);
      expect(all.every((status) => status === 200)).toBe(true);
      expect(performance.now() - started).toBeLessThan(3500);
    } finally {
      await sandbox.close();
    }
  });
});

describe('sandbox server: in its own worker thread (the default)', () => {
  let isolated: Sandbox;
  let local: Sandbox;
  beforeAll(async () => {
    [isolated, local] = await Promise.all([
      startSandbox({ speed: 0.2, seed: 9, businesses: 400, profile: 'calm' }),
      startSandbox({ isolate: false, speed: 0, seed: 9, businesses: 400, profile: 'calm' }),
    ]);
  });
  afterAll(() => Promise.all([isolated.close(), local.close()]));

  it('tells the same world as a sandbox on this thread: dataset, definitions, API limits', () => {
    expect(JSON.stringify(isolated.dataset.businesses)).toBe(JSON.stringify(local.dataset.businesses));
    expect(JSON.stringify(isolated.dataset.listings('api.yelp'))).toBe(JSON.stringify(local.dataset.listings('api.yelp')));
    const strip = (sandbox: Sandbox) => JSON.stringify(sandbox.siteDefinitions()).replaceAll(sandbox.url, '<url>');
    expect(strip(isolated)).toBe(strip(local));
    expect(isolated.apiLimits()).toEqual(local.apiLimits());
    expect(isolated.apiBaseUrls().yelp).toBe(`${isolated.url}/yelp`);
  });

  it('answers the same pages, and reports, resets and keeps limits through synchronous stats() and reset()', async () => {
    const fields = { name: 'Cafe', location: 'Austin, TX' };
    const [a, b] = await Promise.all([search(isolated, 'tuugo.us', fields), search(local, 'tuugo.us', fields)]);
    expect(a.items).toEqual(b.items.map((item) => ({ ...item, url: item.url!.replace(local.url, isolated.url) })));
    expect(isolated.stats().sites['tuugo.us']).toMatchObject({ requests: 1, responses: { '200': 1 } });
    isolated.reset();
    expect(isolated.stats().sites['tuugo.us']!.requests).toBe(0);

    const { limits } = spec('yellowyello.com');
    const queue = new PQueue({ concurrency: limits.concurrency, intervalCap: limits.requests, interval: limits.perMs + CLIENT_MARGIN_MS, strict: true });
    const url = searchUrl(definitionOf(isolated, 'yellowyello.com'), { name: 'Dental' });
    const results = await Promise.all(Array.from({ length: 11 }, () => queue.add(async () => (await fetch(url)).arrayBuffer().then(() => 'ok'))));
    expect(results).toHaveLength(11);
    expect(isolated.stats().sites['yellowyello.com']).toMatchObject({ requests: 11, rateLimited: 0, maxArrivalsInWindow: 5, exceeded: false });
  });

  it('rejects bad options before starting a thread, with the same messages', async () => {
    await expect(startSandbox({ profile: 'sunny' as 'calm' })).rejects.toThrow('Expected `profile` to be one of default, calm, stormy, load, got "sunny"');
    await expect(startSandbox({ businesses: 10, limitOverrides: { yelp: { requests: 0 } } })).rejects.toThrow('Expected `enforced.requests` to be an integer >= 1, got 0');
  });

  it('keeps the last stats after close', async () => {
    const sandbox = await startSandbox({ speed: 0, businesses: 50, profile: 'calm' });
    await (await fetch(searchUrl(definitionOf(sandbox, 'cybo.com'), { name: 'Cafe' }))).arrayBuffer();
    await sandbox.close();
    expect(sandbox.stats().sites['cybo.com']!.requests).toBe(1);
    await expect(fetch(`${sandbox.url}/__sandbox/stats`)).rejects.toThrow();
  });
});

describe('sandbox server: latency and lifecycle', () => {
  it('waits the seeded latency of each request before answering', async () => {
    const sandbox = await startSandbox({ isolate: false, speed: 1, seed: 3, businesses: 200, profile: 'calm' });
    try {
      const siteId = 'foursquare.com';
      const expected = [0, 1].map((counter) => sampleLatencyMs(spec(siteId).latency, createRng(3, siteId, 'Cafe', 'Austin, TX', counter)));
      for (const latency of expected) {
        const started = performance.now();
        const { response } = await search(sandbox, siteId, { name: 'Cafe', location: 'Austin, TX' });
        const elapsed = performance.now() - started;
        expect(response.status).toBe(200);
        expect(elapsed).toBeGreaterThanOrEqual(latency - 2);
        expect(elapsed).toBeLessThan(latency + 400);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('closes promptly with a request still waiting for its answer', async () => {
    const sandbox = await startSandbox({ isolate: false, speed: 100, businesses: 200, profile: 'calm' });
    const pending = fetch(searchUrl(definitionOf(sandbox, 'localstack.com'), { name: 'Cafe' })).then(
      (r) => r.status,
      () => 'dropped' as const,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sandbox.stats().sites['localstack.com']!.inFlight).toBe(1);
    const started = performance.now();
    await sandbox.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
  });

  it('rejects bad options with a message naming the option', async () => {
    await expect(startSandbox({ isolate: false, speed: -1 })).rejects.toThrow('Expected `speed` to be a finite number >= 0, got -1');
    await expect(startSandbox({ isolate: false, port: 70_000 })).rejects.toThrow(/`port`/);
    await expect(startSandbox({ isolate: false, businesses: 0 })).rejects.toThrow(/`businesses`/);
    await expect(startSandbox({ isolate: false, profile: 'sunny' as 'calm' })).rejects.toThrow('Expected `profile` to be one of default, calm, stormy, load, got "sunny"');
    await expect(startSandbox({ isolate: false, businesses: 10, limitOverrides: { 'nope.example': { requests: 1 } } })).rejects.toThrow(
      'Expected `limitOverrides` keys to be site ids or adapter kinds, got "nope.example"',
    );
    await expect(startSandbox({ isolate: false, businesses: 10, limitOverrides: { yelp: { requests: 0 } } })).rejects.toThrow('Expected `enforced.requests` to be an integer >= 1, got 0');
    await expect(startSandbox({ isolate: false, businesses: 10, faultOverrides: { yelp: { hang: 2 } } })).rejects.toThrow('Expected `faultOverrides.yelp.hang` to be a number in [0, 1], got 2');
  });
});
