import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import { siteDefinitionListSchema } from '../sites/site-definition';
import type { SandboxListing } from './dataset';
import { startSandbox, type Sandbox } from './index';
import { sampleLatencyMs } from './latency';
import { CONTENT_TYPES, LAYOUTS } from './layouts';
import { createRng } from './rng';
import { SANDBOX_SITES } from './sandbox-sites';
import { readHtml, readJson, type ReadListing } from './testing/read-extract';

const SITE_IDS = SANDBOX_SITES.map((site) => site.id);
const spec = (siteId: string) => SANDBOX_SITES.find((site) => site.id === siteId)!;

const definitionOf = (sandbox: Sandbox, siteId: string) => sandbox.siteDefinitions().find((d) => d.id === siteId)!;

/** The search URL of a definition, filled the way sitescan fills it. */
const searchUrl = (definition: DeclarativeSiteDefinitionInput, fields: { name: string; location?: string }) =>
  definition.search.url.replaceAll(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent((fields as Record<string, string | undefined>)[key] ?? ''));

/** Fetches a search and reads its results with the definition's extract block. */
async function search(sandbox: Sandbox, siteId: string, fields: { name: string; location?: string }) {
  const definition = definitionOf(sandbox, siteId);
  const response = await fetch(searchUrl(definition, fields));
  const body = await response.text();
  const items =
    response.status !== 200
      ? []
      : definition.kind === 'html'
        ? readHtml(body, definition.extract)
        : readJson(JSON.parse(body), definition.extract);
  return { response, body, items };
}

const expectedRead = (sandbox: Sandbox, listing: SandboxListing): ReadListing => ({
  name: listing.name,
  address: listing.address,
  ...(listing.phone ? { phone: listing.phone } : {}),
  ...(listing.website ? { website: listing.website } : {}),
  url: `${sandbox.url}${listing.path}`,
});

describe('sandbox server: sites', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0, seed: 7, businesses: 3000 });
  });
  afterAll(() => sandbox.close());

  it('listens on a random port and gives valid definitions pointing at itself', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const definitions = sandbox.siteDefinitions();
    const parsed = siteDefinitionListSchema.safeParse(definitions);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(definitions.map((d) => d.id)).toEqual(SITE_IDS);
    for (const definition of definitions) {
      expect(definition.search.url.startsWith(`${sandbox.url}/${definition.id}/`)).toBe(true);
      expect(definition.sandbox).toBe(true);
      expect(definition.limits).toEqual(sandbox.stats().sites[definition.id]!.limits);
    }
    expect(sandbox.dataset.businesses).toHaveLength(3000);
  });

  it.each(SITE_IDS)('%s: a search for a business it lists finds it, and the definition parses it', async (siteId) => {
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

  it('serves the listing page a result links to', async () => {
    const listing = sandbox.dataset.listings('yasabe.com')[3]!;
    const response = await fetch(`${sandbox.url}${listing.path}`);
    expect(response.status).toBe(200);
    const definition = definitionOf(sandbox, 'yasabe.com');
    if (definition.kind !== 'html') throw new Error('yasabe.com is an HTML site');
    const items = readHtml(await response.text(), definition.extract);
    expect(items).toEqual([expectedRead(sandbox, listing)]);
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
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(sandbox.stats())));
  });

  it('was never pushed over a limit by the tests above', () => {
    const { sites } = sandbox.stats();
    for (const siteId of SITE_IDS) {
      expect(sites[siteId], siteId).toMatchObject({ exceeded: false, rateLimited: 0, inFlight: 0 });
      expect(sites[siteId]!.requests, siteId).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('sandbox server: limits', () => {
  let instant: Sandbox;
  let fast: Sandbox;
  beforeAll(async () => {
    [instant, fast] = await Promise.all([startSandbox({ speed: 0, businesses: 500 }), startSandbox({ speed: 0.2, businesses: 500 })]);
  });
  afterAll(() => Promise.all([instant.close(), fast.close()]));

  it('answers a burst beyond the rate limit with 429 + Retry-After and records it', async () => {
    const siteId = 'yellowyello.com'; // 5 per 1000 ms
    const url = searchUrl(definitionOf(instant, siteId), { name: 'Plumbing' });
    const responses = await Promise.all(Array.from({ length: 12 }, () => fetch(url)));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const refused = responses.filter((r) => r.status === 429);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('content-type')).toBe(CONTENT_TYPES.html);
    }
    expect(instant.stats().sites[siteId]).toMatchObject({
      requests: 12,
      rateLimited: 7,
      rateLimitedFor: { rate: 7, concurrency: 0 },
      responses: { '200': 5, '429': 7 },
      maxArrivalsInWindow: 12,
      exceeded: true,
    });
    expect(instant.stats().sites['elocal.com']!.exceeded).toBe(false);
  });

  it('answers requests beyond the concurrency limit with 429, without holding a slot', async () => {
    const siteId = 'cylex-usa.com'; // concurrency 2; median 1100 ms × 0.2
    const url = searchUrl(definitionOf(fast, siteId), { name: 'Dental' });
    const statuses = await Promise.all(Array.from({ length: 3 }, async () => (await fetch(url)).status));
    expect(statuses.sort()).toEqual([200, 200, 429]);
    expect(fast.stats().sites[siteId]).toMatchObject({
      rateLimitedFor: { concurrency: 1, rate: 0 },
      maxConcurrency: 3,
      inFlight: 0,
      exceeded: true,
    });
  });

  it('never refuses a client that keeps the limits, and lets it use all of them', async () => {
    fast.reset();
    const run = (siteId: string, count: number) => {
      const { limits } = spec(siteId);
      // The way sitescan's site consumers keep limits: p-queue with a strict sliding window.
      const queue = new PQueue({ concurrency: limits.concurrency, intervalCap: limits.requests, interval: limits.perMs, strict: true });
      const definition = definitionOf(fast, siteId);
      return Promise.all(
        Array.from({ length: count }, (_, i) =>
          queue.add(async () => {
            const response = await fetch(searchUrl(definition, { name: ['Plumbing', 'Dental', 'Cafe', 'Pizza'][i % 4]! }));
            await response.arrayBuffer();
            return response.status;
          }),
        ),
      );
    };
    // Sequential, starts spaced by perMs / requests: the simplest compliant client.
    const sequential = async (siteId: string, count: number) => {
      const { limits } = spec(siteId);
      const url = searchUrl(definitionOf(fast, siteId), { name: 'Roofing' });
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        statuses.push(response.status);
        const wait = limits.perMs / limits.requests - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return statuses;
    };
    const [elocal, yellowyello, showmelocal] = await Promise.all([run('elocal.com', 41), run('yellowyello.com', 11), sequential('showmelocal.com', 12)]);
    expect([...elocal, ...yellowyello, ...showmelocal].every((status) => status === 200)).toBe(true);
    const { sites } = fast.stats();
    for (const siteId of ['elocal.com', 'yellowyello.com', 'showmelocal.com']) {
      const { limits } = spec(siteId);
      expect(sites[siteId], siteId).toMatchObject({ rateLimited: 0, exceeded: false });
      expect(sites[siteId]!.maxArrivalsInWindow, siteId).toBeLessThanOrEqual(limits.requests);
      expect(sites[siteId]!.maxConcurrency, siteId).toBeLessThanOrEqual(limits.concurrency);
    }
    // The queued clients used the whole window, so "not exceeded" is a real verdict.
    expect(sites['elocal.com']!.maxArrivalsInWindow).toBe(20);
    expect(sites['yellowyello.com']!.maxArrivalsInWindow).toBe(5);
    expect(sites['yellowyello.com']!.maxConcurrency).toBe(2);
  });

  it('zeroes the stats on POST /__sandbox/reset and on reset()', async () => {
    await fetch(searchUrl(definitionOf(instant, 'foursquare.com'), { name: 'Cafe' }));
    expect(instant.stats().sites['foursquare.com']!.requests).toBeGreaterThan(0);
    const response = await fetch(`${instant.url}/__sandbox/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    const zero = { requests: 0, rateLimited: 0, responses: {}, maxConcurrency: 0, maxArrivalsInWindow: 0, exceeded: false, aborted: 0 };
    const { sites } = (await (await fetch(`${instant.url}/__sandbox/stats`)).json()) as { sites: Record<string, unknown> };
    for (const siteId of SITE_IDS) expect(sites[siteId], siteId).toMatchObject(zero);

    await fetch(searchUrl(definitionOf(instant, 'foursquare.com'), { name: 'Cafe' }));
    expect(instant.stats().sites['foursquare.com']!.requests).toBe(1);
    instant.reset();
    expect(instant.stats().sites['foursquare.com']).toMatchObject(zero);
    // A reset also forgets the window: the burst-limited site answers again at once.
    expect((await fetch(searchUrl(definitionOf(instant, 'yellowyello.com'), { name: 'Cafe' }))).status).toBe(200);
  });
});

describe('sandbox server: latency and lifecycle', () => {
  it('waits the seeded latency of each request before answering', async () => {
    const sandbox = await startSandbox({ speed: 1, seed: 3, businesses: 200 });
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
    const sandbox = await startSandbox({ speed: 100, businesses: 200 });
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
    await expect(startSandbox({ speed: -1 })).rejects.toThrow('Expected `speed` to be a finite number >= 0, got -1');
    await expect(startSandbox({ port: 70_000 })).rejects.toThrow(/`port`/);
    await expect(startSandbox({ businesses: 0 })).rejects.toThrow(/`businesses`/);
  });
});
