/**
 * One HTTP request to a site, with the rules every connector shares (the declarative
 * `HttpConnector` and the place-API adapters alike):
 *
 *   request ──► fetch (AbortSignal: caller's ∪ timeout) ──► redirect? ─ same origin ─► again (≤ 3)
 *                                                              └─ other host ─► UnrecoverableSiteError
 *           ──► status ─ 429 / 503+Retry-After ─► SiteRateLimitedError (wait from the headers)
 *                       ─ 5xx ─────────────────► SiteUnavailableError
 *                       ─ other non-2xx ───────► UnrecoverableSiteError
 *                       ─ 2xx ─► body, read up to the size cap ─► text
 *
 * Invariants: a site's host comes from its definition only, so a redirect MUST NOT take the
 * request elsewhere; at most {@link MAX_RESPONSE_BYTES} of a body is ever downloaded; every
 * failure leaves as one of the named site errors, except the caller's own abort, which leaves
 * with the caller's reason.
 */
import {
  SiteRateLimitedError,
  SiteTimeoutError,
  SiteUnavailableError,
  UnrecoverableSiteError,
} from '../errors';

/** Largest answer read from a site; the rest is never downloaded. 2 MiB. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** Same-host redirects followed before giving up. */
const MAX_REDIRECTS = 3;
/** `RateLimit-Reset`-style values above this are epoch seconds, not a delay (≈ 2001-09-09). */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

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
}

/** A 2xx answer: its final URL (after same-host redirects) and its body as text. */
export interface SiteResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
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
export function retryAfterFromHeaders(headers: Headers, now = Date.now()): number | undefined {
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

/** Reads at most `limit` bytes of a body; a larger body is cut off (and its stream cancelled). */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - size;
    chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
    size += Math.min(value.byteLength, room);
    if (size >= limit) {
      await reader.cancel('response larger than the cap');
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const isSiteError = (error: unknown) =>
  error instanceof UnrecoverableSiteError ||
  error instanceof SiteRateLimitedError ||
  error instanceof SiteUnavailableError ||
  error instanceof SiteTimeoutError;

/**
 * Sends one request to site `siteId` and returns its 2xx answer as text; every other outcome
 * is a named site error (see the module comment).
 */
export async function fetchFromSite(
  siteId: string,
  request: SiteRequest,
  { signal, timeoutMs, maxBytes = MAX_RESPONSE_BYTES }: SiteFetchOptions,
): Promise<SiteResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  let url = request.url;
  const origin = url.origin;
  try {
    let response: Response;
    for (let redirects = 0; ; redirects++) {
      response = await fetch(url, {
        method: request.method ?? 'GET',
        signal: combined,
        redirect: 'manual',
        headers: request.headers,
        body: request.body,
      });
      if (response.status < 300 || response.status >= 400) break;
      const location = response.headers.get('location');
      await response.body?.cancel();
      const next = location ? new URL(location, url) : undefined;
      // A redirect to another host would let a site choose whom sitescan contacts.
      if (!next || next.origin !== origin || redirects >= MAX_REDIRECTS) {
        throw new UnrecoverableSiteError(siteId, `redirect to ${next?.origin ?? 'nowhere'} refused`);
      }
      url = next;
    }
    if (response.status === 429 || (response.status === 503 && response.headers.has('retry-after'))) {
      await response.body?.cancel();
      throw new SiteRateLimitedError(siteId, response.status, retryAfterFromHeaders(response.headers));
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new SiteUnavailableError(siteId, `answered ${response.status}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UnrecoverableSiteError(siteId, `answered ${response.status}`);
    }
    const text = await readCapped(response, maxBytes);
    return { url, status: response.status, headers: response.headers, text };
  } catch (error) {
    if (timeout.aborted && !signal.aborted) throw new SiteTimeoutError(siteId, timeoutMs);
    if (signal.aborted) throw signal.reason ?? error;
    if (isSiteError(error)) throw error;
    throw new SiteUnavailableError(siteId, error instanceof Error ? error.message : String(error));
  }
}
