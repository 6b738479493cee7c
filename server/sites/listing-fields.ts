/**
 * A listing assembled from the fields a site's answer gives one by one. The declarative
 * extractor (selectors, dot paths, JSON-LD) and the place-API adapters read fields each their
 * own way, then build the listing and its address line here, the same way.
 */
import type { Listing } from '../../lib/types';
import { cleanText } from './site-text';

/** The fields of one listing as read from an answer, each possibly absent. */
export type ListingFields = { readonly [Field in keyof Listing]?: string | undefined };

/** A listing's fields in the order a listing shows them: name, address, phone (NAP), then links. */
export const LISTING_FIELDS: readonly (keyof Listing)[] = ['name', 'address', 'phone', 'website', 'url'];

/** A listing from read fields: `undefined` without a name; absent and empty fields left out. */
export function toListing(fields: ListingFields): Listing | undefined {
  if (!fields.name) return undefined;
  return {
    name: fields.name,
    ...(fields.address ? { address: fields.address } : {}),
    ...(fields.phone ? { phone: fields.phone } : {}),
    ...(fields.website ? { website: fields.website } : {}),
    ...(fields.url ? { url: fields.url } : {}),
  };
}

/**
 * Parts of a US address as answers give them separately (an API's fields, a schema.org
 * PostalAddress), each already site text (see `cleanText`).
 */
export interface AddressParts {
  readonly houseNumber?: string;
  readonly street?: string;
  readonly unit?: string;
  readonly city?: string;
  /** Code (`TX`) or name (`Texas`): the matcher reads both. */
  readonly state?: string;
  readonly zip?: string;
}

/** `1200 W Main St Ste 4, Austin, TX 78701` from parts; `undefined` when there are none. */
export function formatAddress(parts: AddressParts): string | undefined {
  const street = [parts.houseNumber, parts.street, parts.unit].filter(Boolean).join(' ');
  const region = [parts.state, parts.zip].filter(Boolean).join(' ');
  return cleanText([street, parts.city, region].filter(Boolean).join(', '));
}
