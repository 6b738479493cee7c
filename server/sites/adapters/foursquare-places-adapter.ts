/**
 * Foursquare Places API (the current one, not the retired v3).
 *
 *   GET {base}/places/search?query=<name>&near=<location>&limit=10
 *       &fields=fsq_place_id,name,location,tel,website
 *   Authorization: Bearer <FOURSQUARE_API_KEY>
 *   X-Places-Api-Version: 2025-06-17
 *
 * `fields` is needed: without it only "Pro" fields come back, and `tel` and `website` are
 * "Premium" fields that must be asked for by name (they are billed at the Premium rate, and they
 * are two of the four NAP fields). Without a location the API falls back to IP biasing, which
 * for a server means its own region; the search is still sent.
 *
 * Limits: 50 QPS on pay-as-you-go (100 on enterprise). Terms: pay-as-you-go may cache nothing
 * but `fsq_place_id`, so answers are never reused (`cacheTtlMs: 0`).
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { formatAddress, toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, lenient, readItems, siteText } from './read-answer';

/** Version header the adapter is written against. */
export const FOURSQUARE_API_VERSION = '2025-06-17';

/** Foursquare Places' documented defaults (pay-as-you-go). */
export const FOURSQUARE_PLACES_PROFILE: AdapterProfile = {
  kind: 'foursquare-places',
  id: 'foursquare-places',
  name: 'Foursquare Places',
  baseUrl: 'https://places-api.foursquare.com',
  keyVariable: 'FOURSQUARE_API_KEY',
  limits: { concurrency: 10, requests: 50, perMs: 1000 },
  cacheTtlMs: 0,
  // Pay-as-you-go bills every call: a hedge would be a second bill for one answer.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

/** Only the fields the matcher reads, plus the id for the listing's link. */
const FIELDS = 'fsq_place_id,name,location,tel,website';

const result = z.object({
  fsq_place_id: siteText,
  name: siteText,
  tel: siteText,
  website: siteText,
  location: lenient(
    z.object({
      address: siteText,
      address_extended: siteText,
      locality: siteText,
      region: siteText,
      postcode: siteText,
      formatted_address: siteText,
    }),
  ),
});

/** Connector for Foursquare Places (`/places/search`). */
export class FoursquarePlacesAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(FOURSQUARE_PLACES_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/places/search', { query: query.name, near: query.location, limit: '10', fields: FIELDS }),
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${this.key}`,
        'x-places-api-version': FOURSQUARE_API_VERSION,
      },
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'results', result).map((item) => {
        const location = item.location;
        const composed =
          location?.address !== undefined
            ? formatAddress({
                street: location.address,
                unit: location.address_extended,
                city: location.locality,
                state: location.region,
                zip: location.postcode,
              })
            : undefined;
        return toListing({
          name: item.name,
          address: composed ?? location?.formatted_address,
          phone: item.tel,
          website: item.website,
          url: this.realLink(item.fsq_place_id && `https://foursquare.com/v/${encodeURIComponent(item.fsq_place_id)}`),
        });
      }),
    );
  }
}
