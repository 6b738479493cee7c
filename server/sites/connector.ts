/**
 * A connector asks one site for one business and returns what the site lists. It knows HTTP and
 * the site's format; it knows nothing of queues, limits or retries (the pipeline owns those) but
 * classifies every failure into a named error the pipeline can act on. An answer becomes
 * listings only once it is recognised (`page-recognition.ts`): a bot wall leaves as
 * `SiteBlockedError` (push-back), a page that is neither results nor "no results" as
 * `PageNotRecognisedError` — never as an empty list, which would read as "not listed".
 */
import type { BusinessQuery, Listing } from '../../lib/types';
import { PageNotRecognisedError, SiteBlockedError } from '../errors';
import { webUrl } from './extract';
import { readPage } from './page-recognition';
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

  private parse(text: string, pageUrl: URL): readonly Listing[] {
    const reading = readPage(this.definition, text, pageUrl);
    switch (reading.kind) {
      case 'results':
      case 'no-results':
        return reading.listings;
      case 'wall':
        throw new SiteBlockedError(this.definition.id, 200, reading.wall);
      case 'unrecognised':
        throw new PageNotRecognisedError(this.definition.id, reading.detail);
    }
  }
}
