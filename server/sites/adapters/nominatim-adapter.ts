/**
 * OpenStreetMap Nominatim: free-form place search.
 *
 *   GET {base}/search?q=<name, location>&format=jsonv2&addressdetails=1&extratags=1&namedetails=1
 *       &countrycodes=us&limit=10
 *   User-Agent: sitescan/0.1 (+contact)        (or NOMINATIM_USER_AGENT)
 *
 * The public instance's usage policy: an identifying User-Agent, at most 1 request/s for the
 * whole application, results cached, no bulk use (abusers get 403). One Nominatim site with
 * limits {1, 1 per 1000 ms} is exactly "1 req/s for the whole app"; answers are kept for a day.
 * Phone and website are OSM tags, read from `extratags` (`phone` or `contact:phone`).
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { formatAddress, toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, freeText, lenient, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** Nominatim's documented defaults. */
export const NOMINATIM_PROFILE: AdapterProfile = {
  kind: 'nominatim',
  id: 'nominatim',
  name: 'OpenStreetMap Nominatim',
  baseUrl: 'https://nominatim.openstreetmap.org',
  limits: { concurrency: 1, requests: 1, perMs: 1000 },
  // "Results must be cached": the longest TTL the site schema allows.
  cacheTtlMs: 86_400_000,
  // The usage policy allows 1 request/s for the whole application and forbids repeating queries.
  hedge: false,
  timeoutMs: 4000,
  // A retry is another request against the 1/s budget; one is enough.
  retries: 1,
};

/** Results asked for: enough to hold the business among namesakes, few enough to stay light. */
const RESULT_LIMIT = '10';

const place = z.object({
  osm_type: siteText,
  osm_id: siteText,
  name: siteText,
  display_name: siteText,
  namedetails: lenient(z.object({ name: siteText })),
  address: lenient(
    z.object({
      house_number: siteText,
      road: siteText,
      city: siteText,
      town: siteText,
      village: siteText,
      hamlet: siteText,
      state: siteText,
      'ISO3166-2-lvl4': siteText,
      postcode: siteText,
    }),
  ),
  extratags: lenient(
    z.object({
      phone: siteText,
      'contact:phone': siteText,
      website: siteText,
      'contact:website': siteText,
      url: siteText,
    }),
  ),
});

/** Connector for OpenStreetMap Nominatim (`/search`, jsonv2). */
export class NominatimAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(NOMINATIM_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/search', {
        q: freeText(query),
        format: 'jsonv2',
        addressdetails: '1',
        extratags: '1',
        namedetails: '1',
        countrycodes: SEARCH_COUNTRY.alpha2.toLowerCase(),
        limit: RESULT_LIMIT,
      }),
      headers: { accept: 'application/json', 'accept-language': 'en', 'user-agent': this.userAgent },
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, '', place).map((item) => {
        const address = item.address;
        // `US-TX` is the state code; other countries keep the state's name.
        const iso = address?.['ISO3166-2-lvl4'];
        const state = iso?.startsWith('US-') ? iso.slice(3) : address?.state;
        const tags = item.extratags;
        const osmType = item.osm_type && /^(node|way|relation)$/.test(item.osm_type) ? item.osm_type : undefined;
        return toListing({
          name: item.namedetails?.name ?? item.name ?? item.display_name?.split(',')[0],
          address: address
            ? formatAddress({
                houseNumber: address.house_number,
                street: address.road,
                city: address.city ?? address.town ?? address.village ?? address.hamlet,
                state,
                zip: address.postcode,
              })
            : item.display_name,
          phone: tags?.phone ?? tags?.['contact:phone'],
          website: tags?.website ?? tags?.['contact:website'] ?? tags?.url,
          url: this.realLink(
            osmType && item.osm_id && /^\d+$/.test(item.osm_id) ? `https://www.openstreetmap.org/${osmType}/${item.osm_id}` : undefined,
          ),
        });
      }),
    );
  }
}
