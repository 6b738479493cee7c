/**
 * Lenient readers for place-API answers. Bodies are untrusted: a field of the wrong type reads as
 * absent, an item without a name is skipped, and only a body whose list is not a list at all is
 * an error (`TransientSiteError`: a retry may get a whole answer).
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { TransientSiteError } from '../../errors';
import { readPath } from '../extract';
import { parseAddress } from '../normalize-address';
import { cleanText } from '../site-text';

/** Site text: a string or number as one trimmed line, anything else as `undefined`. Never fails. */
export const siteText = z
  .unknown()
  .transform((value) => cleanText(value))
  .optional();

/** An object field that reads as `undefined` when it is not an object of that shape. */
export function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** An array field whose items are kept only when they parse; not an array reads as `[]`. */
export function lenientArray<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    // Optional before the transform, so an absent key is allowed and reads as `[]`.
    .optional()
    .transform((value) => parseEach(Array.isArray(value) ? value : [], item));
}

/**
 * The items at `key` of an answer (or the answer itself when `key` is `''`), each parsed with
 * `item`; items that do not parse are skipped. A missing list is empty when the answer holds
 * nothing but `quietKeys` (Google answers `{}` when nothing matched); any other non-array is a
 * bad answer.
 */
export function readItems<T extends z.ZodType>(
  siteId: string,
  body: unknown,
  key: string,
  item: T,
  { quietKeys }: { quietKeys?: readonly string[] } = {},
): z.output<T>[] {
  let list: unknown = body;
  if (key !== '') {
    const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
    list = isObject ? readPath(body, key) : undefined;
    if (isObject && list === undefined && quietKeys?.length !== undefined) {
      if (Object.keys(body).every((other) => quietKeys.includes(other))) return [];
    }
  }
  if (!Array.isArray(list)) {
    throw new TransientSiteError(siteId, `unexpected answer: ${key === '' ? 'the body' : `"${key}"`} is not a list`);
  }
  return parseEach(list, item);
}

/** The values that parse with `item`, parsed; the others skipped. */
function parseEach<T extends z.ZodType>(values: readonly unknown[], item: T): z.output<T>[] {
  return values.flatMap((value) => {
    const parsed = item.safeParse(value);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Country every adapter searches in: the matcher is built on US conventions (USPS addresses,
 * NANP phones), so results elsewhere could only be namesakes.
 */
export const SEARCH_COUNTRY = { alpha2: 'US', alpha3: 'USA' } as const;

/** A secondary unit as an address line shows it: `Ste 4` stays, a bare `4` becomes `# 4`. */
export function unitText(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^(#|apt|apartment|bldg|building|fl|floor|ofc|office|rm|room|ste|suite|unit)\b/i.test(value) ? value : `# ${value}`;
}

/** Listings without the `undefined`s. */
export function compact(listings: readonly (Listing | undefined)[]): Listing[] {
  return listings.filter((listing): listing is Listing => listing !== undefined);
}

/** The free-text query most place APIs take: `name, location`. */
export function freeText(query: BusinessQuery): string {
  return [query.name, query.location].filter(Boolean).join(', ');
}

/** The query's location, parsed (city, state, ZIP, street), or `{}` without one. */
export function queryPlace(query: BusinessQuery) {
  return query.location ? parseAddress(query.location) : {};
}
