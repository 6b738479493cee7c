/**
 * One HTTP request to a site, with the rules every connector shares (the declarative
 * `HttpConnector` and the place-API adapters alike):
 *
 *   request ──► undici request (abort: caller's signal or the attempt's timer) ──► redirect?
 *                  ─ same origin ─► again (≤ 3)   ─ other host ─► UnrecoverableSiteError
 *           ──► status ─ 429 / 503+Retry-After ─► SiteRateLimitedError (wait from the headers)
 *                       ─ 5xx ─────────────────► TransientSiteError
 *                       ─ other non-2xx ───────► UnrecoverableSiteError
 *                       ─ 2xx ─► body, read up to the size cap ─► text
 *
 * Why undici's `request` and not `fetch`: the pipeline makes ~50 requests per search, and
 * `fetch` (WHATWG streams, `Headers`, `AbortSignal.any`/`timeout` per call) cost 245 µs of CPU
 * per request against 88 µs here, the local test server's share included (side by side, rounds
 * of 1,000 concurrent requests, this machine); at 100 concurrent searches that CPU was the time
 * their sites waited to be asked.
 *
 * Invariants: a site's host comes from its definition only, so a redirect MUST NOT take the
 * request elsewhere; at most {@link MAX_RESPONSE_BYTES} of a body is ever downloaded; every
 * failure leaves as one of the named site errors, except the caller's own abort, which leaves
 * with the caller's reason.
 */
import diagnostics from 'node:diagnostics_channel';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import {
  SiteRateLimitedError,
  SiteTimeoutError,
  TransientSiteError,
  UnrecoverableSiteError,
} from '../errors';

/** Largest answer read from a site; the rest is never downloaded. 2 MiB. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** Same-host redirects followed before giving up. */
const MAX_REDIRECTS = 3;
/** `RateLimit-Reset`-style values above this are epoch seconds, not a delay (≈ 2001-09-09). */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

/**
 * Connections to sites, kept alive between requests (a site is asked again and again). Its own
 * agent, so nothing else in the process (the Elasticsearch client, `fetch`) shares or reconfigures it.
 */
const sites = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });

/** What to send. `url` fixes the origin that redirects must keep. */
export interface SiteRequest {
  readonly url: URL;
  /** Default `GET`. */
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Options of {@link fetchFromSite}. */
export interface SiteFetchOptions {
  /** Aborts the request (cancel, deadline); its reason is rethrown as is. */
  readonly signal: AbortSignal;
  /** Time allowed for the whole exchange, body included, in ms. */
  readonly timeoutMs: number;
  /** Body size cap. Default {@link MAX_RESPONSE_BYTES}. */
  readonly maxBytes?: number;
  /**
   * Called the moment the request's headers are written to its connection — when it leaves,
   * which is what a site's rate limit counts (the send window spaces requests by it). Once per
   * request, redirects included.
   */
  readonly onSent?: () => void;
}

/** Reads response headers by name (case-insensitive), as `Headers` does. */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** What a site said of its rate window on an answer (IETF `RateLimit-*` fields, Yelp's quota). */
export interface RateWindow {
  /** Requests left before the window (or quota) is spent. */
  readonly remaining: number;
  /** When it frees a request, in ms from the answer, when the site says. */
  readonly resetMs?: number;
}

/** A 2xx answer: its final URL (after same-host redirects) and its body as text. */
export interface SiteResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: HeaderLookup;
  readonly text: string;
  /** The site's own account of its limit, when it gives one. */
  readonly window?: RateWindow;
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long a site that pushed back asked us to wait, in ms, from the first header that says:
 * `Retry-After` (RFC 9110), `RateLimit-Reset` (IETF draft: seconds; epoch seconds accepted
 * too), `X-RateLimit-Reset` / `X-Rate-Limit-Reset` (Mapbox and others: epoch seconds), and
 * Yelp's `RateLimit-ResetTime` (an ISO 8601 time).
 */
export function retryAfterFromHeaders(headers: HeaderLookup, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  for (const name of ['ratelimit-reset', 'x-ratelimit-reset', 'x-rate-limit-reset']) {
    const value = Number(headers.get(name) ?? Number.NaN);
    if (!Number.isFinite(value) || value < 0) continue;
    return value >= EPOCH_SECONDS_FLOOR ? Math.max(0, Math.round(value * 1000 - now)) : Math.round(value * 1000);
  }
  const resetTime = Date.parse(headers.get('ratelimit-resettime') ?? '');
  return Number.isNaN(resetTime) ? undefined : Math.max(0, resetTime - now);
}

/**
 * Who to tell when the request being dispatched leaves. undici dispatches synchronously inside
 * `request()`, creating its request object there (channel `undici:request:create`), so the
 * callback of the call in progress is the one to attach; `undici:client:sendHeaders` later names
 * the same object. This replaced an AsyncLocalStorage, whose promise hooks cost the process
 * 25–30 µs of main-thread time per site job (1,000-job rounds of the pipeline's overhead run).
 */
let dispatching: (() => void) | undefined;
const sentCallbacks = new WeakMap<object, () => void>();
diagnostics.subscribe('undici:request:create', (message) => {
  const request = (message as { request?: object }).request;
  if (dispatching && request) sentCallbacks.set(request, dispatching);
});
diagnostics.subscribe('undici:client:sendHeaders', (message) => {
  const request = (message as { request?: object }).request;
  if (request) sentCallbacks.get(request)?.();
});

/**
 * The rate window a site reports on an answer: `RateLimit-Remaining` (or `X-RateLimit-Remaining`)
 * with the reset from the same headers {@link retryAfterFromHeaders} reads. Undefined when the
 * site says nothing (or nonsense).
 */
export function rateWindowFromHeaders(headers: HeaderLookup, now = Date.now()): RateWindow | undefined {
  const remaining = Number(headers.get('ratelimit-remaining') ?? headers.get('x-ratelimit-remaining') ?? Number.NaN);
  if (!Number.isInteger(remaining) || remaining < 0) return undefined;
  const resetMs = retryAfterFromHeaders(headers, now);
  return resetMs === undefined ? { remaining } : { remaining, resetMs };
}

/** undici's header record (lower-case names) behind the `Headers`-like lookup. */
function headerLookup(raw: Readonly<Record<string, string | string[] | undefined>>): HeaderLookup {
  return {
    get(name) {
      const value = raw[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * The body as a stream of its bytes. sitescan asks for `identity`; a site that compresses
 * anyway is decoded here rather than read as garbage.
 */
function decoded(body: Readable, encoding: string | null): Readable {
  let decoder: Transform;
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      decoder = createGunzip();
      break;
    case 'deflate':
      decoder = createInflate();
      break;
    case 'br':
      decoder = createBrotliDecompress();
      break;
    default:
      throw new Error(`content-encoding ${encoding} is not supported`);
  }
  // pipeline(), not pipe(): a body that fails (a reset, the timeout) fails the decoder too, so the
  // reader sees the error instead of waiting for bytes that never come. The reader reports it.
  return pipeline(body, decoder, () => undefined);
}

/** Reads at most `limit` bytes of a body; a larger body is cut off (and its stream destroyed). */
async function readCapped(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size;
    chunks.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.byteLength, room);
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}

const isSiteError = (error: unknown) =>
  error instanceof UnrecoverableSiteError ||
  error instanceof SiteRateLimitedError ||
  error instanceof TransientSiteError ||
  error instanceof SiteTimeoutError;

/** Marks an abort by the attempt's own timer, as opposed to the caller's signal. */
class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
}

/**
 * Sends one request to site `siteId` and returns its 2xx answer as text; every other outcome
 * is a named site error (see the module comment).
 */
export async function fetchFromSite(
  siteId: string,
  request: SiteRequest,
  { signal, timeoutMs, maxBytes = MAX_RESPONSE_BYTES, onSent }: SiteFetchOptions,
): Promise<SiteResponse> {
  if (signal.aborted) throw signal.reason;
  // One controller and one timer per attempt: cheaper than AbortSignal.timeout + AbortSignal.any.
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(new AttemptTimeoutError()), timeoutMs);
  const onAbort = () => attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let url = request.url;
  const origin = url.origin;
  try {
    for (let redirects = 0; ; redirects++) {
      let pending;
      dispatching = onSent;
      try {
        pending = undiciRequest(url, {
          method: request.method ?? 'GET',
          headers: { 'accept-encoding': 'identity', ...request.headers },
          body: request.body,
          signal: attempt.signal,
          dispatcher: sites,
        });
      } finally {
        dispatching = undefined;
      }
      const response = await pending;
      const headers = headerLookup(response.headers);
      const status = response.statusCode;
      if (status >= 300 && status < 400) {
        await response.body.dump();
        const location = headers.get('location');
        const next = location ? new URL(location, url) : undefined;
        // A redirect to another host would let a site choose whom sitescan contacts.
        if (!next || next.origin !== origin || redirects >= MAX_REDIRECTS) {
          throw new UnrecoverableSiteError(siteId, `redirect to ${next?.origin ?? 'nowhere'} refused`);
        }
        url = next;
        continue;
      }
      if (status === 429 || (status === 503 && headers.get('retry-after') !== null)) {
        await response.body.dump();
        throw new SiteRateLimitedError(siteId, status, retryAfterFromHeaders(headers));
      }
      if (status >= 500) {
        await response.body.dump();
        throw new TransientSiteError(siteId, `answered ${status}`);
      }
      if (status < 200 || status >= 300) {
        await response.body.dump();
        throw new UnrecoverableSiteError(siteId, `answered ${status}`);
      }
      const text = await readCapped(decoded(response.body, headers.get('content-encoding')), maxBytes);
      const window = rateWindowFromHeaders(headers);
      return window ? { url, status, headers, text, window } : { url, status, headers, text };
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason ?? error;
    if (attempt.signal.aborted && attempt.signal.reason instanceof AttemptTimeoutError) throw new SiteTimeoutError(siteId, timeoutMs);
    if (isSiteError(error)) throw error;
    throw new TransientSiteError(siteId, error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
