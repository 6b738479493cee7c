/**
 * Cross-site request forgery: a page on another site must not be able to make a visitor's browser
 * start or cancel searches here. Every state-changing request (any method but GET, HEAD, OPTIONS)
 * is refused when the browser says it comes from elsewhere.
 *
 *   POST /api/searches/<id>/cancel   Sec-Fetch-Site: cross-site ─────────────▶ 403 cross_site
 *                                    Origin: http://evil.example (Host: us) ──▶ 403 cross_site
 *                                    Origin: http://us, or no Origin at all ──▶ passed on
 *
 * Browsers send `Origin` on every cross-origin POST, and `Sec-Fetch-Site` on every request
 * (Chromium, Firefox, Safari since 2023); a request with neither comes from a program, not from a
 * page a user visits, and cannot carry the user's cookies against their will. The JSON-only
 * bodies of the routes are the second wall: a plain HTML form cannot send `application/json`.
 *
 * Example: evil.example serves `<form method=post action="https://sitescan.example/api/searches/
 * X/cancel">`. The visitor's browser posts it with `Origin: https://evil.example` and
 * `Sec-Fetch-Site: cross-site` → 403, the search runs on.
 *
 * Invariants: a safe method MUST always pass (share links and exports are opened from anywhere);
 * an origin in the allowed list (ALLOWED_ORIGINS) passes like the instance's own (`origins.ts`,
 * the rule Socket.IO handshakes follow too).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError } from '../errors';
import { originAllowed } from './origins';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The refusal of a state-changing request a browser sent from another site, or undefined when the
 * request may go on. `allowedOrigins`: other origins to accept (lower case, no trailing slash).
 */
export function crossSiteRefusal(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  allowedOrigins: ReadonlySet<string> = new Set(),
): ForbiddenError | undefined {
  if (SAFE_METHODS.has((method ?? 'GET').toUpperCase())) return undefined;
  const { origin } = headers;
  const fetchSite = headers['sec-fetch-site']?.toLowerCase();
  const allowed = origin !== undefined && originAllowed(origin, headers.host, allowedOrigins);
  if (origin !== undefined && !allowed) {
    return new ForbiddenError(`cross-site request refused: origin ${JSON.stringify(origin.slice(0, 80))} may not change searches here`, 'cross_site');
  }
  if (!allowed && (fetchSite === 'cross-site' || fetchSite === 'same-site')) {
    return new ForbiddenError(`cross-site request refused (Sec-Fetch-Site: ${fetchSite})`, 'cross_site');
  }
  return undefined;
}
