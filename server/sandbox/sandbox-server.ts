/**
 * The sandbox network's HTTP server (node:http): every directory site under its own first path
 * segment, every place-API emulation under its kind, plus a control surface under `/__sandbox/`.
 *
 *   GET /{siteId}{searchPath}?q=&where=[&page=]
 *   /{kind}/…  (nominatim, overpass, foursquare-places, yelp, google-places, here, tomtom, mapbox)
 *        │
 *        ├─► blocked? ─────────────► 403 (block sites, Nominatim)
 *        ├─► limiter refuses ──────► push-back: 429 / 503 / captcha page / the API's 429 (fast)
 *        └─► admitted ─► search ─► layout or API shape ─► fault? ─► wait latency ─► answer
 *
 *   GET /{siteId}/{detailPath}/{slug}-{id}    a listing's page (same layout, one item; limited too)
 *   GET /{kind}/{detailPath}/{slug}-{id}      an API listing's web page (not limited: another host)
 *   GET /__sandbox/stats                      what each site and API saw (JSON)
 *   POST /__sandbox/reset                     zero the stats, forget windows, lift blocks
 *   GET /__sandbox/sites                      the site definitions for this sandbox (JSON)
 *   GET /__sandbox/apis                       base URL and limits of each API emulation (JSON)
 *   GET /__sandbox/truth?site=&business=      ground truth: the listing a site shows for a business
 *   GET /__sandbox/truth?business=            … on every site and API
 *
 * By default the server runs in a worker thread (isolated-sandbox.ts) and this module's
 * startSandboxServer() is what runs inside it; `isolate: false` runs it on the caller's thread.
 *
 * Determinism: the dataset comes from the seed; each request's randomness (its latency, then its
 * fault) comes from (seed, site, q, where, the site's request counter) — for APIs (seed, kind,
 * method, path and query, counter) — so the same requests in the same order get the same answers
 * after the same delays.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../logger';
import { ADAPTER_KINDS, type AdapterKind, type DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import { createApiEmulations, type ApiAnswer, type ApiEmulation, type ApiWorld } from './apis';
import { createDataset, type DatasetSite, type SandboxDataset } from './dataset';
import { Endpoint, type EndpointOptions, type SandboxSiteStats } from './endpoint';
import { malform, PAGE_FAULT_KINDS, planFault, serverErrorStatus, slowFirstByteMs, validateFaultRates, type FaultRates } from './faults';
import { sampleLatencyMs } from './latency';
import {
  CONTENT_TYPES,
  LAYOUTS,
  PAGINATED_MAX_RESULTS,
  renderBlocked,
  renderCaptcha,
  renderError,
  renderHome,
  type PageContext,
} from './layouts';
import { SiteLimiter, type RateLimits } from './limiter';
import { faultRatesFor, limitsFor, PROFILES, SANDBOX_PROFILES, type SandboxProfile } from './profiles';
import { rateLimitFields, retryAfterSeconds } from './push-back';
import { createRng, type Rng, type SeedPart } from './rng';
import { SANDBOX_SITES, siteDefinitionFor, type SandboxSiteSpec } from './sandbox-sites';
import { MAX_RESULTS, SiteSearchIndex } from './site-search';
import { renderRedesigned, renderWall } from './walls';

const log = logger.child({ module: 'sandbox' });

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** TCP port; 0 picks a free one. Default 0; 0–65535. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Seed of the dataset and of every latency and fault. Integer; default 1. */
  readonly seed?: number;
  /** Latency multiplier: 1 = realistic, 0 = answer at once (hangs still hang). Default 1; finite, ≥ 0. */
  readonly speed?: number;
  /** Number of businesses in the dataset. Default 10,000; 1–1,000,000. */
  readonly businesses?: number;
  /** What kind of day the network has (see profiles.ts). Default `default`. */
  readonly profile?: SandboxProfile;
  /**
   * Limits a site or API really enforces, by site id or adapter kind, merged over the announced
   * ones: "a site's real limit is lower than it says". Definitions, `apiLimits()` and `exceeded`
   * keep the announced limits. Default none.
   */
  readonly limitOverrides?: Readonly<Record<string, Partial<RateLimits>>>;
  /** Fault rates of a site or API, by site id or adapter kind, replacing the profile's. Default none. */
  readonly faultOverrides?: Readonly<Record<string, Partial<FaultRates>>>;
  /**
   * Run the network in its own worker thread. Default true: its arrival times then never wait
   * for the host's event loop (the pipeline, the store, matching), so the exact-window stats
   * measure what the client did, not how busy the shared thread was. `false` runs it on this
   * thread: cheaper to start, for the sandbox's own unit tests.
   */
  readonly isolate?: boolean;
}

/** Options with their defaults, validated. */
export interface ResolvedSandboxOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly speed: number;
  readonly businesses: number;
  readonly profile: SandboxProfile;
}

export type { SandboxSiteStats } from './endpoint';

/** What every site and API saw: `GET /__sandbox/stats`. */
export interface SandboxStats {
  /** Directory sites, by site id. */
  readonly sites: Readonly<Record<string, SandboxSiteStats>>;
  /** Place-API emulations, by adapter kind. */
  readonly apis: Readonly<Record<AdapterKind, SandboxSiteStats>>;
}

/** A running sandbox network. */
export interface Sandbox {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly dataset: SandboxDataset;
  readonly profile: SandboxProfile;
  /** A site definition per directory site, pointing at this sandbox (`sandbox: true`), announcing the profile's limits. */
  siteDefinitions(): DeclarativeSiteDefinitionInput[];
  /** Base URL of each API emulation: `<url>/<kind>` (an adapter's `baseUrl`). */
  apiBaseUrls(): Record<AdapterKind, string>;
  /** Limits each API emulation announces: the API's documented ones under the profile (overrides aside). */
  apiLimits(): Record<AdapterKind, RateLimits>;
  stats(): SandboxStats;
  /** Zeroes the stats, forgets rate windows and daily quotas, lifts blocks (requests in flight are still answered). */
  reset(): void;
  /** Stops listening, drops pending answers and open connections. */
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface SiteState {
  readonly spec: SandboxSiteSpec;
  readonly endpoint: Endpoint;
  readonly index: SiteSearchIndex;
}

interface ApiState {
  readonly emulation: ApiEmulation;
  readonly endpoint: Endpoint;
  readonly world: ApiWorld;
}

/** What the common request path needs from a site or an API. */
interface Hooks {
  /** Parts of the request's seed after (seed, endpoint id). */
  readonly seedParts: readonly SeedPart[];
  /** Kind of the endpoint's error bodies (faults). */
  readonly errorKind: 'html' | 'json';
  refuse(reason: 'concurrency' | 'rate', retryAfterMs: number): Answer;
  blocked(retryInMs: number): Answer;
  answer(window: { remaining: number; resetMs: number }, body: string): Answer;
  /** Headers on every admitted answer (`RateLimit-*`). */
  headers?(window: { remaining: number; resetMs: number }): Readonly<Record<string, string>>;
  /** The page of a page fault (`wall`, `layoutChanged`; directory sites only), or undefined for the healthy answer. */
  pageFault?(kind: 'wall' | 'layoutChanged', rng: Rng): Answer | undefined;
}

/** Fraction of a site's latency a refusal takes: limits sit at the edge and answer fast. */
const REFUSAL_LATENCY_FACTOR = 0.1;
/** Largest request body read (Overpass QL, Google's JSON). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Applies the defaults and checks every option, overrides included, with a message that names
 * the option: the same errors whether the network then runs on this thread or in a worker.
 */
export function resolveSandboxOptions(options: SandboxOptions): ResolvedSandboxOptions {
  const { port = 0, host = '127.0.0.1', seed = 1, speed = 1, businesses = 10_000, profile = 'default' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer in 0–65535, got ${port}`);
  }
  if (!Number.isInteger(seed)) throw new TypeError(`Expected \`seed\` to be an integer, got ${seed}`);
  if (!Number.isFinite(speed) || speed < 0) throw new TypeError(`Expected \`speed\` to be a finite number >= 0, got ${speed}`);
  if (!Number.isInteger(businesses) || businesses < 1 || businesses > 1_000_000) {
    throw new TypeError(`Expected \`businesses\` to be an integer in 1–1,000,000, got ${businesses}`);
  }
  if (!SANDBOX_PROFILES.includes(profile)) {
    throw new TypeError(`Expected \`profile\` to be one of ${SANDBOX_PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
  const announced = announcedLimits(profile);
  for (const [option, overrides] of [
    ['limitOverrides', options.limitOverrides],
    ['faultOverrides', options.faultOverrides],
  ] as const) {
    for (const id of Object.keys(overrides ?? {})) {
      if (!announced.has(id)) throw new TypeError(`Expected \`${option}\` keys to be site ids or adapter kinds, got ${JSON.stringify(id)}`);
    }
  }
  for (const [id, override] of Object.entries(options.limitOverrides ?? {})) {
    const limits = announced.get(id)!;
    // Throws, naming the field, for a bad value.
    new SiteLimiter({ ...limits, enforced: { ...limits, ...override } });
  }
  for (const [id, override] of Object.entries(options.faultOverrides ?? {})) {
    validateFaultRates({ ...faultRatesFor(profile, 0), ...override }, `faultOverrides.${id}`);
  }
  return { port, host, seed, speed, businesses, profile };
}

/** What every site and API announces under a profile, by site id and adapter kind. */
function announcedLimits(profile: SandboxProfile): Map<string, RateLimits> {
  const emulations = createApiEmulations();
  return new Map<string, RateLimits>([
    ...SANDBOX_SITES.map((spec) => [spec.id, limitsFor(profile, spec.limits)] as const),
    ...ADAPTER_KINDS.map((kind) => [kind, limitsFor(profile, emulations[kind].limits)] as const),
  ]);
}

/**
 * What a sandbox at `baseUrl` tells sitescan: its site definitions, API base URLs and API
 * limits. Pure: the same on the host thread and in the worker.
 */
export function describeSandbox(baseUrl: string, profile: SandboxProfile): Pick<Sandbox, 'siteDefinitions' | 'apiBaseUrls' | 'apiLimits'> {
  const announced = announcedLimits(profile);
  return {
    siteDefinitions: () => SANDBOX_SITES.map((spec) => siteDefinitionFor(spec, baseUrl, announced.get(spec.id))),
    apiBaseUrls: () => Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, `${baseUrl}/${kind}`])) as Record<AdapterKind, string>,
    apiLimits: () => Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, { ...announced.get(kind)! }])) as Record<AdapterKind, RateLimits>,
  };
}

/** The dataset sites of the whole network: directory sites, then the APIs' subsets. */
export function sandboxDatasetSites(): DatasetSite[] {
  return [...SANDBOX_SITES, ...Object.values(createApiEmulations()).map((emulation) => emulation.site)];
}

/** Starts the sandbox network on this thread and resolves once it is listening. */
export async function startSandboxServer(options: SandboxOptions = {}): Promise<Sandbox> {
  const { port, host, seed, speed, businesses, profile } = resolveSandboxOptions(options);
  const profileSpec = PROFILES[profile];
  const emulations = createApiEmulations({ limitFactor: profileSpec.limitFactor });
  const faultsOf = (id: string, faultiness: number, pages = true): FaultRates => {
    // An API answers JSON to code adapters: it has no page to wall or redesign.
    const noPages = pages ? {} : Object.fromEntries(PAGE_FAULT_KINDS.map((kind) => [kind, 0]));
    const rates = { ...faultRatesFor(profile, faultiness), ...noPages, ...options.faultOverrides?.[id] };
    validateFaultRates(rates, `faultOverrides.${id}`);
    return rates;
  };
  const endpointFor = (id: string, announced: RateLimits, rest: Omit<EndpointOptions, 'id' | 'limits' | 'enforced'>) => {
    const override = options.limitOverrides?.[id];
    return new Endpoint({ id, limits: announced, ...(override ? { enforced: { ...announced, ...override } } : {}), ...rest });
  };

  const dataset = createDataset({ seed, size: businesses, sites: sandboxDatasetSites() });
  let baseUrl = '';
  // Indexes are built before listening (~1 s for 10,000 businesses and 41 sites). Built lazily on
  // a site's first request, each would stall the event loop for tens of ms mid-run, delaying the
  // arrival times of other sites' requests and making a compliant client look over the limit.
  const sites = new Map<string, SiteState>(
    SANDBOX_SITES.map((spec) => [
      spec.id,
      {
        spec,
        index: new SiteSearchIndex(dataset.listings(spec.id)),
        endpoint: endpointFor(spec.id, limitsFor(profile, spec.limits), {
          latency: spec.latency,
          faults: faultsOf(spec.id, spec.faultiness),
          pushBack: spec.pushBack,
          blocks: spec.pushBack === 'block',
        }),
      },
    ]),
  );
  const apis = new Map<string, ApiState>(
    ADAPTER_KINDS.map((kind) => {
      const emulation = emulations[kind];
      const announced = limitsFor(profile, emulation.limits);
      const index = new SiteSearchIndex(dataset.listings(emulation.site.id));
      const world: ApiWorld = {
        seed,
        get baseUrl() {
          return baseUrl;
        },
        dataset,
        index,
        limits: announced,
      };
      const endpoint = endpointFor(kind, announced, {
        latency: emulation.latency,
        faults: faultsOf(kind, emulation.faultiness, false),
        pushBack: emulation.blocksAbusers ? 'block' : 'api',
        blocks: emulation.blocksAbusers === true,
      });
      return [kind, { emulation, endpoint, world }];
    }),
  );

  const pending = new Set<NodeJS.Timeout>();

  const stats = (): SandboxStats => ({
    sites: Object.fromEntries([...sites.values()].map((site) => [site.spec.id, site.endpoint.stats()])),
    apis: Object.fromEntries([...apis].map(([kind, api]) => [kind, api.endpoint.stats()])) as Record<AdapterKind, SandboxSiteStats>,
  });

  const reset = () => {
    for (const site of sites.values()) site.endpoint.reset();
    for (const api of apis.values()) {
      api.endpoint.reset();
      api.emulation.reset?.();
    }
  };

  // Assigned once listening (the URL is known then).
  let siteDefinitions: Sandbox['siteDefinitions'] = () => [];
  let apiBaseUrls!: Sandbox['apiBaseUrls'];
  let apiLimits!: Sandbox['apiLimits'];

  /**
   * Sends `answer` after `delayMs`, unless the client leaves first. `release` frees the request's
   * slot just before the answer leaves, so a client that starts its next request the moment this
   * one ends is never counted over the limit. `truncate` sends part of the body, then resets.
   *
   * A lazy answer (a function) is computed when it is due and always leaves from a timer, even
   * at delay 0: searching and rendering are the sandbox's only real CPU work, and done on
   * arrival they would delay the arrival times of the requests queued behind (a burst of a
   * hundred arrivals, a few ms each), making a compliant client look over the exact window.
   */
  const answerLater = (
    endpoint: Endpoint | undefined,
    res: ServerResponse,
    answer: Answer | (() => Answer),
    delayMs: number,
    { release, truncate }: { release?: () => void; truncate?: boolean } = {},
  ) => {
    const send = () => {
      release?.();
      if (res.destroyed) {
        if (endpoint) endpoint.aborted++;
        return;
      }
      const { status, body: text, contentType, headers } = typeof answer === 'function' ? answer() : answer;
      const body = Buffer.from(text);
      res.writeHead(status, {
        'Content-Type': contentType,
        'Content-Length': String(body.length),
        'Cache-Control': 'no-store',
        ...headers,
      });
      endpoint?.responded(status);
      if (truncate) {
        res.write(body.subarray(0, Math.floor(body.length / 2)));
        // Give the partial body a moment to leave before the reset.
        setImmediate(() => res.destroy());
        return;
      }
      res.end(body);
    };
    if (delayMs <= 0 && typeof answer !== 'function') return send();
    const timer = setTimeout(() => {
      pending.delete(timer);
      send();
    }, Math.max(0, delayMs));
    pending.add(timer);
    res.once('close', () => {
      if (!pending.delete(timer)) return;
      clearTimeout(timer);
      release?.();
      if (endpoint) endpoint.aborted++;
    });
  };

  /** The path every limited request takes; see the module picture. */
  const receive = (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, hooks: Hooks) => {
    const rng = createRng(seed, endpoint.id, ...hooks.seedParts, endpoint.counter++);
    const latencyMs = sampleLatencyMs(endpoint.latency, rng) * speed * profileSpec.latencyFactor;
    const fault = planFault(endpoint.faults, rng);
    const admission = endpoint.limiter.admit();
    const blockedForMs = endpoint.blocker?.blockedForMs() ?? 0;
    if (blockedForMs > 0) {
      if (admission.admitted) admission.release();
      endpoint.blocked++;
      return answerLater(endpoint, res, () => hooks.blocked(blockedForMs), latencyMs * REFUSAL_LATENCY_FACTOR);
    }
    if (!admission.admitted) {
      endpoint.blocker?.recordViolation();
      const { reason, retryAfterMs } = admission;
      return answerLater(endpoint, res, () => hooks.refuse(reason, retryAfterMs), latencyMs * REFUSAL_LATENCY_FACTOR);
    }
    const window = { remaining: admission.remaining, resetMs: admission.resetMs };
    readBody(req).then(
      (body) => {
        const answer = (): Answer => {
          try {
            const handled = hooks.answer(window, body);
            return { ...handled, headers: { ...hooks.headers?.(window), ...handled.headers } };
          } catch (error) {
            log.error({ err: error, url: req.url, site: endpoint.id }, 'sandbox handler failed');
            return { status: 500, contentType: CONTENT_TYPES.json, body: JSON.stringify({ error: { code: 'internal', message: 'sandbox error' } }) };
          }
        };
        deliver(endpoint, res, answer, fault, rng, latencyMs, admission.release, hooks);
      },
      () => {
        // The client left (or sent too much) before its body arrived: nothing to answer.
        admission.release();
        endpoint.aborted++;
        res.destroy();
      },
    );
  };

  const deliver = (
    endpoint: Endpoint,
    res: ServerResponse,
    answer: () => Answer,
    fault: ReturnType<typeof planFault>,
    rng: Rng,
    latencyMs: number,
    release: () => void,
    hooks: Hooks,
  ) => {
    if (fault) endpoint.faultCounts[fault]++;
    switch (fault) {
      case 'wall':
      case 'layoutChanged': {
        const page = hooks.pageFault?.(fault, rng);
        return answerLater(endpoint, res, page ?? answer, latencyMs, { release });
      }
      case undefined:
        return answerLater(endpoint, res, answer, latencyMs, { release });
      case 'serverError': {
        const status = serverErrorStatus(rng);
        return answerLater(endpoint, res, () => serverError(status, hooks.errorKind), latencyMs, { release });
      }
      case 'hang':
        // The server dropped the request: its slot is free, only the client still waits.
        release();
        return;
      case 'truncated':
        return answerLater(endpoint, res, answer, latencyMs, { release, truncate: true });
      case 'malformed':
        return answerLater(
          endpoint,
          res,
          () => {
            const whole = answer();
            return { ...whole, body: malform(whole.body, rng) };
          },
          latencyMs,
          { release },
        );
      case 'slowFirstByte':
        return answerLater(endpoint, res, answer, latencyMs + slowFirstByteMs(rng) * speed * profileSpec.latencyFactor, { release });
    }
  };

  const serveSite = (site: SiteState, req: IncomingMessage, res: ServerResponse, url: URL, rest: string) => {
    const { spec, endpoint } = site;
    const layout = LAYOUTS[spec.layout];
    const contentType = CONTENT_TYPES[layout.kind];
    const q = url.searchParams.get('q');
    const where = url.searchParams.get('where') ?? '';
    const pageNumber = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
    const page = (query: string, location: string, listings: PageContext['listings']): PageContext => ({
      siteId: spec.id,
      siteName: spec.name,
      baseUrl,
      searchPath: `/${spec.id}${spec.searchPath}`,
      skin: spec.skin,
      q: query,
      where: location,
      listings,
      page: pageNumber,
    });
    const error = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({
      status,
      body: renderError(layout.kind, status, code, message),
      contentType,
      ...(headers ? { headers } : {}),
    });
    const refusalHeaders = (retryAfterMs: number): Record<string, string> => ({
      'Retry-After': retryAfterSeconds(retryAfterMs),
      ...(spec.pushBack === 'ratelimit-headers' ? rateLimitFields(endpoint.limits, 0, retryAfterMs) : {}),
    });

    receive(endpoint, req, res, {
      seedParts: [q ?? '', where],
      errorKind: layout.kind,
      refuse(reason, retryAfterMs) {
        const message =
          reason === 'concurrency'
            ? `too many concurrent requests (limit ${endpoint.limits.concurrency})`
            : `too many requests (limit ${endpoint.limits.requests} per ${endpoint.limits.perMs} ms)`;
        switch (spec.pushBack) {
          case 'captcha':
            endpoint.captchas++;
            return { status: 200, body: renderCaptcha(page(q ?? '', where, [])), contentType: CONTENT_TYPES.html };
          case 'unavailable':
            return error(503, 'server_busy', `The server is busy; try again later (${message}).`, refusalHeaders(retryAfterMs));
          default:
            return error(429, 'rate_limited', message, refusalHeaders(retryAfterMs));
        }
      },
      blocked: (retryInMs) => ({ status: 403, body: renderBlocked(layout.kind, spec.name, retryInMs), contentType }),
      pageFault(kind, rng) {
        // Only the search page: a fault of a listing page would not test "not listed".
        if (req.method !== 'GET' || rest !== spec.searchPath || q === null || q.trim() === '') return undefined;
        const searched = page(q, where, site.index.search(q, where, spec.layout === 'paginated' ? PAGINATED_MAX_RESULTS : MAX_RESULTS));
        return kind === 'wall' ? renderWall(searched, rng) : renderRedesigned(spec.layout, searched);
      },
      headers: spec.pushBack === 'ratelimit-headers' ? (window) => rateLimitFields(endpoint.limits, window.remaining, window.resetMs) : undefined,
      answer() {
        const detailPrefix = `/${spec.detailPath}/`;
        if (req.method !== 'GET') {
          return { ...error(405, 'method_not_allowed', `${req.method} is not allowed; use GET`), headers: { Allow: 'GET' } };
        }
        if (rest === spec.searchPath) {
          if (q === null || q.trim() === '') return error(400, 'bad_request', 'the query parameter q is required');
          const limit = spec.layout === 'paginated' ? PAGINATED_MAX_RESULTS : MAX_RESULTS;
          return { status: 200, body: layout.render(page(q, where, site.index.search(q, where, limit))), contentType };
        }
        if (rest.startsWith(detailPrefix)) {
          const businessId = /-(b\d+)$/.exec(rest.slice(detailPrefix.length))?.[1];
          const listing = businessId === undefined ? undefined : dataset.listingFor(spec.id, businessId);
          return listing
            ? { status: 200, body: layout.render({ ...page(listing.name, '', [listing]), page: 1 }), contentType }
            : error(404, 'not_found', 'no such listing');
        }
        if (rest === '/' || rest === '') return { status: 200, body: renderHome(page('', '', [])), contentType: CONTENT_TYPES.html };
        return error(404, 'not_found', `no page at ${url.pathname}`);
      },
    });
  };

  const serveApi = (api: ApiState, req: IncomingMessage, res: ServerResponse, url: URL, rest: string) => {
    const { emulation, endpoint, world } = api;
    const detailPrefix = `/${emulation.site.detailPath}/`;
    if (req.method === 'GET' && rest.startsWith(detailPrefix)) {
      // The listing's web page: on the real service another host, outside the API's limits.
      const businessId = /-(b\d+)$/.exec(rest.slice(detailPrefix.length))?.[1];
      const listing = businessId === undefined ? undefined : dataset.listingFor(emulation.site.id, businessId);
      const page: PageContext = { siteId: emulation.kind, siteName: emulation.name, baseUrl, searchPath: `/${emulation.kind}/`, skin: 'api', q: listing?.name ?? '', where: '', listings: listing ? [listing] : [] };
      return answerLater(
        undefined,
        res,
        listing ? { status: 200, body: LAYOUTS.cards.render(page), contentType: CONTENT_TYPES.html } : { status: 404, body: renderError('html', 404, 'not_found', 'no such listing'), contentType: CONTENT_TYPES.html },
        0,
      );
    }
    const request = { method: req.method ?? 'GET', path: rest || '/', query: url.searchParams, headers: req.headers, body: '' };
    const free = emulation.serveFree?.(request, world, { inFlight: endpoint.limiter.stats().inFlight, limits: endpoint.limiter.enforced });
    if (free) return answerLater(undefined, res, free, 0);
    receive(endpoint, req, res, {
      seedParts: [request.method, `${rest}${url.search}`],
      errorKind: 'json',
      refuse: (reason, retryAfterMs) => emulation.refuse(reason, retryAfterMs, world),
      blocked: (retryInMs) =>
        emulation.blocked?.(retryInMs) ?? { status: 403, contentType: CONTENT_TYPES.json, body: JSON.stringify({ error: { code: 'forbidden', message: 'blocked' } }) },
      answer: (window, body) => emulation.handle({ ...request, body }, world, window) satisfies ApiAnswer,
    });
  };

  const serveControl = (req: IncomingMessage, res: ServerResponse, action: string, url: URL) => {
    const json = (status: number, value: unknown) =>
      answerLater(undefined, res, { status, body: JSON.stringify(value), contentType: CONTENT_TYPES.json }, 0);
    if (action === 'stats' && req.method === 'GET') return json(200, stats());
    if (action === 'sites' && req.method === 'GET') return json(200, siteDefinitions());
    if (action === 'apis' && req.method === 'GET') {
      const limits = apiLimits();
      const bases = apiBaseUrls();
      return json(200, Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, { baseUrl: bases[kind], limits: limits[kind], datasetId: `api.${kind}` }])));
    }
    if (action === 'truth' && req.method === 'GET') return json(...truth(url.searchParams));
    if (action === 'reset' && req.method === 'POST') {
      reset();
      return json(200, { reset: true });
    }
    return json(404, { error: { code: 'not_found', message: `no control endpoint ${req.method} /__sandbox/${action}` } });
  };

  const truth = (params: URLSearchParams): [number, unknown] => {
    const businessId = params.get('business');
    const site = params.get('site');
    if (!businessId) return [400, { error: { code: 'bad_request', message: 'the query parameter business is required (and site, optionally)' } }];
    const business = dataset.business(businessId);
    if (!business) return [404, { error: { code: 'not_found', message: `no business ${businessId}` } }];
    if (site) {
      const datasetId = sites.has(site) ? site : apis.has(site) ? `api.${site}` : site.startsWith('api.') && apis.has(site.slice(4)) ? site : undefined;
      if (datasetId === undefined) return [404, { error: { code: 'not_found', message: `no site or API ${site}` } }];
      return [200, { site, business, listing: dataset.listingFor(datasetId, businessId) ?? null }];
    }
    const listings: Record<string, unknown> = {};
    for (const id of sites.keys()) listings[id] = dataset.listingFor(id, businessId) ?? null;
    for (const kind of apis.keys()) listings[kind] = dataset.listingFor(`api.${kind}`, businessId) ?? null;
    return [200, { business, listings }];
  };

  const serveIndex = (res: ServerResponse) => {
    const siteItems = SANDBOX_SITES.map((spec) => `<li><a href="/${spec.id}/">${spec.name}</a> (${spec.id}, ${spec.layout})</li>`).join('\n');
    const apiItems = ADAPTER_KINDS.map((kind) => `<li>${apis.get(kind)!.emulation.name}: <code>${baseUrl}/${kind}</code></li>`).join('\n');
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sitescan sandbox network</title></head>
<body><h1>sitescan sandbox network</h1><p>Simulated directory sites and place APIs (seed ${seed}, profile ${profile}, ${dataset.businesses.length} businesses). Stats: <a href="/__sandbox/stats">/__sandbox/stats</a></p>
<h2>Directory sites</h2>
<ul>
${siteItems}
</ul>
<h2>Place APIs</h2>
<ul>
${apiItems}
</ul></body></html>
`;
    answerLater(undefined, res, { status: 200, body, contentType: CONTENT_TYPES.html }, 0);
  };

  const server: Server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', baseUrl);
      const [, first = '', ...more] = url.pathname.split('/');
      const head = safeDecode(first);
      if (head === '') return serveIndex(res);
      if (head === '__sandbox') return serveControl(req, res, more.join('/'), url);
      const rest = url.pathname.slice(first.length + 1);
      const site = sites.get(head);
      if (site) return serveSite(site, req, res, url, rest);
      const api = apis.get(head);
      if (api) return serveApi(api, req, res, url, rest);
      return answerLater(undefined, res, { status: 404, body: renderError('html', 404, 'not_found', `no sandbox site ${head}`), contentType: CONTENT_TYPES.html }, 0);
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
  ({ siteDefinitions, apiBaseUrls, apiLimits } = describeSandbox(baseUrl, profile));
  log.info({ url: baseUrl, seed, speed, businesses, profile }, 'sandbox network listening');

  return {
    url: baseUrl,
    dataset,
    profile,
    siteDefinitions,
    apiBaseUrls,
    apiLimits,
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

/** A server-error fault's answer: the site's own error page for 500/503, a proxy's page for 502/504. */
function serverError(status: number, kind: 'html' | 'json'): Answer {
  if (status === 502 || status === 504) {
    const title = status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out';
    return { status, contentType: CONTENT_TYPES.html, body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n` };
  }
  const code = status === 503 ? 'service_unavailable' : 'internal_error';
  return { status, contentType: CONTENT_TYPES[kind], body: renderError(kind, status, code, 'Something went wrong on our side. Please try again.') };
}

/** The request body as text; rejects when the client leaves or sends more than the cap. GET bodies are not read. */
function readBody(req: IncomingMessage): Promise<string> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RangeError(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('client left before its body arrived'));
    });
  });
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
