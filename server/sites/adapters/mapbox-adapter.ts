/**
 * Mapbox Search Box API: Text Search (`/forward`), a single non-interactive request.
 *
 *   GET {base}/search/searchbox/v1/forward?q=<name, location>&types=poi&country=us&limit=10
 *       &language=en&access_token=<MAPBOX_ACCESS_TOKEN>
 *
 * The answer is a GeoJSON FeatureCollection; a POI's phone and website sit in
 * `properties.metadata`. `q` is limited to 256 characters and `limit` to 10.
 *
 * Limits: not confirmed for the Search Box API; the Geocoding API's documented default,
 * 1,000 requests per minute, is assumed. A 429 carries `X-Rate-Limit-Reset` (epoch seconds),
 * which the shared fetch reads. Search Box results are
 * "temporary" (not for storage): answers are never reused.
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, freeText, lenient, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** Mapbox Search Box defaults. */
export const MAPBOX_PROFILE: AdapterProfile = {
  kind: 'mapbox',
  id: 'mapbox',
  name: 'Mapbox Search Box',
  baseUrl: 'https://api.mapbox.com',
  keyVariable: 'MAPBOX_ACCESS_TOKEN',
  limits: { concurrency: 10, requests: 1000, perMs: 60_000 },
  cacheTtlMs: 0,
  // Billed per request past the free tier.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

/** Longest `q` the API accepts. */
const MAX_QUERY_CHARS = 256;

const feature = z.object({
  properties: z.object({
    mapbox_id: siteText,
    name: siteText,
    full_address: siteText,
    address: siteText,
    place_formatted: siteText,
    metadata: lenient(z.object({ phone: siteText, website: siteText })),
  }),
});

/** Connector for Mapbox Search Box forward search (`/search/searchbox/v1/forward`). */
export class MapboxAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(MAPBOX_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/search/searchbox/v1/forward', {
        q: freeText(query).slice(0, MAX_QUERY_CHARS),
        types: 'poi',
        country: SEARCH_COUNTRY.alpha2.toLowerCase(),
        limit: '10',
        language: 'en',
        access_token: this.key,
      }),
      headers: { accept: 'application/json' },
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'features', feature).map(({ properties }) =>
        toListing({
          name: properties.name,
          address:
            properties.full_address ??
            ([properties.address, properties.place_formatted].filter(Boolean).join(', ') || undefined),
          phone: properties.metadata?.phone,
          website: properties.metadata?.website,
        }),
      ),
    );
  }
}
