/**
 * A connector asks one site for one business and returns what the site lists. It knows HTTP and
 * the site's format; it knows nothing of queues, limits or retries (the pipeline owns those) but
 * classifies every failure into a named error the pipeline can act on.
 */
import type { BusinessQuery, Listing } from '../../lib/types';
import { TransientSiteError } from '../errors';
import { extractHtml, extractJson, webUrl } from './extract';
import { fillPlaceholders, isUrlPlaceholder, type DeclarativeSiteDefinition, type SiteDefinition } from './site-definition';
import { fetchFromSite, type RateWindow } from './site-fetch';

export { MAX_RESPONSE_BYTES, parseRetryAfter } from './site-fetch';

/** What one request to a site produced. */
export interface SiteAnswer {
  readonly listings: readonly Listing[];
  /** What the site said of its rate window on this answer, when it said. */
  readonly window?: RateWindow;
}

/** Options of one attempt. */
export interface SearchAttemptOptions {
  readonly signal: AbortSignal;
  /** Time allowed for this attempt; the pipeline shortens it to what is left before the deadline. */
  readonly timeoutMs: number;
  /** Called when a request of the attempt leaves (see `SiteFetchOptions.onSent`). */
  readonly onSent?: () => void;
}

/** Searches one site. */
export interface SiteConnector {
  readonly definition: SiteDefinition;
  /** Why this site cannot be searched (`not configured`), or undefined when it can. */
  readonly skipReason?: string;
  /** One attempt: throws `SiteTimeoutError` after `timeoutMs`; `signal` aborts it (cancel, deadline). */
  search(query: BusinessQuery, options: SearchAttemptOptions): Promise<SiteAnswer>;
}

/** The search URL for a query: placeholders filled with URL-encoded query fields. */
export function buildSearchUrl(template: string, query: BusinessQuery): URL {
  return new URL(
    fillPlaceholders(template, (field) => (isUrlPlaceholder(field) ? encodeURIComponent(query[field] ?? '') : '')),
  );
}

function absoluteListingUrl(listing: Listing, base: URL): Listing {
  return listing.url ? { ...listing, url: webUrl(listing.url, base) } : listing;
}

/** Connector for declarative `html` and `json` site definitions. */
export class HttpConnector implements SiteConnector {
  constructor(readonly definition: DeclarativeSiteDefinition) {}

  async search(query: BusinessQuery, options: SearchAttemptOptions): Promise<SiteAnswer> {
    const request = {
      url: buildSearchUrl(this.definition.search.url, query),
      headers: {
        accept: this.definition.kind === 'json' ? 'application/json' : 'text/html',
        'user-agent': 'sitescan/0.1 (listing scan)',
      },
    };
    const response = await fetchFromSite(this.definition.id, request, options);
    const listings = this.parse(response.text, response.url).map((listing) => absoluteListingUrl(listing, response.url));
    return response.window ? { listings, window: response.window } : { listings };
  }

  private parse(text: string, pageUrl: URL) {
    const definition = this.definition;
    if (definition.kind === 'html') {
      // HTML parsers accept a cut-off page without a word, so a truncated answer would pass as a
      // page with fewer or mangled listings ("done" with garbage). A page that opens <html> and
      // never closes it was cut off: retry it like invalid JSON.
      if (/<html[\s>]/i.test(text) && !/<\/html\s*>/i.test(text)) {
        throw new TransientSiteError(definition.id, 'page is cut off (no </html>)');
      }
      return extractHtml(text, definition.extract, pageUrl);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Usually a truncated answer, which a retry can fix.
      throw new TransientSiteError(definition.id, 'answer is not valid JSON');
    }
    return extractJson(body, definition.extract);
  }
}
