import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueryNotSupportedError, TransientSiteError } from '../../errors';
import { fixture, startFixtureServer, type FixtureServer } from './testing/fixture-server';
import { OverpassAdapter } from './overpass-adapter';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.answer('/api/interpreter', { body: fixture('overpass-interpreter.json') });
});

const options = { signal: new AbortController().signal, timeoutMs: 2000 };

describe('OverpassAdapter', () => {
  it('POSTs Overpass QL as form data to /api/interpreter: the city area within the state, the name words', async () => {
    await new OverpassAdapter({ baseUrl: server.url }).search({ name: 'Smith & Sons Plumbing, LLC', location: 'St. Louis, MO' }, options);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url.pathname).toBe('/api/interpreter');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(request!.body).get('data')).toBe(
      [
        '[out:json][timeout:5];',
        'area["ISO3166-2"="US-MO"]->.region;',
        'area["name"="St. Louis"]["boundary"="administrative"]->.place;',
        'nwr(area.region)(area.place)["name"~"smith.*sons.*plumbing",i];',
        'out center tags 20;',
      ].join('\n'),
    );
  });

  it('writes the city as OSM names it, and leaves the state out when there is none', () => {
    const ql = new OverpassAdapter().buildQuery({ name: 'Blue Door Bakery', location: 'san antonio' });
    expect(ql).toContain('area["name"="San Antonio"]["boundary"="administrative"]->.place;');
    expect(ql).toContain('nwr(area.place)["name"~"blue.*door.*bakery",i];');
    expect(ql).not.toContain('region');
    expect(new OverpassAdapter().buildQuery({ name: 'x', location: 'Winston-Salem NC 27101' })).toContain('area["name"="Winston-Salem"]');
    expect(new OverpassAdapter().buildQuery({ name: 'x', location: "Coeur d'Alene, ID" })).toContain(`area["name"="Coeur d'Alene"]`);
  });

  it('filters by addr:postcode when the location is only a ZIP', () => {
    expect(new OverpassAdapter().buildQuery({ name: 'Blue Door Bakery', location: '78701' })).toContain(
      'nwr["addr:postcode"="78701"]["name"~"blue.*door.*bakery",i];',
    );
  });

  it('keeps quotes and QL out of the query: only letters and digits reach it', () => {
    const ql = new OverpassAdapter().buildQuery({ name: 'Evil"];out;(node', location: 'Austin"];(node;), TX' });
    expect(ql.match(/"/g)!.length % 2).toBe(0);
    expect(ql).not.toMatch(/;\(node|\\/);
    expect(ql).toContain('["name"~"evil.*out.*node",i]');
  });

  it('refuses to scan the planet: no city and no ZIP is unrecoverable, and nothing is sent', async () => {
    await expect(new OverpassAdapter({ baseUrl: server.url }).search({ name: 'Blue Door Bakery' }, options)).rejects.toBeInstanceOf(
      QueryNotSupportedError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('reads elements’ tags as listings, skipping nameless ones', async () => {
    const { listings } = await new OverpassAdapter({ baseUrl: server.url }).search({ name: 'Blue Door', location: 'Austin, TX' }, options);
    expect(listings).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 West Main Street # 4, Austin, TX 78701',
        phone: '+1 512-555-0134',
        website: 'https://www.bluedoorbakery.com',
        url: 'https://www.openstreetmap.org/node/4481230911',
      },
      { name: 'The Blue Door Cafe', phone: '512-555-0111', url: 'https://www.openstreetmap.org/way/77123' },
    ]);
  });

  it('treats a runtime-error remark (a 200 that failed) as unavailable', async () => {
    server.answer('/api/interpreter', {
      body: { version: 0.6, elements: [], remark: 'runtime error: Query timed out in "query" at line 4 after 5 seconds.' },
    });
    await expect(new OverpassAdapter({ baseUrl: server.url }).search({ name: 'x', location: 'Austin, TX' }, options)).rejects.toBeInstanceOf(
      TransientSiteError,
    );
  });

  it('defaults: public instance, 2 slots, 10,000 a day, cached for a day, no key', () => {
    const adapter = new OverpassAdapter();
    expect(adapter.definition).toMatchObject({
      search: { url: 'https://overpass-api.de' },
      limits: { concurrency: 2, requests: 10_000, perMs: 86_400_000 },
      cacheTtlMs: 86_400_000,
    });
    expect(adapter.skipReason).toBeUndefined();
  });
});
