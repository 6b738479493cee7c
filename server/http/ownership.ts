/**
 * Who may change a search, without accounts: whoever holds its owner capability, an unguessable
 * token only its creator was given. The share link (`/s/<id>`) is read-only.
 *
 *   POST /api/searches ──▶ id ──▶ capability = HMAC(secret, id) ──▶ 201 {id, url, cancelToken}
 *                                                                 + cookie on /s/<id> and /api/searches/<id>
 *   POST /api/searches/<id>/cancel + (X-Cancel-Token | cookie) ──▶ HMAC matches? ──▶ 202 : 403
 *
 * The capability is derived, not stored: HMAC-SHA256 of the search id under the instance's secret
 * (`OWNER_SECRET`, else one made at start and, in a cluster, shared through Redis). Nothing is
 * written per search, a node that never saw the search checks it the same way, and ids listed in
 * the history give nobody the power to cancel. A restart with a new secret voids old tokens,
 * which only matters for searches still running, and those a restart interrupts anyway.
 *
 * The browser that created the search keeps the capability in a cookie (`HttpOnly`,
 * `SameSite=Lax`) scoped to the search's own paths: the result page, to know it may offer
 * "Cancel", and the search's API routes, to send it. Other searches' requests never carry it,
 * so a browser's cookies do not grow with its history beyond a day (`Max-Age`).
 *
 * Example: a REST client POSTs a search and gets `cancelToken: "q3…"`; a colleague who opens the
 * share link sees the search but no Cancel button, and a POST to cancel from their machine answers
 * 403 "only the client that started this search may cancel it". The REST client cancels with
 * header `X-Cancel-Token: q3…` → 202.
 *
 * One exception keeps API clients of the fixed interface working in a team's instance
 * (`OWNERSHIP=address`, the default): a request that carries no capability at all is accepted
 * from the client address that created the search, while the search runs on this process. Public
 * instances (`OWNERSHIP=token`, the default with `HISTORY_SCOPE=owner`) accept the capability alone.
 *
 * Invariants:
 * - A capability MUST be checked in constant time, and a wrong one MUST be refused even when the
 *   address matches (a wrong token is an attack, not a missing one).
 * - The capability MUST NOT appear in the share link, the history, the events or the logs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../errors';

/** Cookie that carries a search's capability, scoped to that search's paths. */
export const OWNER_COOKIE = 'sitescan_owner';
/** Header an API client sends the capability in. */
export const CANCEL_TOKEN_HEADER = 'x-cancel-token';
/** How long the browser keeps a search's capability: longer than any search runs. */
export const OWNER_COOKIE_MAX_AGE_S = 24 * 60 * 60;
/** Shortest `OWNER_SECRET` accepted. */
export const MIN_SECRET_LENGTH = 32;

/** Capabilities of searches under one secret. */
export class SearchCapabilities {
  private readonly secret: Buffer;

  /** `secret`: at least {@link MIN_SECRET_LENGTH} characters; default a random one for this process. */
  constructor(secret: string = randomBytes(32).toString('base64url')) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`Expected an owner secret of at least ${MIN_SECRET_LENGTH} characters, got ${secret.length}`);
    }
    this.secret = Buffer.from(secret);
  }

  /** The capability of a search: 43 URL-safe characters. */
  tokenFor(searchId: string): string {
    return createHmac('sha256', this.secret).update(`search-owner:${searchId}`).digest('base64url');
  }

  /** Whether `token` is the capability of the search, in constant time. */
  verify(searchId: string, token: string): boolean {
    const expected = Buffer.from(this.tokenFor(searchId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** What a request presents to change a search. */
export interface ChangeRequest {
  /** The capability it sent (header or cookie), if any. */
  readonly token?: string;
  /** The client address it came from. */
  readonly client: string;
}

/** What is known of the search's owner. */
export interface SearchOwnership {
  readonly capabilities: SearchCapabilities;
  /** The client address that created the search, while it runs on this process. */
  readonly creator?: string;
  /** Whether a request without any capability may be matched by its address. */
  readonly addressFallback: boolean;
}

/** Throws `ForbiddenError` unless the request may change the search. */
export function authorizeChange(searchId: string, request: ChangeRequest, ownership: SearchOwnership): void {
  const { token, client } = request;
  if (token !== undefined) {
    if (ownership.capabilities.verify(searchId, token)) return;
    throw new ForbiddenError('the cancel token does not belong to this search', 'not_owner');
  }
  if (ownership.addressFallback && ownership.creator !== undefined && ownership.creator === client) return;
  throw new ForbiddenError(
    'only the client that started this search may change it: send its cancelToken in the X-Cancel-Token header (a browser sends it by itself)',
    'not_owner',
  );
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The capability a request carries: the header first, else the cookie. */
export function tokenOf(headers: Headers): string | undefined {
  const header = headers.get(CANCEL_TOKEN_HEADER)?.trim();
  if (header) return header;
  return cookieValue(headers.get('cookie'), OWNER_COOKIE) || undefined;
}

/**
 * The Set-Cookie values that give a browser a search's capability: one for the result page, one
 * for the search's API routes. `secure` when the request came over HTTPS.
 */
export function ownerCookies(searchId: string, token: string, secure: boolean): string[] {
  const attributes = `HttpOnly; SameSite=Lax; Max-Age=${OWNER_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
  return [`/s/${searchId}`, `/api/searches/${searchId}`].map((path) => `${OWNER_COOKIE}=${token}; Path=${path}; ${attributes}`);
}
