/**
 * TomTom Search API: Points of Interest Search.
 *
 *   GET {base}/search/2/poiSearch/<name, location>.json?key=<TOMTOM_API_KEY>&limit=10
 *       &countrySet=US&language=en-US
 *
 * The query is a path segment, URL-encoded. Without coordinates the location stays in the query
 * text, which the fuzzy engine reads; `countrySet` keeps results in the country.
 *
 * Limits: 5 queries/s per key by default (429 beyond; TomTom's own SDK retries 429 honouring
 * Retry-After). TomTom's terms restrict storing results: answers are never reused
 * (conservative; not confirmed).
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, freeText, lenient, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** TomTom Search's documented defaults. */
export const TOMTOM_PROFILE: AdapterProfile = {
  kind: 'tomtom',
  id: 'tomtom',
  name: 'TomTom Search',
  baseUrl: 'https://api.tomtom.com',
  keyVariable: 'TOMTOM_API_KEY',
  limits: { concurrency: 5, requests: 5, perMs: 1000 },
  cacheTtlMs: 0,
  // Each request counts against the plan's billed transactions.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

const result = z.object({
  id: siteText,
  poi: lenient(z.object({ name: siteText, phone: siteText, url: siteText })),
  address: lenient(z.object({ freeformAddress: siteText })),
});

/** Connector for TomTom POI Search (`/search/2/poiSearch/{query}.json`). */
export class TomTomAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(TOMTOM_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint(`/search/2/poiSearch/${encodeURIComponent(freeText(query))}.json`, {
        key: this.key,
        limit: '10',
        countrySet: SEARCH_COUNTRY.alpha2,
        language: 'en-US',
      }),
      headers: { accept: 'application/json' },
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'results', result).map(({ poi, address }) =>
        toListing({ name: poi?.name, address: address?.freeformAddress, phone: poi?.phone, website: poi?.url }),
      ),
    );
  }
}
