/**
 * Test support: a real HTTP server on port 0 that answers adapter requests from canned
 * responses (the JSON fixtures beside the tests) and records what it was sent. No fetch mocking:
 * the adapters' whole HTTP path runs.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target: path and query, still encoded. */
  readonly target: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A canned answer. */
export interface CannedResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

/** A running fixture server. */
export interface FixtureServer {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /**
   * Answers requests whose path (without the query) is `path`, or every otherwise unanswered path
   * when `path` is `*`; later calls replace earlier ones.
   */
  answer(path: string, response: CannedResponse): void;
  close(): Promise<void>;
}

/** Reads a fixture file of this folder as JSON. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

/** Starts a fixture server on 127.0.0.1, port 0. Unknown paths answer 404. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, CannedResponse>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fixture.test');
      requests.push({ method: req.method ?? 'GET', target: req.url ?? '/', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const route = routes.get(decodeURIComponent(url.pathname)) ?? routes.get(url.pathname) ?? routes.get('*');
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"no fixture"}');
        return;
      }
      const body = typeof route.body === 'string' ? route.body : JSON.stringify(route.body ?? null);
      res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (path, response) => void routes.set(path, response),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
