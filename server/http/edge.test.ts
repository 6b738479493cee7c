import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUSY_RUNNING_SEARCHES, createEdge, type Edge, type EdgeOptions } from './edge';
import { CLIENT_HEADER } from './responder';

/** Requests that reached Next, as the edge passed them on. */
interface Passed {
  readonly method?: string;
  readonly url?: string;
  readonly client?: string | string[];
}

const serving: { server: Server; edge: Edge }[] = [];
afterEach(async () => {
  for (const { server, edge } of serving.splice(0)) {
    edge.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Serves an edge on port 0 whose loop lags `lagMs` with `runningSearches` searches running. */
async function serve(options: Partial<EdgeOptions> & { lagMs?: number; runningSearches?: number } = {}) {
  const { lagMs = 0, runningSearches = 0, ...rest } = options;
  const passed: Passed[] = [];
  const next: RequestListener = (req, res) => {
    passed.push({ method: req.method, url: req.url, client: req.headers[CLIENT_HEADER] });
    res.end('from next');
  };
  const logger = { error: vi.fn() };
  const edge = createEdge({
    load: () => ({ runningSearches }),
    health: async () => ({ status: 'ok' }),
    next,
    logger: logger as unknown as Logger,
    shedder: { lagSource: () => lagMs },
    ...rest,
  });
  const server = createServer(edge.handle);
  serving.push({ server, edge });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, passed, logger };
}

const post = (url: string, body = '{}') => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the HTTP edge', () => {
  it('refuses new searches and bulk runs of an overloaded process with 429, Retry-After and the security headers', async () => {
    const { url, passed } = await serve({ lagMs: 150, runningSearches: BUSY_RUNNING_SEARCHES });
    for (const path of ['/api/searches', '/api/bulk?x=1', '/api/bulk/AAAAAAAAAAAAAAAAAAAAAA/rerun']) {
      const response = await post(`${url}${path}`);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.json()).toEqual({
        error: { code: 'overloaded', message: 'sitescan is at capacity (event loop delay p99 150 ms (limit 100 ms)); try again in 2 s' },
      });
    }
    // Reads still reach Next.
    expect((await fetch(`${url}/api/searches`)).status).toBe(200);
    expect(passed.map(({ method, url: path }) => `${method} ${path}`)).toEqual(['GET /api/searches']);
  });

  it('takes loop delay for overload only from 10 searches running on, or the number given', async () => {
    expect(BUSY_RUNNING_SEARCHES).toBe(10);
    const idle = await serve({ lagMs: 150, runningSearches: BUSY_RUNNING_SEARCHES - 1 });
    expect((await post(`${idle.url}/api/searches`)).status).toBe(200);
    const strict = await serve({ lagMs: 150, runningSearches: 3, busyRunningSearches: 3 });
    expect((await post(`${strict.url}/api/searches`)).status).toBe(429);
  });

  it('counts the requests in progress and sheds past the limit', async () => {
    const { url } = await serve({ shedder: { lagSource: () => 0, maxRequestsInProgress: 0 } });
    for (let i = 0; i < 3; i++) {
      // Each request counts itself only: the earlier ones were let go when they closed.
      const { error } = (await (await post(`${url}/api/bulk`)).json()) as { error: { message: string } };
      expect(error.message).toMatch(/^sitescan is at capacity \(1 requests in progress \(limit 0\)\)/);
    }
  });

  it('answers GET and HEAD /api/health itself; other methods are refused with 405, never reaching Next', async () => {
    const { url, passed } = await serve({ lagMs: 1_000, runningSearches: 100 });
    const response = await fetch(`${url}/api/health?probe=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
    const head = await fetch(`${url}/api/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const refused = await post(`${url}/api/health`);
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('GET, HEAD');
    expect(passed).toEqual([]);
  });

  it('answers 500 without internals and logs the cause when the health report fails', async () => {
    const cause = new Error('store closed: /secret/path');
    const { url, logger } = await serve({ health: () => Promise.reject(cause) });
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'could not report health' } });
    expect(logger.error).toHaveBeenCalledWith({ err: cause }, 'health report failed');
  });

  it('stamps the peer address as the client, over any value the client sent', async () => {
    const { url, passed } = await serve();
    await fetch(`${url}/s/abc`, { headers: { [CLIENT_HEADER]: 'someone-else' } });
    expect(passed).toEqual([{ method: 'GET', url: '/s/abc', client: '127.0.0.1' }]);
  });

  it('refuses what the request guard refuses before Next and before shedding, with the security headers', async () => {
    const { url, passed } = await serve({ lagMs: 150, runningSearches: BUSY_RUNNING_SEARCHES });
    const response = await fetch(`${url}/api/searches`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect((await fetch(`${url}/api/nope`)).status).toBe(404);
    expect(passed).toEqual([]);
  });

  it('answers 404 JSON when no web pages are served', async () => {
    const { url } = await serve({ next: undefined });
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'web pages are not served by this instance' } });
  });

  it('refuses a busy threshold that is not a whole number of searches', () => {
    const options = { load: () => ({ runningSearches: 0 }), health: async () => ({}), logger: {} as Logger, shedder: { lagSource: () => 0 } };
    expect(() => createEdge({ ...options, busyRunningSearches: -1 })).toThrow('Expected `busyRunningSearches` to be an integer >= 0, got -1');
    expect(() => createEdge({ ...options, busyRunningSearches: 2.5 })).toThrow(/got 2\.5/);
  });
});
