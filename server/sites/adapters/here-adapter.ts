/**
 * HERE Geocoding & Search v7: Discover.
 *
 *   GET {base}/v1/discover?q=<name, location>&at=39.8283,-98.5795&in=countryCode:USA&limit=10
 *       &lang=en-US&apiKey=<HERE_API_KEY>
 *
 * Discover requires a search centre (`at`, or `in=circle`/`in=bbox`) and sitescan has a place
 * name, not coordinates. Rather than spend a second request on geocoding, the centre is the
 * geographic centre of the contiguous US, the country is a hard filter, and the city stays in
 * `q`, which Discover reads ("<name>, <city>" is one of its documented query forms).
 *
 * The address is read from `address.label` without the leading title (`Blue Door Bakery, 1200 W
 * Main St Ste 4, Austin, TX 78701, United States`): the parts HERE also gives have no suite.
 *
 * Limits: 5 requests/s on the freemium/limited plan (429 beyond). HERE's terms restrict storing
 * results, so answers are never reused (conservative; not confirmed for every plan).
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { formatAddress, toListing } from '../listing-fields';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, freeText, lenient, lenientArray, readItems, SEARCH_COUNTRY, siteText } from './read-answer';

/** HERE Discover's documented defaults (limited plan). */
export const HERE_PROFILE: AdapterProfile = {
  kind: 'here',
  id: 'here',
  name: 'HERE Discover',
  baseUrl: 'https://discover.search.hereapi.com',
  keyVariable: 'HERE_API_KEY',
  limits: { concurrency: 5, requests: 5, perMs: 1000 },
  cacheTtlMs: 0,
  // Each request counts against the plan's billed transactions.
  hedge: false,
  timeoutMs: 4000,
  retries: 2,
};

/** Geographic centre of the contiguous United States (near Lebanon, Kansas). */
export const US_CENTRE = '39.8283,-98.5795';

const values = lenientArray(z.object({ value: siteText }));

const item = z.object({
  id: siteText,
  title: siteText,
  address: lenient(
    z.object({
      label: siteText,
      houseNumber: siteText,
      street: siteText,
      city: siteText,
      stateCode: siteText,
      state: siteText,
      postalCode: siteText,
    }),
  ),
  contacts: lenientArray(z.object({ phone: values, www: values })),
});

/** Connector for HERE Discover (`/v1/discover`). */
export class HereAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(HERE_PROFILE, options);
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/v1/discover', {
        q: freeText(query),
        at: US_CENTRE,
        in: `countryCode:${SEARCH_COUNTRY.alpha3}`,
        limit: '10',
        lang: 'en-US',
        apiKey: this.key,
      }),
      headers: { accept: 'application/json' },
    };
  }

  protected readListings(body: unknown): Listing[] {
    return compact(
      readItems(this.definition.id, body, 'items', item).map(({ title, address, contacts }) => {
        // A place's label starts with its title; the rest is the one field that keeps the suite.
        const label = title !== undefined && address?.label?.startsWith(`${title}, `) ? address.label.slice(title.length + 2) : address?.label;
        const composed =
          address?.street !== undefined
            ? formatAddress({
                houseNumber: address.houseNumber,
                street: address.street,
                city: address.city,
                state: address.stateCode ?? address.state,
                zip: address.postalCode,
              })
            : undefined;
        const first = <T>(lists: T[][]): T | undefined => lists.flat()[0];
        return toListing({
          name: title,
          address: label ?? composed,
          phone: first(contacts.map((contact) => contact.phone))?.value,
          website: first(contacts.map((contact) => contact.www))?.value,
        });
      }),
    );
  }
}
