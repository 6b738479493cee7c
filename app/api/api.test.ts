import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SearchListItem } from '@/lib/types';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { GET as getSearch } from './searches/[id]/route';
import { POST as cancel } from './searches/[id]/cancel/route';
import { GET as exportSearch } from './searches/[id]/export/route';
import { POST as createSearch, GET as listSearches } from './searches/route';
import { GET as sites } from './sites/route';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan({ SANDBOX_SPEED: '1' });
});
afterAll(async () => {
  await app.dispose();
});

const post = (body: unknown, type = 'application/json') =>
  createSearch(
    new Request('http://x/api/searches', {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const params = (id: string) => ({ params: Promise.resolve({ id }) });

describe('POST /api/searches', () => {
  it('starts a search: 201 {id, url}', async () => {
    const response = await post({ name: 'Blue Door Bakery', location: 'Austin, TX' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; url: string };
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.url).toBe(`/s/${body.id}`);
  });

  it('restricts a search to the named sites', async () => {
    const response = await post({ name: 'Bakery', sites: ['yasabe.com', 'elocal.com'] });
    const { id } = (await response.json()) as { id: string };
    const snapshot = await app.services.searches.get(id);
    expect(snapshot.results.map((r) => r.siteId)).toEqual(['yasabe.com', 'elocal.com']);
  });

  it.each([
    [{}, 400, /name: .*(required|expected string)/i],
    [{ name: '' }, 400, /name: name is required/],
    [{ name: 42 }, 400, /name: name must be a string/],
    [{ name: 'x'.repeat(201) }, 400, /at most 200 characters/],
    [{ name: 'x', extra: 1 }, 400, /Unrecognized key.*extra/i],
    [{ name: 'x', sites: ['nope.example'] }, 400, /unknown site id nope\.example/],
    [{ name: 'x', sites: 'yasabe.com' }, 400, /sites must be an array/],
    ['{"name":', 400, /not valid JSON/],
    [JSON.stringify({ name: 'x', pad: 'y'.repeat(20_000) }), 413, /larger than/],
    [{ name: '\u200B\u200B' }, 400, /name: name must contain a letter or a digit/],
    [{ name: '\u0000' }, 400, /name: name must contain a letter or a digit/],
  ])('refuses %j with %i naming the problem', async (body, status, message) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.message).toMatch(message);
  });

  it('refuses a body that is not JSON by content type', async () => {
    const response = await post('name=x', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});

describe('GET /api/searches/:id', () => {
  it('answers {search, results, events} as DESIGN.md fixes them', async () => {
    const { id } = (await (await post({ name: 'Plumbing' })).json()) as { id: string };
    const response = await getSearch(new Request(`http://x/api/searches/${id}`), params(id));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & {
      search: Record<string, unknown>;
      results: Record<string, unknown>[];
      events: Record<string, unknown>[];
    };
    expect(Object.keys(body).sort()).toEqual(['events', 'results', 'search']);
    expect(body.search).toMatchObject({ id, query: { name: 'Plumbing' }, status: 'running' });
    expect(typeof body.search.createdAt).toBe('number');
    expect(body.search.summary).toMatchObject({ total: app.services.registry.size });
    expect(body.results[0]).toMatchObject({ siteId: expect.any(String), siteName: expect.any(String), sandbox: true, attempts: expect.any(Number) });
    expect(body.events[0]).toMatchObject({ seq: 1, type: 'search:created', at: expect.any(Number) });
  });

  it('answers 404 for unknown and impossible ids', async () => {
    for (const id of ['A'.repeat(22), '../../etc/passwd']) {
      const response = await getSearch(new Request('http://x'), params(id));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('POST /api/searches/:id/cancel', () => {
  it('cancels a running search: 202, then 409 once it has ended', async () => {
    const { id } = (await (await post({ name: 'Cafe' })).json()) as { id: string };
    expect((await cancel(new Request('http://x', { method: 'POST' }), params(id))).status).toBe(202);
    const snapshot = await app.services.searches.get(id);
    expect(snapshot.search.status).toBe('cancelled');
    expect(snapshot.events.at(-1)!.type).toBe('search:cancelled');
    expect(snapshot.results.every((r) => ['cancelled', 'done', 'failed', 'skipped'].includes(r.status))).toBe(true);
    expect((await cancel(new Request('http://x', { method: 'POST' }), params(id))).status).toBe(409);
  });
});

describe('GET /api/health and /api/sites', () => {
  it('reports ok with the store and the sites', async () => {
    // The custom server answers it ahead of Next (server/http/edge.ts); there is no route handler.
    const response = await fetch(`${app.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', store: { status: 'ok', kind: 'sqlite' }, sites: { total: app.services.registry.size, sandbox: app.services.registry.size } });
  });

  it('lists every site with its limits', async () => {
    const { sites: list } = (await (await sites()).json()) as { sites: { id: string; limits: { concurrency: number }; sandbox: boolean }[] };
    expect(list.map((s) => s.id)).toContain('brownbook.net');
    expect(list.every((s) => s.sandbox && s.limits.concurrency >= 1)).toBe(true);
  });
});

describe('GET /api/searches (history)', () => {
  const list = async (query: string) => {
    const response = await listSearches(new Request(`http://x/api/searches?${query}`));
    return { status: response.status, body: (await response.json()) as { items: SearchListItem[]; next?: string; error?: { code: string; message: string } } };
  };
  const names = (items: SearchListItem[]) => items.map((item) => item.query.name);
  const ids: string[] = [];

  beforeAll(async () => {
    for (const name of ['Zebra Striped Laundromat', 'Otter Pub', 'Zebra Crossing Cafe']) {
      const { id } = (await (await post({ name, location: 'Austin, TX' })).json()) as { id: string };
      ids.push(id);
      // Distinct createdAt: newest-first order is then unambiguous.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await cancel(new Request('http://x', { method: 'POST' }), params(ids[2]!));
    await Promise.all(ids.map((id) => app.services.searches.whenEnded(id)));
    // The store receives events in batches; wait until it has all three.
    await vi.waitFor(async () => expect((await list('q=zebra')).body.items).toHaveLength(2), { timeout: 5000 });
  });

  it('searches the full text of past searches, newest first', async () => {
    const { status, body } = await list('q=zebra');
    expect(status).toBe(200);
    expect(names(body.items)).toEqual(['Zebra Crossing Cafe', 'Zebra Striped Laundromat']);
    expect(body.items[0]).toMatchObject({ id: ids[2], status: 'cancelled', summary: { total: app.services.registry.size } });
    expect(names((await list('q=otter&status=')).body.items)).toEqual(['Otter Pub']);
  });

  it('filters by status', async () => {
    expect(names((await list('q=zebra&status=cancelled')).body.items)).toEqual(['Zebra Crossing Cafe']);
    expect(names((await list('q=zebra&status=completed')).body.items)).toEqual(['Zebra Striped Laundromat']);
  });

  it('pages with the cursor of the previous page, without overlap', async () => {
    const first = await list('q=zebra&limit=1');
    expect(names(first.body.items)).toEqual(['Zebra Crossing Cafe']);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await list(`q=zebra&limit=1&cursor=${encodeURIComponent(first.body.next!)}`);
    expect(names(second.body.items)).toEqual(['Zebra Striped Laundromat']);
    expect(second.body.next).toBeUndefined();
  });

  it.each([
    ['cursor=not-a-cursor', /cursor/],
    ['cursor=%%%', /cursor/],
    ['status=finished', /status must be one of running, completed, cancelled, interrupted, got "finished"/],
    ['limit=0', /limit must be a whole number from 1 to 100/],
    ['limit=abc', /limit must be a whole number/],
    ['sort=name', /Unrecognized key.*sort/i],
  ])('refuses %s with a 400 that names the problem', async (query, message) => {
    const { status, body } = await list(query);
    expect(status).toBe(400);
    expect(body.error!.message).toMatch(message);
  });
});

describe('GET /api/searches/:id/export', () => {
  let id: string;
  beforeAll(async () => {
    ({ id } = (await (await post({ name: '=1+2 Bakery', phone: '+1 512 555 0100', location: '@Austin' })).json()) as { id: string });
    await app.services.searches.whenEnded(id);
  });
  const download = (format?: string, searchId = id) =>
    exportSearch(new Request(`http://x/api/searches/${searchId}/export${format === undefined ? '' : `?format=${format}`}`), params(searchId));

  it('exports CSV as an attachment: one row per site, formulas escaped', async () => {
    const response = await download('csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="sitescan-1-2-bakery-${id}.csv"`);
    const [header, ...rows] = Papa.parse<string[]>(await response.text(), { skipEmptyLines: true }).data;
    expect(header!.slice(0, 3)).toEqual(['search_id', 'business_name', 'business_location']);
    const snapshot = await app.services.searches.get(id);
    expect(rows.map((row) => row[header!.indexOf('site_id')])).toEqual(snapshot.results.map((r) => r.siteId));
    const cell = (row: string[], name: string) => row[header!.indexOf(name)];
    for (const row of rows) {
      expect(cell(row, 'search_id')).toBe(id);
      expect(cell(row, 'business_name')).toBe("'=1+2 Bakery");
      expect(cell(row, 'business_phone')).toBe("'+1 512 555 0100");
      expect(cell(row, 'business_location')).toBe("'@Austin");
      expect(['done', 'failed', 'skipped']).toContain(cell(row, 'status'));
    }
  });

  it('exports JSON (the default) as the API answers the search', async () => {
    for (const format of ['json', undefined]) {
      const response = await download(format);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="sitescan-1-2-bakery-${id}.json"`);
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(await app.services.searches.get(id))));
    }
  });

  it('answers 400 for another format and 404 for an unknown search', async () => {
    const bad = await download('xml');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: 'format: format must be csv or json, got "xml"' } });
    expect((await download('csv', 'B'.repeat(22))).status).toBe(404);
    expect((await download('csv', '..%2Fx')).status).toBe(404);
  });
});
