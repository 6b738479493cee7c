/**
 * Websites in one comparable form: the registrable domain (`https://www.joes.com/menu` →
 * `joes.com`), the "relaxed" comparison listing vendors describe.
 *
 * Written by hand rather than with the Public Suffix List: the full list is a large, fast-moving
 * dependency, and for comparing two URLs of one business the common second-level suffixes
 * below are enough. An unknown one (`example.gov.xx`) yields `gov.xx` on both sides, which still
 * compares a business with itself correctly.
 */

/** Second-level public suffixes under which a registrable domain has three labels (`joes.co.uk`). */
const SECOND_LEVEL_SUFFIXES: ReadonlySet<string> = new Set([
  'co.uk', 'org.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'ac.uk', 'gov.uk', 'net.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au',
  'co.nz', 'org.nz', 'net.nz',
  'co.jp', 'or.jp', 'ne.jp',
  'co.za', 'org.za',
  'co.in', 'net.in', 'org.in',
  'com.br', 'com.mx', 'com.ar', 'com.cn', 'com.hk', 'com.sg', 'com.tr', 'com.tw',
  'co.kr', 'co.il', 'co.th', 'co.id',
]);

/**
 * Hosts where each business gets its own subdomain (the PSL's "private" section): two
 * businesses on `wixsite.com` are not the same site, so one more label is kept.
 */
const SHARED_HOSTS: ReadonlySet<string> = new Set([
  'wixsite.com', 'business.site', 'square.site', 'squarespace.com', 'weebly.com', 'wordpress.com',
  'blogspot.com', 'godaddysites.com', 'myshopify.com', 'github.io', 'netlify.app', 'vercel.app',
  'herokuapp.com', 'carrd.co', 'webflow.io',
]);

/**
 * Sites where a business's "website" is a page under one shared domain; there the first path
 * segment names the business (`facebook.com/joespizza`), so it is kept instead of ignored.
 */
const PROFILE_HOSTS: ReadonlySet<string> = new Set([
  'facebook.com', 'instagram.com', 'linkedin.com', 'twitter.com', 'x.com', 'yelp.com',
  'tiktok.com', 'linktr.ee',
]);

/**
 * The registrable domain of a website, lower-case, without scheme, `www.`, port or path —
 * `undefined` when the text is not a host name at all (`n/a`, an e-mail address).
 */
export function normalizeWebsite(text: string): string | undefined {
  const trimmed = text.trim().toLowerCase();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//.test(trimmed);
  // A bare `joe@joes.com` is an e-mail address, not a site; `http://user@host` still is one.
  if (!trimmed || (trimmed.includes('@') && !hasScheme)) return undefined;
  let url: URL;
  try {
    // Listings and users write bare hosts (`joes.com/menu`); URL needs a scheme to parse them.
    url = new URL(hasScheme ? trimmed : `http://${trimmed}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/\.$/, '');
  // A single label (`n/a` parses as host `n`) is no public site; an IP address has no
  // registrable part to cut down to, so it is compared whole.
  if (/^\d+(\.\d+){3}$/.test(host) || host.startsWith('[')) return host;
  if (!host.includes('.')) return undefined;
  const labels = host.split('.').filter(Boolean);
  const lastTwo = labels.slice(-2).join('.');
  const keep = SECOND_LEVEL_SUFFIXES.has(lastTwo) || SHARED_HOSTS.has(lastTwo) ? 3 : 2;
  const domain = labels.slice(-keep).join('.');
  if (PROFILE_HOSTS.has(domain)) {
    const page = url.pathname.split('/').find(Boolean);
    return page ? `${domain}/${page}` : domain;
  }
  return domain;
}
