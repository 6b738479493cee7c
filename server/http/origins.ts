/**
 * Whether a browser's `Origin` is this instance's own (or one configured in ALLOWED_ORIGINS): the
 * one rule behind the cross-site check of requests (`cross-site.ts`) and of Socket.IO handshakes
 * (`socket-guard.ts`).
 *
 *   Origin https://scan.example.com, Host scan.example.com      → own (the scheme is left out:
 *                                                                 a proxy ending TLS forwards http)
 *   Origin http://evil.example,      Host scan.example.com      → not allowed
 *   Origin null / file://… / https://a.example/path             → not an origin: not allowed
 */

/** Whether `origin` (an `Origin` header) is the host's own or listed in `allowed`. */
export function originAllowed(origin: string, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const parsed = originOf(origin);
  if (parsed === undefined) return false;
  if (allowed.has(parsed)) return true;
  return host !== undefined && new URL(parsed).host === host.toLowerCase();
}

/**
 * `value` as `URL.origin` writes it, when it is an http(s) origin and nothing more (no path,
 * query, fragment or credentials); undefined otherwise (`null`, `file://…`, a full URL).
 */
export function originOf(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL at all: the caller refuses it, and says so.
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  return url.origin;
}
