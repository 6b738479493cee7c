/**
 * A connector asks one site for one business and returns what the site lists. It knows HTTP and
 * the site's format; it knows nothing of queues, limits or retries (the pipeline owns those) but
 * classifies every failure into a named error the pipeline can act on.
 */
import type { BusinessQuery, Listing } from '../../lib/types';
import {
  SiteRateLimitedError,
  SiteTimeoutError,
  SiteUnavailableError,
  UnrecoverableSiteError,
} from '../errors';
import { extractHtml, extractJson } from './extract';
import { URL_PLACEHOLDERS, type DeclarativeSiteDefinition, type SiteDefinition } from './site-definition';

/** Largest answer read from a site; the rest is never downloaded. 2 MiB. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** Same-host redirects followed before giving up. */
const MAX_REDIRECTS = 3;

/** What one request to a site produced. */
export interface SiteAnswer {
  readonly listings: readonly Listing[];
}

/** Options of one attempt. */
export interface SearchAttemptOptions {
  readonly signal: AbortSignal;
  /** Time allowed for this attempt; the pipeline shortens it to what is left before the deadline. */
  readonly timeoutMs: number;
}

/** Searches one site. */
export interface SiteConnector {
  readonly definition: SiteDefinition;
  /** Why this site cannot be searched (`not configured`), or undefined when it can. */
  readonly unavailableReason?: string;
  /** One attempt: throws `SiteTimeoutError` after `timeoutMs`; `signal` aborts it (cancel, deadline). */
  search(query: BusinessQuery, options: SearchAttemptOptions): Promise<SiteAnswer>;
}

/** The search URL for a query: placeholders filled with URL-encoded query fields. */
export function buildSearchUrl(template: string, query: BusinessQuery): URL {
  const filled = template.replaceAll(/\{(\w+)\}/g, (_, field: string) => {
    if (!(URL_PLACEHOLDERS as readonly string[]).includes(field)) return '';
    return encodeURIComponent(query[field as keyof BusinessQuery] ?? '');
  });
  return new URL(filled);
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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

function absoluteListingUrl(listing: Listing, base: URL): Listing {
  if (!listing.url) return listing;
  try {
    const url = new URL(listing.url, base);
    // Only web links are kept: a site must not smuggle javascript: or data: into the page.
    return url.protocol === 'http:' || url.protocol === 'https:' ? { ...listing, url: url.href } : { ...listing, url: undefined };
  } catch {
    return { ...listing, url: undefined };
  }
}

/** Connector for declarative `html` and `json` site definitions. */
export class HttpConnector implements SiteConnector {
  constructor(readonly definition: DeclarativeSiteDefinition) {}

  async search(query: BusinessQuery, { signal, timeoutMs }: SearchAttemptOptions): Promise<SiteAnswer> {
    const { id } = this.definition;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    let url = buildSearchUrl(this.definition.search.url, query);
    const origin = url.origin;
    try {
      let response: Response;
      for (let redirects = 0; ; redirects++) {
        response = await fetch(url, {
          signal: combined,
          redirect: 'manual',
          headers: {
            accept: this.definition.kind === 'json' ? 'application/json' : 'text/html',
            'user-agent': 'sitescan/0.1 (listing scan)',
          },
        });
        if (response.status < 300 || response.status >= 400) break;
        const location = response.headers.get('location');
        await response.body?.cancel();
        const next = location ? new URL(location, url) : undefined;
        // A redirect to another host would let a site choose whom sitescan contacts.
        if (!next || next.origin !== origin || redirects >= MAX_REDIRECTS) {
          throw new UnrecoverableSiteError(id, `redirect to ${next?.origin ?? 'nowhere'} refused`);
        }
        url = next;
      }
      if (response.status === 429 || (response.status === 503 && response.headers.has('retry-after'))) {
        await response.body?.cancel();
        throw new SiteRateLimitedError(id, response.status, parseRetryAfter(response.headers.get('retry-after')));
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        throw new SiteUnavailableError(id, `answered ${response.status}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new UnrecoverableSiteError(id, `answered ${response.status}`);
      }
      const text = await readCapped(response, MAX_RESPONSE_BYTES);
      return { listings: this.parse(text).map((listing) => absoluteListingUrl(listing, url)) };
    } catch (error) {
      if (timeout.aborted && !signal.aborted) throw new SiteTimeoutError(id, timeoutMs);
      if (signal.aborted) throw signal.reason ?? error;
      if (
        error instanceof UnrecoverableSiteError ||
        error instanceof SiteRateLimitedError ||
        error instanceof SiteUnavailableError
      ) {
        throw error;
      }
      throw new SiteUnavailableError(id, error instanceof Error ? error.message : String(error));
    }
  }

  private parse(text: string) {
    const definition = this.definition;
    if (definition.kind === 'html') return extractHtml(text, definition.extract);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Usually a truncated answer, which a retry can fix.
      throw new SiteUnavailableError(definition.id, 'answer is not valid JSON');
    }
    return extractJson(body, definition.extract);
  }
}
