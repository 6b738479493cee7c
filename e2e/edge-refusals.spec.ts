/**
 * Issue 17's edge requests through the production build, Next in front: each is a 4xx with the
 * JSON error body where Next answered a 500 in text, an empty 405 or an HTML 404, and Next's own
 * routes still answer. Sent raw (`http.request`), so a malformed path goes out as written; no
 * browser is needed.
 */
import { request } from 'node:http';
import { expect, test } from '@playwright/test';
import { useSitescanServer } from './support';

const sitescan = useSitescanServer();

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(method: string, path: string, body?: { type: string; text: string }): Promise<RawAnswer> {
  const { hostname, port } = new URL(sitescan.server.url);
  const headers = body ? { 'content-type': body.type, 'content-length': String(Buffer.byteLength(body.text)) } : {};
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body?.text);
  });
}

function errorOf(answer: RawAnswer): { code: string; message: string } {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  return (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
}

test('a path that does not percent-decode is a JSON 400, on API routes and pages', async () => {
  for (const path of ['/api/searches/%E0%A4%A', '/s/%FF']) {
    const answer = await send('GET', path);
    expect(answer.status, path).toBe(400);
    expect(errorOf(answer).code).toBe('invalid_path');
  }
});

test('TRACE, PUT, DELETE and PATCH are a JSON 405 with Allow', async () => {
  for (const [method, path, allow] of [
    ['TRACE', '/', 'GET, HEAD'],
    ['TRACE', '/api/searches', 'GET, HEAD, OPTIONS, POST'],
    ['PUT', '/api/searches', 'GET, HEAD, OPTIONS, POST'],
    ['DELETE', '/api/searches/AAAAAAAAAAAAAAAAAAAAAA', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/api/match', 'OPTIONS, POST'],
  ] as const) {
    const answer = await send(method, path);
    expect(answer.status, `${method} ${path}`).toBe(405);
    expect(answer.headers.allow).toBe(allow);
    expect(errorOf(answer).code).toBe('method_not_allowed');
  }
});

test('an unknown API path is a JSON 404; a known one still reaches its route', async () => {
  const unknown = await send('GET', '/api/nope');
  expect(unknown.status).toBe(404);
  expect(errorOf(unknown)).toEqual({ code: 'not_found', message: 'no API route /api/nope' });
  const known = await send('GET', '/api/searches/AAAAAAAAAAAAAAAAAAAAAA');
  expect(known.status).toBe(404);
  expect(errorOf(known).message).toBe('no search with id AAAAAAAAAAAAAAAAAAAAAA');
  const options = await send('OPTIONS', '/api/searches');
  expect(options.status).toBe(204);
  expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  expect((await send('GET', '/sites')).status).toBe(200);
});

test('an oversized JSON body is a 413, an 8,000-character id is echoed by a prefix, a name of zero-width characters a 400', async () => {
  const large = await send('POST', '/api/searches', { type: 'application/json', text: JSON.stringify({ name: 'x', pad: 'y'.repeat(20_000) }) });
  expect(large.status).toBe(413);
  expect(errorOf(large).code).toBe('body_too_large');

  const long = await send('GET', `/api/searches/${'x'.repeat(8000)}`);
  expect(long.status).toBe(404);
  expect(errorOf(long).message).toBe(`no search with id ${'x'.repeat(40)}…`);

  for (const name of ['\u200B\u200B', '\u0000']) {
    const answer = await send('POST', '/api/searches', { type: 'application/json', text: JSON.stringify({ name }) });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toBe('name: name must contain a letter or a digit');
  }
});
