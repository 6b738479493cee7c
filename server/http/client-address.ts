/**
 * Which client a request is from, for per-client limits and ownership: the TCP peer, unless the
 * peer is a proxy named in TRUST_PROXY; then the address that proxy says it forwarded for, hop
 * by hop from the right of `X-Forwarded-For`, as long as each hop is trusted.
 *
 *   client 203.0.113.7 ─▶ LB 10.0.0.2 ─▶ nginx 10.0.0.3 ─▶ sitescan
 *   X-Forwarded-For: "203.0.113.7, 10.0.0.2"   peer 10.0.0.3
 *   TRUST_PROXY=10.0.0.2,10.0.0.3 → 10.0.0.3 trusted, take 10.0.0.2; trusted, take 203.0.113.7: the client
 *
 * Example of a forgery: a direct client 198.51.100.4 sends `X-Forwarded-For: 1.2.3.4`. Its peer
 * address is not a trusted proxy, so the header is ignored and the client is 198.51.100.4 —
 * a forged header counts for nothing, and without TRUST_PROXY (the default) no header ever does.
 *
 * Invariants: the result MUST be the peer address when the peer is not trusted; a hop is only
 * taken from a trusted hop's header; IPv4-mapped IPv6 (`::ffff:10.0.0.3`) is the IPv4 address.
 */
import { isIP } from 'node:net';

/** `::ffff:10.0.0.3` → `10.0.0.3`; other addresses unchanged (lower-cased). */
export function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

/**
 * Parses TRUST_PROXY: comma-separated IP addresses of proxies in front of sitescan. Throws a
 * `TypeError` naming the entry that is not an IP address.
 */
export function parseTrustedProxies(value: string | undefined): ReadonlySet<string> {
  const trusted = new Set<string>();
  for (const entry of (value ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    if (isIP(entry) === 0) throw new TypeError(`TRUST_PROXY must be IP addresses separated by commas, got ${JSON.stringify(entry)}`);
    trusted.add(normalizeAddress(entry));
  }
  return trusted;
}

/** The client of a request from its peer address and its `X-Forwarded-For` header(s). */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: ReadonlySet<string>): string {
  let client = normalizeAddress(peer ?? 'unknown');
  if (trusted.size === 0 || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  while (trusted.has(client) && hops.length > 0) {
    const next = hops.pop()!;
    if (isIP(normalizeAddress(next)) === 0) break;
    client = normalizeAddress(next);
  }
  return client;
}
