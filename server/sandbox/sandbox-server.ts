/**
 * The sandbox network's HTTP server (node:http): every sandbox site under its own first path
 * segment, plus a control surface under `/__sandbox/`.
 *
 *   GET /{siteId}{searchPath}?q=&where=  ──► limiter ──► search ──► layout ──► wait latency ──► 200
 *                                              │
 *                                              └──► 429 + Retry-After (quickly; never in flight)
 *   GET /{siteId}/{detailPath}/{slug}-{id}    a listing's page (same layout, one item)
 *   GET /__sandbox/stats                      what each site saw (JSON)
 *   POST /__sandbox/reset                     zero the stats
 *   GET /__sandbox/sites                      the site definitions for this sandbox (JSON)
 *
 * Determinism: the dataset comes from the seed; each request's randomness (its latency) comes
 * from (seed, site, q, where, the site's request counter), so the same requests in the same
 * order get the same answers after the same delays.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../logger';
import type { DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import { createDataset, type SandboxDataset } from './dataset';
import { sampleLatencyMs } from './latency';
import { CONTENT_TYPES, LAYOUTS, renderError, renderHome, type PageContext } from './layouts';
import { SiteLimiter, type LimiterStats } from './limiter';
import { createRng } from './rng';
import { SANDBOX_SITES, siteDefinitionFor, type SandboxSiteSpec } from './sandbox-sites';
import { SiteSearchIndex } from './site-search';

const log = logger.child({ module: 'sandbox' });

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** TCP port; 0 picks a free one. Default 0; 0–65535. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Seed of the dataset and of every latency. Integer; default 1. */
  readonly seed?: number;
  /** Latency multiplier: 1 = realistic, 0 = answer at once. Default 1; finite, ≥ 0. */
  readonly speed?: number;
  /** Number of businesses in the dataset. Default 10,000; 1–1,000,000. */
  readonly businesses?: number;
}

/** What one site saw since start or the last reset. */
export interface SandboxSiteStats extends LimiterStats {
  /** The limits the site enforces (the same as its site definition's). */
  readonly limits: SandboxSiteSpec['limits'];
  /** Responses sent, by HTTP status (`{"200": 12, "429": 3}`). */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests the client gave up on before the answer was sent. */
  readonly aborted: number;
}

/** What every site saw: `GET /__sandbox/stats`. */
export interface SandboxStats {
  readonly sites: Readonly<Record<string, SandboxSiteStats>>;
}

/** A running sandbox network. */
export interface Sandbox {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly dataset: SandboxDataset;
  /** A site definition per sandbox site, pointing at this sandbox (`sandbox: true`). */
  siteDefinitions(): DeclarativeSiteDefinitionInput[];
  stats(): SandboxStats;
  /** Zeroes the stats (requests in flight are still answered). */
  reset(): void;
  /** Stops listening, drops pending answers and open connections. */
  close(): Promise<void>;
}

interface SiteState {
  readonly spec: SandboxSiteSpec;
  readonly limiter: SiteLimiter;
  readonly responses: Map<number, number>;
  /** Arrivals since the last reset: part of each request's seed. */
  counter: number;
  aborted: number;
  readonly index: SiteSearchIndex;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Fraction of a site's latency a 429 takes: limits sit at the edge and answer fast. */
const REFUSAL_LATENCY_FACTOR = 0.1;

/** Starts the sandbox network and resolves once it is listening. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { port = 0, host = '127.0.0.1', seed = 1, speed = 1, businesses = 10_000 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer in 0–65535, got ${port}`);
  }
  if (!Number.isInteger(seed)) throw new TypeError(`Expected \`seed\` to be an integer, got ${seed}`);
  if (!Number.isFinite(speed) || speed < 0) throw new TypeError(`Expected \`speed\` to be a finite number >= 0, got ${speed}`);
  if (!Number.isInteger(businesses) || businesses < 1 || businesses > 1_000_000) {
    throw new TypeError(`Expected \`businesses\` to be an integer in 1–1,000,000, got ${businesses}`);
  }

  const dataset = createDataset({ seed, size: businesses, sites: SANDBOX_SITES });
  // Indexes are built before listening (~0.5 s for 10,000 businesses). Built lazily on a site's
  // first request, each would stall the event loop for tens of ms mid-run, delaying the arrival
  // times of other sites' requests and making a compliant client look over the limit.
  const sites = new Map<string, SiteState>(
    SANDBOX_SITES.map((spec) => [
      spec.id,
      {
        spec,
        limiter: new SiteLimiter(spec.limits),
        index: new SiteSearchIndex(dataset.listings(spec.id)),
        responses: new Map(),
        counter: 0,
        aborted: 0,
      },
    ]),
  );
  const pending = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const stats = (): SandboxStats => ({
    sites: Object.fromEntries(
      [...sites.values()].map((site) => [
        site.spec.id,
        {
          limits: { ...site.spec.limits },
          ...site.limiter.stats(),
          responses: Object.fromEntries([...site.responses].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n])),
          aborted: site.aborted,
        },
      ]),
    ),
  });

  const reset = () => {
    for (const site of sites.values()) {
      site.limiter.reset();
      site.responses.clear();
      site.counter = 0;
      site.aborted = 0;
    }
  };

  const siteDefinitions = () => SANDBOX_SITES.map((spec) => siteDefinitionFor(spec, baseUrl));

  /** Sends `answer` after `delayMs`, unless the client leaves first. */
  const answerLater = (site: SiteState | undefined, res: ServerResponse, answer: Answer, contentType: string, delayMs: number, beforeSend?: () => void) => {
    const send = () => {
      beforeSend?.();
      if (res.destroyed) {
        if (site) site.aborted++;
        return;
      }
      const body = Buffer.from(answer.body);
      res.writeHead(answer.status, {
        'Content-Type': contentType,
        'Content-Length': String(body.length),
        'Cache-Control': 'no-store',
        ...answer.headers,
      });
      res.end(body);
      if (site) site.responses.set(answer.status, (site.responses.get(answer.status) ?? 0) + 1);
    };
    if (delayMs <= 0) return send();
    const timer = setTimeout(() => {
      pending.delete(timer);
      send();
    }, delayMs);
    pending.add(timer);
    res.once('close', () => {
      if (!pending.delete(timer)) return;
      clearTimeout(timer);
      beforeSend?.();
      if (site) site.aborted++;
    });
  };

  const serveSite = (site: SiteState, req: IncomingMessage, res: ServerResponse, url: URL, rest: string) => {
    const { spec, limiter } = site;
    const layout = LAYOUTS[spec.layout];
    const contentType = CONTENT_TYPES[layout.kind];
    const q = url.searchParams.get('q');
    const where = url.searchParams.get('where') ?? '';
    const rng = createRng(seed, spec.id, q ?? '', where, site.counter++);
    const latencyMs = sampleLatencyMs(spec.latency, rng) * speed;
    const rateLimitHeaders = (remaining: number, resetMs: number) => ({
      'RateLimit-Limit': String(spec.limits.requests),
      'RateLimit-Remaining': String(remaining),
      'RateLimit-Reset': String(Math.max(0, Math.ceil(resetMs / 1000))),
      'RateLimit-Policy': `${spec.limits.requests};w=${spec.limits.perMs / 1000}`,
    });

    const admission = limiter.admit();
    if (!admission.admitted) {
      const message =
        admission.reason === 'concurrency'
          ? `too many concurrent requests (limit ${spec.limits.concurrency})`
          : `too many requests (limit ${spec.limits.requests} per ${spec.limits.perMs} ms)`;
      const answer: Answer = {
        status: 429,
        body: renderError(layout.kind, 429, 'rate_limited', message),
        headers: {
          'Retry-After': String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))),
          ...rateLimitHeaders(0, admission.retryAfterMs),
        },
      };
      return answerLater(site, res, answer, contentType, latencyMs * REFUSAL_LATENCY_FACTOR);
    }

    const page = (query: string, location: string, listings: PageContext['listings']): PageContext => ({
      siteId: spec.id,
      siteName: spec.name,
      baseUrl,
      searchPath: `/${spec.id}${spec.searchPath}`,
      skin: spec.skin,
      q: query,
      where: location,
      listings,
    });
    const error = (status: number, code: string, message: string): Answer => ({
      status,
      body: renderError(layout.kind, status, code, message),
    });

    let answer: Answer;
    let answerType = contentType;
    const detailPrefix = `/${spec.detailPath}/`;
    if (req.method !== 'GET') {
      answer = { ...error(405, 'method_not_allowed', `${req.method} is not allowed; use GET`), headers: { Allow: 'GET' } };
    } else if (rest === spec.searchPath) {
      if (q === null || q.trim() === '') {
        answer = error(400, 'bad_request', 'the query parameter q is required');
      } else {
        answer = { status: 200, body: layout.render(page(q, where, site.index.search(q, where))) };
      }
    } else if (rest.startsWith(detailPrefix)) {
      const businessId = /-(b\d+)$/.exec(rest.slice(detailPrefix.length))?.[1];
      const listing = businessId === undefined ? undefined : dataset.listingFor(spec.id, businessId);
      answer = listing
        ? { status: 200, body: layout.render(page(listing.name, '', [listing])) }
        : error(404, 'not_found', 'no such listing');
    } else if (rest === '/' || rest === '') {
      answer = { status: 200, body: renderHome(page('', '', [])) };
      answerType = CONTENT_TYPES.html;
    } else {
      answer = error(404, 'not_found', `no page at ${url.pathname}`);
    }

    answerLater(
      site,
      res,
      { ...answer, headers: { ...rateLimitHeaders(admission.remaining, admission.resetMs), ...answer.headers } },
      answerType,
      latencyMs,
      // Free the slot before the answer leaves, so a client that starts its next request the
      // moment this one ends is never counted over the limit.
      admission.release,
    );
  };

  const serveControl = (req: IncomingMessage, res: ServerResponse, action: string) => {
    const json = (status: number, value: unknown) => answerLater(undefined, res, { status, body: JSON.stringify(value) }, CONTENT_TYPES.json, 0);
    if (action === 'stats' && req.method === 'GET') return json(200, stats());
    if (action === 'sites' && req.method === 'GET') return json(200, siteDefinitions());
    if (action === 'reset' && req.method === 'POST') {
      reset();
      return json(200, { reset: true });
    }
    return json(404, { error: { code: 'not_found', message: `no control endpoint ${req.method} /__sandbox/${action}` } });
  };

  const serveIndex = (res: ServerResponse) => {
    const items = SANDBOX_SITES.map(
      (spec) => `<li><a href="/${spec.id}/">${spec.name}</a> (${spec.id}, ${LAYOUTS[spec.layout].kind})</li>`,
    ).join('\n');
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sitescan sandbox network</title></head>
<body><h1>sitescan sandbox network</h1><p>Simulated directory sites (seed ${seed}, ${dataset.businesses.length} businesses). Stats: <a href="/__sandbox/stats">/__sandbox/stats</a></p>
<ul>
${items}
</ul></body></html>
`;
    answerLater(undefined, res, { status: 200, body }, CONTENT_TYPES.html, 0);
  };

  const server: Server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', baseUrl);
      const [, first = '', ...more] = url.pathname.split('/');
      const head = safeDecode(first);
      if (head === '') return serveIndex(res);
      if (head === '__sandbox') return serveControl(req, res, more.join('/'));
      const site = sites.get(head);
      if (!site) {
        return answerLater(undefined, res, { status: 404, body: renderError('html', 404, 'not_found', `no sandbox site ${head}`) }, CONTENT_TYPES.html, 0);
      }
      serveSite(site, req, res, url, url.pathname.slice(first.length + 1));
    } catch (error) {
      log.error({ err: error, url: req.url }, 'sandbox request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': CONTENT_TYPES.json });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'sandbox error' } }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = originOf(server.address() as AddressInfo);
  log.info({ url: baseUrl, seed, speed, businesses }, 'sandbox network listening');

  return {
    url: baseUrl,
    dataset,
    siteDefinitions,
    stats,
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function originOf(address: AddressInfo): string {
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape names no site; answering 404 for it is the intended outcome.
    return segment;
  }
}
