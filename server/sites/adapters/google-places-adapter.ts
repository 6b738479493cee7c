/**
 * Google Places API (New): Text Search.
 *
 *   POST {base}/v1/places:searchText
 *   X-Goog-Api-Key: <GOOGLE_PLACES_API_KEY>
 *   X-Goog-FieldMask: places.id,places.displayName,places.formattedAddress,
 *                     places.nationalPhoneNumber,places.websiteUri,places.googleMapsUri
 *   {"textQuery": "<name>, <location>", "pageSize": 10, "regionCode": "US", "languageCode": "en"}
 *
 * The field mask is required (no mask is an error) and sets the bill: the SKU is that of the
 * most expensive field asked. Phone and website are what make it the Enterprise SKU, and they
 * are two of the four NAP fields, so they are asked; nothing else is. `places` is left out of
 * the answer when nothing matched.
 *
 * Limits: a per-minute quota per method (600/min is the default shown for Places API (New) in the
 * Cloud console; not confirmed in the docs); 429 `RESOURCE_EXHAUSTED` beyond it. Terms: no
 * caching of Places content except place ids, so answers are never reused.
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, freeText, lenient, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** Google Places' defaults. */
export const GOOGLE_PLACES_PROFILE: AdapterProfile = {
  kind: 'google-places',
  id: 'google-places',
  name: 'Google Places',
  baseUrl: 'https://places.googleapis.com',
  keyVariable: 'GOOGLE_PLACES_API_KEY',
  limits: { concurrency: 10, requests: 600, perMs: 60_000 },
  cacheTtlMs: 0,
  // Billed per request (the field mask sets the price): a hedge doubles the cost of a slow answer.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

/** The fields read, and only those: the mask decides the price. */
export const GOOGLE_FIELD_MASK = [
  'places.id',
  'places.displayName',
  'places.formattedAddress',
  'places.nationalPhoneNumber',
  'places.websiteUri',
  'places.googleMapsUri',
].join(',');

/** Keys an answer without `places` may still hold: Google answers `{}` when nothing matched. */
const EMPTY_ANSWER_KEYS = ['nextPageToken', 'contextualContents', 'searchUri'];

const place = z.object({
  id: siteText,
  displayName: lenient(z.object({ text: siteText })),
  formattedAddress: siteText,
  nationalPhoneNumber: siteText,
  internationalPhoneNumber: siteText,
  websiteUri: siteText,
  googleMapsUri: siteText,
});

/** Connector for Google Places Text Search (New) (`/v1/places:searchText`). */
export class GooglePlacesAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(GOOGLE_PLACES_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/v1/places:searchText'),
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-goog-api-key': this.key ?? '',
        'x-goog-fieldmask': GOOGLE_FIELD_MASK,
      },
      body: JSON.stringify({ textQuery: freeText(query), pageSize: 10, regionCode: SEARCH_COUNTRY.alpha2, languageCode: 'en' }),
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'places', place, { quietKeys: EMPTY_ANSWER_KEYS }).map((item) =>
        toListing({
          name: item.displayName?.text,
          address: item.formattedAddress,
          phone: item.nationalPhoneNumber ?? item.internationalPhoneNumber,
          website: item.websiteUri,
          url: this.realLink(item.googleMapsUri),
        }),
      ),
    );
  }
}
