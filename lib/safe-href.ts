/**
 * Links from untrusted data — what a directory lists — are checked before anything renders or
 * follows them: only absolute http(s) URLs pass, so a `javascript:` or `data:` link from a site
 * never becomes clickable. One check for both sides: the server applies it to links it reads out
 * of site answers, the pages again to every link they render.
 */

/**
 * `url` as a normalised absolute http(s) href, or `undefined` when it is anything else: not a
 * string, empty, not a URL, or of another scheme. A relative `url` resolves against `base` when
 * one is given (a link on a site's page) and is refused without one.
 */
export function safeHref(url: unknown, base?: URL | string): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    // Not a URL at all: for a link, absent is the only safe reading (the page shows it as text).
    return undefined;
  }
}
