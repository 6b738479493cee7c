/**
 * The requests issue 17 found answered with a 500 in text, an empty 405 or an HTML 404, sent raw
 * (`http.request`, so a malformed path goes out as it is) to a real sitescan: each is a 4xx with
 * the JSON error body, and the process keeps serving. The same requests through Next's pages and
 * routes are in e2e/edge-refusals.spec.ts.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSitescan, type TestSitescan } from '../test-support';

let app: TestSitescan;
beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  await app.dispose();
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends `method path` exactly as written, without a URL parser in between. */
function send(method: string, path: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function errorOf(answer: RawAnswer): { code: string; message: string } {
  expect(answer.headers['content-type']).toBe('application/json');
  return (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
}

describe('edge requests against a real server', () => {
  it.each([['/api/searches/%E0%A4%A'], ['/api/searches/%FF/cancel'], ['/s/%FF'], ['/%']])('GET %s → 400 invalid_path', async (path) => {
    const answer = await send('GET', path);
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ code: 'invalid_path', message: `the path is not valid percent-encoded UTF-8: ${path}` });
  });

  it.each([
    ['TRACE', '/', 'GET, HEAD'],
    ['TRACE', '/api/searches', 'GET, HEAD, OPTIONS, POST'],
    ['PUT', '/api/searches', 'GET, HEAD, OPTIONS, POST'],
    ['DELETE', '/api/searches/AAAAAAAAAAAAAAAAAAAAAA', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/api/searches/AAAAAAAAAAAAAAAAAAAAAA', 'GET, HEAD, OPTIONS'],
    ['PUT', '/api/bulk', 'OPTIONS, POST'],
    ['DELETE', '/s/AAAAAAAAAAAAAAAAAAAAAA', 'GET, HEAD'],
    ['PROPFIND', '/history', 'GET, HEAD'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const answer = await send(method, path);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe(allow);
    expect(errorOf(answer)).toMatchObject({ code: 'method_not_allowed', message: expect.stringMatching(new RegExp(`^${method} is not allowed on `)) });
  });

  it.each([['/api/nope'], ['/api/searches/abc/nope'], ['/api']])('GET %s → JSON 404', async (path) => {
    const answer = await send('GET', path);
    expect(answer.status).toBe(404);
    expect(errorOf(answer)).toEqual({ code: 'not_found', message: `no API route ${path}` });
  });

  it('quotes an 8,000-character path by a short prefix', async () => {
    const answer = await send('GET', `/api/${'x'.repeat(8000)}`);
    expect(answer.status).toBe(404);
    expect(errorOf(answer).message).toBe(`no API route /api/${'x'.repeat(35)}…`);
  });

  it('still answers its health after all of them', async () => {
    const answer = await send('GET', '/api/health');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
  });
});
