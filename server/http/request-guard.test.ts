import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, guardRequest } from './request-guard';

describe('guardRequest', () => {
  it.each([
    ['/api/searches/%E0%A4%A'],
    ['/s/%FF'],
    ['/api/searches/%'],
    ['/api/searches/%zz/cancel'],
    ['/history/%C0%AF'],
  ])('refuses the malformed percent-encoding of %s with 400, whatever the method', (url) => {
    for (const method of ['GET', 'POST', 'TRACE']) {
      const answer = guardRequest(method, `${url}?q=1`);
      expect(answer?.status).toBe(400);
      expect(answer?.body.error).toEqual({ code: 'invalid_path', message: `the path is not valid percent-encoded UTF-8: ${url}` });
    }
  });

  it('passes well-formed escapes on, in the path and in the query', () => {
    expect(guardRequest('GET', '/s/abc%2Fdef%20x')).toBeUndefined();
    expect(guardRequest('GET', '/api/searches?q=%FF')).toBeUndefined();
    expect(guardRequest('GET', '/api/%73earches')).toBeUndefined();
  });

  it.each([['TRACE'], ['PUT'], ['DELETE'], ['PATCH'], ['PROPFIND'], ['BREW']])('refuses %s on a page with 405 and Allow: GET, HEAD', (method) => {
    for (const url of ['/', '/s/abc', '/history?q=x', '/metrics']) {
      const answer = guardRequest(method, url);
      expect(answer?.status).toBe(405);
      expect(answer?.headers).toEqual({ Allow: 'GET, HEAD' });
      expect(answer?.body.error).toEqual({ code: 'method_not_allowed', message: `${method} is not allowed on a page; allowed: GET, HEAD` });
    }
  });

  it('passes the methods Next answers on a page on', () => {
    for (const method of ['GET', 'HEAD', 'POST', 'OPTIONS']) expect(guardRequest(method, '/s/abc')).toBeUndefined();
  });

  it.each([
    ['PUT', '/api/searches', 'GET, HEAD, OPTIONS, POST'],
    ['DELETE', '/api/searches/abc', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/api/searches/abc/cancel', 'OPTIONS, POST'],
    ['TRACE', '/api/sites', 'GET, HEAD, OPTIONS'],
    ['GET', '/api/match', 'OPTIONS, POST'],
    ['GET', '/api/searches/abc/cancel', 'OPTIONS, POST'],
    ['POST', '/api/health', 'GET, HEAD'],
    ['OPTIONS', '/api/health', 'GET, HEAD'],
  ])('refuses %s %s with 405 and Allow: %s', (method, url, allow) => {
    const answer = guardRequest(method, url);
    expect(answer?.status).toBe(405);
    expect(answer?.headers).toEqual({ Allow: allow });
    expect(answer?.body.error.code).toBe('method_not_allowed');
    expect(answer?.body.error.message).toMatch(new RegExp(`^${method} is not allowed on /api/`));
  });

  it('names an API route by its pattern, not by the id it was asked with', () => {
    const answer = guardRequest('PUT', `/api/searches/${'x'.repeat(8000)}`);
    expect(answer?.body.error.message).toBe('PUT is not allowed on /api/searches/:id; allowed: GET, HEAD, OPTIONS');
  });

  it.each([['/api'], ['/api/'], ['/api/nope'], ['/api/searches/abc/nope'], ['/api/searches//cancel'], ['/api/health/deep']])(
    'answers %s, which names no API route, with a JSON 404',
    (url) => {
      const answer = guardRequest('GET', url);
      expect(answer?.status).toBe(404);
      expect(answer?.body.error).toEqual({ code: 'not_found', message: `no API route ${url}` });
    },
  );

  it('quotes a long path or method by a short prefix', () => {
    const unknown = guardRequest('GET', `/api/${'x'.repeat(8000)}`);
    expect(unknown?.body.error.message).toBe(`no API route /api/${'x'.repeat(35)}…`);
    const malformed = guardRequest('GET', `/s/${'y'.repeat(8000)}%FF`);
    expect(malformed?.body.error.message).toBe(`the path is not valid percent-encoded UTF-8: /s/${'y'.repeat(37)}…`);
    const method = guardRequest('M'.repeat(100), '/');
    expect(method?.body.error.message).toBe(`${'M'.repeat(40)}… is not allowed on a page; allowed: GET, HEAD`);
  });

  it('passes every method an API route serves on, a trailing slash included (Next redirects it)', () => {
    for (const { path: route, methods } of API_ROUTES) {
      const url = route.replaceAll(':id', 'abc');
      for (const method of methods) {
        expect(guardRequest(method, url)).toBeUndefined();
        expect(guardRequest(method, `${url}/?x=1`)).toBeUndefined();
      }
    }
  });
});

describe('API_ROUTES', () => {
  const apiDir = fileURLToPath(new URL('../../app/api/', import.meta.url));

  it('names every route handler under app/api with the methods it exports, as Next serves them', async () => {
    const files = (await readdir(apiDir, { recursive: true })).filter((file) => path.basename(file) === 'route.ts');
    const served = await Promise.all(
      files.map(async (file) => {
        const route = `/api/${path.dirname(file)}`.split(path.sep).join('/').replace(/\[(\w+)\]/g, ':$1');
        const handlers = (await import(path.join(apiDir, file))) as Record<string, unknown>;
        const methods = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((method) => typeof handlers[method] === 'function'));
        methods.add('OPTIONS');
        if (methods.has('GET')) methods.add('HEAD');
        return { path: route, methods: [...methods].sort() };
      }),
    );
    const fromFiles = served.sort((a, b) => a.path.localeCompare(b.path));
    const listed = API_ROUTES.filter(({ path: route }) => route !== '/api/health')
      .map(({ path: route, methods }) => ({ path: route, methods: [...methods] }))
      .sort((a, b) => a.path.localeCompare(b.path));
    expect(listed).toEqual(fromFiles);
    expect(fromFiles.length).toBeGreaterThanOrEqual(7);
  });
});
