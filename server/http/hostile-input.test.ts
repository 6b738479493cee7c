/**
 * Hostile HTTP input against the real route handlers: every bad body gets a 4xx naming the
 * problem, never a 5xx, and the store is left exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listSearches, POST as createSearch } from '../../app/api/searches/route';
import { GET as getSearch } from '../../app/api/searches/[id]/route';
import { startTestSitescan, type TestSitescan } from '../test-support';
import { CLIENT_HEADER } from './responder';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan({ CLIENT_SEARCHES_PER_MINUTE: '3' });
});
afterAll(async () => {
  await app.dispose();
});

const post = (body: string, type = 'application/json', client = 'hostile-corpus') =>
  createSearch(new Request('http://x/api/searches', { method: 'POST', headers: { 'content-type': type, [CLIENT_HEADER]: client }, body }));

const corpus: [label: string, body: string, type?: string][] = [
  ['empty body', ''],
  ['invalid JSON', '{"name": "x",'],
  ['JSON null', 'null'],
  ['JSON array', '[{"name":"x"}]'],
  ['JSON string', '"Blue Door"'],
  ['missing name', '{"location":"Austin"}'],
  ['name of wrong type', '{"name":{"$ne":null}}'],
  ['name as array', '{"name":["a","b"]}'],
  ['oversized name', JSON.stringify({ name: 'x'.repeat(201) })],
  ['1 MB body', JSON.stringify({ name: 'x', pad: 'y'.repeat(1024 * 1024) })],
  ['unknown field', '{"name":"x","__proto__":{"admin":true}}'],
  ['prototype pollution key', '{"name":"x","constructor":{"prototype":{"polluted":true}}}'],
  ['sites naming an unknown site', '{"name":"x","sites":["evil.example"]}'],
  ['site id with a path', '{"name":"x","sites":["../../etc/passwd"]}'],
  ['site id as a URL (SSRF attempt)', '{"name":"x","sites":["http://169.254.169.254/"]}'],
  ['wrong priority', '{"name":"x","priority":"urgent"}'],
  ['whitespace-only name', '{"name":"   "}'],
  ['form content type', 'name=x', 'application/x-www-form-urlencoded'],
  ['no content type', '{"name":"x"}', ''],
];

describe('POST /api/searches with hostile bodies', () => {
  it.each(corpus)('%s → 4xx naming the problem, store unchanged', async (_label, body, type) => {
    const before = await app.services.store.listSearches({ limit: 100 });
    const response = await post(body, type);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toMatch(/^[a-z_]+$/);
    expect(error.message.length).toBeGreaterThan(5);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await app.services.store.listSearches({ limit: 100 })).items).toEqual(before.items);
  });

  it('names at most 5 unknown site ids, each cut short, and counts the rest', async () => {
    const sites = Array.from({ length: 200 }, (_, i) => `${i}`.padStart(64, 'z'));
    const response = await post(JSON.stringify({ name: 'x', sites }), 'application/json', 'many-sites');
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    const named = sites.slice(0, 5).map((id) => `${id.slice(0, 40)}…`);
    expect(error.message).toBe(`sites: unknown site ids ${named.join(', ')} and 195 more`);
  });

  it('keeps unicode edge cases intact as data', async () => {
    const name = 'Café\u0301 🍰 \u202Eevil\u202C <script>alert(1)</script> مطعم';
    const response = await post(JSON.stringify({ name }), 'application/json', 'unicode-client');
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect((await app.services.searches.get(id)).search.query.name).toBe(name);
  });

  it('limits searches per client with 429 + Retry-After, other clients unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await post('{"name":"Limited"}', 'application/json', 'greedy')).status).toBe(201);
    const refused = await post('{"name":"Limited"}', 'application/json', 'greedy');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'overloaded', message: expect.stringMatching(/limit 3 per minute/) } });
    expect((await post('{"name":"Other"}', 'application/json', 'polite')).status).toBe(201);
  });
});

describe('GET with hostile parameters', () => {
  it.each([
    ['q=" OR 1=1 --'],
    ['q=name:* AND status:running'],
    ['q=(((((('],
    ['q=%00%01%02'],
    [`q=${'a'.repeat(5000)}`],
  ])('history query %s never fails the server', async (query) => {
    const response = await listSearches(new Request(`http://x/api/searches?${query}`));
    expect(response.status).toBeLessThan(500);
  });

  it.each([['limit=-1'], ['limit=abc'], ['status=hacked'], ['cursor=not-a-cursor']])('history %s → 400 naming it', async (query) => {
    const response = await listSearches(new Request(`http://x/api/searches?${query}`));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/limit|status|cursor/);
  });

  it('quotes an 8,000-character id in its 404 only by a short prefix', async () => {
    const response = await getSearch(new Request('http://x'), { params: Promise.resolve({ id: 'x'.repeat(8000) }) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: `no search with id ${'x'.repeat(40)}…` } });
  });

  it('answers 404 for ids that are guesses, traversal or too long', async () => {
    for (const id of ['0'.repeat(22), '..%2F..%2Fetc', 'x'.repeat(5000)]) {
      const response = await getSearch(new Request('http://x'), { params: Promise.resolve({ id }) });
      expect(response.status).toBe(404);
    }
  });
});
