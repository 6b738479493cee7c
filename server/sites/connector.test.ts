import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteRateLimitedError, SiteTimeoutError, TransientSiteError, UnrecoverableSiteError } from '../errors';
import { buildSearchUrl, HttpConnector, MAX_RESPONSE_BYTES, parseRetryAfter } from './connector';
import { siteDefinitionSchema, type DeclarativeSiteDefinition } from './site-definition';

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(req.url!);
    const route = url.pathname;
    if (route === '/ok') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<div class="r"><a href="/listing/7"><b class="n">${url.searchParams.get('q')}</b></a><i class="a">javascript:alert(1)</i></div>
        <div class="r"><a href="javascript:alert(1)"><b class="n">Evil</b></a></div>`);
    } else if (route === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(route === '/json' ? '{"results":[{"name":"J"}' : '');
    } else if (route === '/429') {
      res.writeHead(429, { 'retry-after': '2' });
      res.end();
    } else if (route === '/500') {
      res.writeHead(502);
      res.end();
    } else if (route === '/404') {
      res.writeHead(404);
      res.end();
    } else if (route === '/hang') {
      // never answers
    } else if (route === '/gzip') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.end(gzipSync(`<div class="r"><b class="n">zipped ${req.headers['accept-encoding']}</b></div>`));
    } else if (route === '/late-headers') {
      // Headers only once the whole request has arrived, 100 ms later: a send time must come
      // from our side, not from the answer.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<div class="r"><b class="n">late</b></div>');
      }, 100);
    } else if (route === '/redirect-same') {
      res.writeHead(302, { location: '/ok?q=moved' });
      res.end();
    } else if (route === '/redirect-away') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    } else if (route === '/huge') {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = '<div class="r"><b class="n">x</b></div>'.repeat(1000);
      let sent = 0;
      const write = () => {
        while (sent < MAX_RESPONSE_BYTES * 3) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', write);
        }
        res.end();
      };
      write();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function connector(path: string, kind: 'html' | 'json' = 'html') {
  return new HttpConnector(
    siteDefinitionSchema.parse({
      id: 'test.site',
      name: 'Test',
      kind,
      search: { url: `${base}${path}${path.includes('?') ? '&' : '?'}q={name}&where={location}` },
      limits: { concurrency: 1, requests: 10, perMs: 1000 },
      extract: kind === 'html' ? { item: '.r', name: '.n', url: 'a@href', address: '.a' } : { items: 'results', name: 'name' },
    }) as DeclarativeSiteDefinition,
  );
}

const attempt = (c: HttpConnector, signal = new AbortController().signal, timeoutMs = 2000) =>
  c.search({ name: 'Blue & Door?', location: 'Austin, TX' }, { signal, timeoutMs });

describe('HttpConnector', () => {
  it('fills placeholders URL-encoded and reads listings with absolute web links only', async () => {
    const answer = await attempt(connector('/ok'));
    expect(seen.at(-1)).toBe('/ok?q=Blue%20%26%20Door%3F&where=Austin%2C%20TX');
    expect(answer.listings).toEqual([
      { name: 'Blue & Door?', url: `${base}/listing/7`, address: 'javascript:alert(1)' },
      { name: 'Evil', url: undefined },
    ]);
  });

  it('classifies failures so the pipeline can decide', async () => {
    await expect(attempt(connector('/429'))).rejects.toMatchObject({ name: 'SiteRateLimitedError', retryAfterMs: 2000 });
    await expect(attempt(connector('/500'))).rejects.toBeInstanceOf(TransientSiteError);
    await expect(attempt(connector('/404'))).rejects.toBeInstanceOf(UnrecoverableSiteError);
    await expect(attempt(connector('/json', 'json'))).rejects.toThrow(/not valid JSON/);
    await expect(attempt(connector('/hang'), undefined, 200)).rejects.toBeInstanceOf(SiteTimeoutError);
    const closed = new HttpConnector({ ...connector('/ok').definition, search: { url: 'http://127.0.0.1:1/?q={name}' } });
    await expect(attempt(closed)).rejects.toBeInstanceOf(TransientSiteError);
    expect(new SiteRateLimitedError('x', 429, 5).message).toBe('x answered 429 (retry after 5 ms)');
  });

  it('follows a redirect on the same host only', async () => {
    expect((await attempt(connector('/redirect-same'))).listings[0]!.name).toBe('moved');
    await expect(attempt(connector('/redirect-away'))).rejects.toThrow(/redirect to http:\/\/169\.254\.169\.254 refused/);
  });

  it('stops reading at the size cap', async () => {
    const answer = await attempt(connector('/huge'));
    expect(answer.listings.length).toBeGreaterThan(0);
    expect(answer.listings.length).toBeLessThanOrEqual(50);
  });

  it('says when each request left, before its answer came', async () => {
    const sent: number[] = [];
    const started = Date.now();
    const answer = await connector('/late-headers').search({ name: 'x' }, { signal: new AbortController().signal, timeoutMs: 2000, onSent: () => sent.push(Date.now()) });
    const answered = Date.now();
    expect(answer.listings[0]!.name).toBe('late');
    expect(sent).toHaveLength(1);
    expect(sent[0]! - started).toBeLessThan(answered - started - 50);
    // A same-host redirect is a second request, and reports its own send.
    const redirected: number[] = [];
    await connector('/redirect-same').search({ name: 'x' }, { signal: new AbortController().signal, timeoutMs: 2000, onSent: () => redirected.push(Date.now()) });
    expect(redirected).toHaveLength(2);
  });

  it('asks for an uncompressed answer and still reads a site that compresses anyway', async () => {
    const answer = await attempt(connector('/gzip'));
    expect(answer.listings[0]!.name).toBe('zipped identity');
  });

  it('gives the caller its abort reason, not a timeout', async () => {
    const controller = new AbortController();
    const pending = attempt(connector('/hang'), controller.signal, 5000);
    const reason = new Error('cancelled by user');
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('helpers', () => {
  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('builds URLs with missing fields left empty', () => {
    expect(buildSearchUrl('https://x.test/s?q={name}&l={location}', { name: 'a b' }).href).toBe('https://x.test/s?q=a%20b&l=');
  });
});

describe('truncated pages', () => {
  it('treats an HTML page that opens <html> and never closes it as a retryable fault', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><div class="r"><b class="n">Keystone Dental Care</');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const definition = siteDefinitionSchema.parse({
        id: 'cut.site',
        name: 'Cut',
        kind: 'html',
        search: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/?q={name}` },
        limits: { concurrency: 1, requests: 10, perMs: 1000 },
        extract: { item: '.r', name: '.n' },
      }) as DeclarativeSiteDefinition;
      await expect(
        new HttpConnector(definition).search({ name: 'x' }, { signal: new AbortController().signal, timeoutMs: 2000 }),
      ).rejects.toThrow(TransientSiteError);
    } finally {
      server.close();
    }
  });
});
