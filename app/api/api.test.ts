import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSitescan, type TestSitescan } from '@/server/test-support';
import { GET as health } from './health/route';
import { GET as getSearch } from './searches/[id]/route';
import { POST as cancel } from './searches/[id]/cancel/route';
import { POST as createSearch } from './searches/route';
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
    [JSON.stringify({ name: 'x', pad: 'y'.repeat(20_000) }), 400, /larger than/],
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
    expect(body.search.summary).toMatchObject({ total: 10 });
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
    const response = await health();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', store: { status: 'ok', kind: 'sqlite' }, sites: { total: 10, sandbox: 10 } });
  });

  it('lists every site with its limits', async () => {
    const { sites: list } = (await (await sites()).json()) as { sites: { id: string; limits: { concurrency: number }; sandbox: boolean }[] };
    expect(list.map((s) => s.id)).toContain('brownbook.net');
    expect(list.every((s) => s.sandbox && s.limits.concurrency >= 1)).toBe(true);
  });
});
