/**
 * Yelp Fusion: business search, or business match when the query has a street address.
 *
 *   street + city + state known → GET {base}/v3/businesses/matches?name&address1&address2&city
 *                                     &state&zip_code&country=US&phone&limit=10&match_threshold=none
 *   else a location             → GET {base}/v3/businesses/search?term=<name>&location=<location>&limit=10
 *   else a phone                → GET {base}/v3/businesses/search/phone?phone=<E.164>
 *   Authorization: Bearer <YELP_API_KEY>
 *
 * `/matches` is Yelp's endpoint for "is this business on Yelp" and answers from the address
 * rather than by relevance; `match_threshold=none` hands every candidate to sitescan's matcher,
 * so a listing with an outdated address still comes back and is reported as a possible error
 * instead of vanishing under Yelp's own threshold. Search needs a location (or coordinates),
 * so a query with neither location nor phone fails as unrecoverable.
 *
 * Fusion shows no business website (its `url` is the Yelp page), so `website` is never read.
 * Limits: a per-second cap (429 `TOO_MANY_REQUESTS_PER_SECOND`) and a daily cap (300/day on the
 * starter trial; 429 `ACCESS_LIMIT_REACHED`, reset time in `RateLimit-ResetTime`). The default
 * is the daily cap; set `YELP_LIMITS` for a paid plan. Terms allow keeping content 24 hours.
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { QueryNotSupportedError } from '../../errors';
import { formatAddress, toListing } from '../listing-fields';
import { normalizePhone } from '../normalize-phone';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, lenient, lenientArray, queryPlace, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** Yelp Fusion's documented defaults (starter plan). */
export const YELP_PROFILE: AdapterProfile = {
  kind: 'yelp',
  id: 'yelp',
  name: 'Yelp',
  baseUrl: 'https://api.yelp.com',
  keyVariable: 'YELP_API_KEY',
  limits: { concurrency: 2, requests: 300, perMs: 86_400_000 },
  cacheTtlMs: 86_400_000,
  // A daily call quota: a hedge spends tomorrow's searches on today's slow answer.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

/** Longest name and address values `/matches` accepts. */
const MATCH_FIELD_MAX = 64;

const business = z.object({
  id: siteText,
  alias: siteText,
  name: siteText,
  url: siteText,
  phone: siteText,
  display_phone: siteText,
  location: lenient(
    z.object({
      address1: siteText,
      address2: siteText,
      address3: siteText,
      city: siteText,
      state: siteText,
      zip_code: siteText,
      display_address: lenientArray(siteText),
    }),
  ),
});

/** Connector for Yelp Fusion (`/v3/businesses/matches`, `/search`, `/search/phone`). */
export class YelpAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(YELP_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    const headers = { accept: 'application/json', authorization: `Bearer ${this.key}` };
    const place = queryPlace(query);
    const phone = query.phone === undefined ? undefined : normalizePhone(query.phone);
    const e164 = phone?.startsWith('+') ? phone : undefined;
    if (place.street !== undefined && place.city !== undefined && place.state !== undefined) {
      const url = this.endpoint('/v3/businesses/matches', {
        name: query.name.slice(0, MATCH_FIELD_MAX),
        address1: place.street.slice(0, MATCH_FIELD_MAX),
        address2: place.unit?.slice(0, MATCH_FIELD_MAX),
        city: place.city.slice(0, MATCH_FIELD_MAX),
        state: place.state,
        zip_code: place.zip,
        country: SEARCH_COUNTRY.alpha2,
        phone: e164,
        limit: '10',
        match_threshold: 'none',
      });
      return { url, headers };
    }
    if (query.location !== undefined) {
      return { url: this.endpoint('/v3/businesses/search', { term: query.name, location: query.location, limit: '10' }), headers };
    }
    if (e164 !== undefined) return { url: this.endpoint('/v3/businesses/search/phone', { phone: e164 }), headers };
    throw new QueryNotSupportedError(this.definition.id, 'needs a location or a phone number to search');
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'businesses', business).map((item) => {
        const location = item.location;
        const street = [location?.address1, location?.address2, location?.address3].filter(Boolean).join(' ');
        const composed = street
          ? formatAddress({ street, city: location?.city, state: location?.state, zip: location?.zip_code })
          : undefined;
        const displayAddress = location?.display_address.filter(Boolean).join(', ');
        return toListing({
          name: item.name,
          address: composed ?? (displayAddress || undefined),
          phone: item.phone ?? item.display_phone,
          // `/matches` gives no `url`; the alias names the business's Yelp page.
          url: this.realLink(item.url ?? (item.alias && `https://www.yelp.com/biz/${encodeURIComponent(item.alias)}`)),
        });
      }),
    );
  }
}
