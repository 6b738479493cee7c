/**
 * An instance behind one shared token (ACCESS_TOKEN), for deployments open to the internet: pages,
 * API and sockets answer only to those who have it; `/api/health` stays open for load balancers.
 *
 *   GET /?access_token=T  ── T right ──▶ 303 to / without it, + cookie sitescan_access=T (HttpOnly)
 *   any request with cookie sitescan_access=T, or Authorization: Bearer T ──▶ passed on
 *   anything else ──▶ 401 (JSON for the API and programs, a short page for a browser)
 *   GET|HEAD /api/health ──▶ always passed on
 *
 * Example: an agency runs sitescan on a public host with ACCESS_TOKEN set and sends its staff the
 * link `https://scan.example/?access_token=…` once; their browsers keep the cookie for 30 days.
 * A script calls the API with `Authorization: Bearer …`. A stranger gets 401 on every page, API
 * route and socket, history included.
 *
 * Invariants: tokens MUST be compared in constant time (both hashed to one length first); a wrong
 * token in the link MUST NOT set the cookie; without ACCESS_TOKEN every request passes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { cookieValue } from './ownership';

/** Cookie that keeps the access token in a browser. */
export const ACCESS_COOKIE = 'sitescan_access';
/** Query parameter of the link that lets a browser in. */
export const ACCESS_PARAM = 'access_token';
/** How long a browser keeps the access token. */
export const ACCESS_COOKIE_MAX_AGE_S = 30 * 24 * 60 * 60;
/** What an ACCESS_TOKEN may be: 16 or more URL- and cookie-safe characters. */
export const ACCESS_TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,}$/;

/** What to do with a request. */
export type AccessDecision =
  | { readonly kind: 'pass' }
  /** The link with the right token: set the cookie and go to `location` (the same URL without it). */
  | { readonly kind: 'enter'; readonly location: string; readonly cookie: string }
  /** No right token: 401, as a page (`page`) or as JSON. */
  | { readonly kind: 'refuse'; readonly page: boolean };

/** What of a request the decision reads. */
export interface AccessRequest {
  readonly method?: string;
  /** Path and query, as `IncomingMessage.url`. */
  readonly url?: string;
  readonly cookie?: string;
  readonly authorization?: string;
  /** The `Accept` header: a browser asking for a page gets one. */
  readonly accept?: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `given` is `expected`, in constant time. */
function same(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && given !== '' && timingSafeEqual(digest(given), expected);
}

/** Decides requests against one access token; `token` undefined lets everything pass. */
export function accessGate(token: string | undefined, secure = false): (request: AccessRequest) => AccessDecision {
  if (token === undefined) return () => ({ kind: 'pass' });
  const expected = digest(token);
  return (request) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://sitescan.invalid');
    if ((method === 'GET' || method === 'HEAD') && url.pathname === '/api/health') return { kind: 'pass' };
    const bearer = /^Bearer\s+(.+)$/i.exec(request.authorization ?? '')?.[1]?.trim();
    if (same(bearer, expected) || same(cookieValue(request.cookie, ACCESS_COOKIE), expected)) return { kind: 'pass' };
    const fromLink = url.searchParams.get(ACCESS_PARAM) ?? undefined;
    if (method === 'GET' && same(fromLink, expected)) {
      url.searchParams.delete(ACCESS_PARAM);
      const cookie = `${ACCESS_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ACCESS_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
      return { kind: 'enter', location: `${url.pathname}${url.search}`, cookie };
    }
    const page = method === 'GET' && !url.pathname.startsWith('/api/') && /\btext\/html\b/.test(request.accept ?? '');
    return { kind: 'refuse', page };
  };
}

/** Whether a socket handshake carries the access token (the cookie, or `Authorization: Bearer`). */
export function socketHasAccess(token: string | undefined, headers: { readonly cookie?: string; readonly authorization?: string }): boolean {
  if (token === undefined) return true;
  const expected = digest(token);
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  return same(bearer, expected) || same(cookieValue(headers.cookie, ACCESS_COOKIE), expected);
}
