/**
 * Whose history is whose, without accounts: each browser gets a random history key in a cookie
 * the first time it starts a search, and every search it starts is recorded under a digest of that
 * key. With `HISTORY_SCOPE=owner` (an instance open to the public) the history, the home page's
 * recent list and `GET /api/searches` show a client only the searches recorded under its key;
 * with `HISTORY_SCOPE=all` (the default, a team's instance) everyone sees every search.
 *
 *   POST /api/searches (cookie sitescan_key? else a new key, Set-Cookie) ──► search started
 *                                                   └──► store: owner = SHA-256(key) of the search
 *   GET /api/searches, /history, / (cookie sitescan_key) ──► HISTORY_SCOPE=owner: listSearches({owner})
 *
 * Example: Ana starts two searches from her browser; Bo, from his, starts one. On a public
 * instance Ana's history lists her two, Bo's his one, and a client with no key lists none. Bo can
 * still open Ana's share link (`/s/<id>`): a share link is read-only and never needed the key.
 * A REST client keeps the cookie like a browser does (`curl -c jar -b jar`).
 *
 * Invariants:
 * - The key MUST come from the cookie only (never a URL), be 256 random bits, and be kept
 *   `HttpOnly; SameSite=Lax`, so pages and other sites cannot read or send it.
 * - The store MUST hold only a digest of the key: a copy of the store lists nobody's history.
 * - A malformed cookie is ignored (a new key replaces it), never an error.
 * - The key is not the owner capability of `ownership.ts`: holding it lists searches, it never
 *   cancels one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cookieValue } from './ownership';

/** Cookie that carries a browser's history key, on every path. */
export const HISTORY_KEY_COOKIE = 'sitescan_key';
/** How long a browser keeps its key: 400 days, the most browsers allow. */
export const HISTORY_KEY_MAX_AGE_S = 400 * 24 * 60 * 60;

const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new history key: 256 random bits, 43 URL-safe characters. */
export function newHistoryKey(): string {
  return randomBytes(32).toString('base64url');
}

/** The history key a request's Cookie header carries, if it is well formed. */
export function historyKeyOf(cookieHeader: string | null | undefined): string | undefined {
  const key = cookieValue(cookieHeader, HISTORY_KEY_COOKIE);
  return key !== undefined && KEY_SHAPE.test(key) ? key : undefined;
}

/** What the store records for a key: its SHA-256, base64url. */
export function ownerOfKey(key: string): string {
  return createHash('sha256').update(`sitescan-history:${key}`).digest('base64url');
}

/** The Set-Cookie value that gives a browser its key. `secure` when the request came over HTTPS. */
export function historyKeyCookie(key: string, secure: boolean): string {
  return `${HISTORY_KEY_COOKIE}=${key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${HISTORY_KEY_MAX_AGE_S}${secure ? '; Secure' : ''}`;
}

/**
 * The key of a request that starts searches: its own, or a new one with the cookie to set.
 */
export function historyKeyFor(headers: Headers, secure: boolean): { readonly key: string; readonly setCookie?: string } {
  const key = historyKeyOf(headers.get('cookie'));
  if (key !== undefined) return { key };
  const fresh = newHistoryKey();
  return { key: fresh, setCookie: historyKeyCookie(fresh, secure) };
}
