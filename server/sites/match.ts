/**
 * The NAP matcher: decides, per site, whether a listing is the business the user searched for,
 * and reports each field as `match`, `mismatch` or `missing`.
 *
 *   query ──┐                       name    → compareNames (fuzzball, must pass on its own)
 *           ├─ normalise & compare  phone   → E.164 equality
 *   listing ┘                       website → registrable-domain equality
 *                                   address → street (+unit), city, state, ZIP
 *                 │
 *                 ▼
 *   score = Σ weights of components that match / Σ weights of components both sides have
 *
 * Worked example: the query gives a name, a phone and "Austin, TX"; a listing has the name
 * right, the city right and an old phone. The user gave the address only down to the city, so
 * the city stands for the address and weighs as the street does. Compared: name 0.55 + phone
 * 1.00 + city 0.70 = 2.25; matched: 0.55 + 0.70 = 1.25; score 0.56 ≥ {@link MATCH_THRESHOLD} →
 * `partial`, phone `mismatch`: the "2 of 3 NAP fields agree" rule of duplicate detection. With
 * the street given and wrong as well: (0.55 + 0.55 + 0.10) / 2.90 = 0.41 → `not_found`.
 *
 * Invariants:
 * - the name MUST pass for any outcome but `not_found`, with one exception: a name written
 *   shorter or longer by one source (all words of one inside the other, sharing a distinctive
 *   word — not only trade words like `Cafe`) is the business when the phone agrees and the street
 *   does not disagree, or when the street agrees in the same place; then the name is `mismatch`
 *   and the outcome `partial` at best ("found with possible errors"). It is always compared;
 * - a name that passes only loosely (words added or missing: `Ohio Valley Plumbing` /
 *   `Ohio Valley Plumbing & Heating`) MUST be confirmed by a hard identifier — the phone, the
 *   street or the website — or the listing is a near-namesake: `not_found`;
 * - when no identifier (phone, street, website) agrees and two of them disagree, the listing
 *   MUST be `not_found`: a business rarely changes its phone and its domain (or its street) at
 *   once, while a same-named one differs in all of them;
 * - `found` MUST mean every field the query supplied (and the name) is `match`;
 * - a listing in another city (state, or ZIP when cities cannot be compared) MUST be
 *   `not_found` unless its phone matches: it is another business of the same name. A
 *   neighbourhood given for its city (`localities.ts`: `Georgetown` / `Washington DC`) is the
 *   same city;
 * - website verdicts never move the score: the published weights give it none.
 */
import { ratio } from 'fuzzball';
import type { BusinessQuery, FieldVerdict, Listing, MatchField, Outcome } from '../../lib/types';
import { parseAddress, sameStreet, sameUnit, type ParsedAddress } from './normalize-address';
import { sameLocality } from './localities';
import { compareNames } from './normalize-name';
import { normalizePhone } from './normalize-phone';
import { normalizeWebsite } from './normalize-website';
import { cleanText } from './site-text';

/**
 * Weighted score (0..1) from which a listing whose name passes counts as `partial`. 0.5 is
 * "about half the total" of the vendor's weighting: a correct name plus street and ZIP
 * (0.55 + 0.70 + 0.55 of 2.90 = 0.62) counts, and so does a correct name in the right city
 * with a wrong phone (1.25 of 2.25 = 0.56); a correct name with a wrong phone and nothing else
 * (0.55 of 1.55 = 0.35) does not.
 */
export const MATCH_THRESHOLD = 0.5;

/**
 * Weight of each compared component: the best-match weighting a listing vendor publishes.
 * Address is the street line (with its unit); ZIP and city weigh on their own. When the query
 * names no street, its city is the address as far as the user gave it, and weighs as `street`.
 */
export const MATCH_WEIGHTS = {
  phone: 1.0,
  street: 0.7,
  name: 0.55,
  zip: 0.55,
  city: 0.1,
} as const;

/**
 * Scores more than this apart are different; closer ones tie. Sums of the weights carry
 * floating-point noise (0.55 + 0.1 ≠ 0.65 exactly).
 */
const SCORE_EPSILON = 1e-9;

/** How one listing compares with the query. */
export interface MatchResult {
  /** 0..1: weights of matching components over weights of components both sides have. */
  readonly score: number;
  readonly outcome: Outcome;
  /** A verdict for `name` and for each other field the query supplied. */
  readonly fields: Partial<Record<MatchField, FieldVerdict>>;
}

/** The query's fields in normalised form, computed once per query object. */
interface PreparedQuery {
  readonly phone?: string;
  readonly website?: string;
  readonly place: ParsedAddress;
}

/**
 * Normalised queries by query object: a search compares one query with every candidate of every
 * site, and parsing its address and phone each time was most of the matcher's cost. Weak, so a
 * finished search's query is collected with it.
 */
const preparedQueries = new WeakMap<BusinessQuery, PreparedQuery>();

function prepare(query: BusinessQuery): PreparedQuery {
  let prepared = preparedQueries.get(query);
  if (prepared === undefined) {
    const phone = query.phone === undefined ? undefined : normalizePhone(query.phone);
    const website = query.website === undefined ? undefined : normalizeWebsite(query.website);
    prepared = {
      ...(phone === undefined ? {} : { phone }),
      ...(website === undefined ? {} : { website }),
      place: query.location === undefined ? {} : parseAddress(query.location),
    };
    preparedQueries.set(query, prepared);
  }
  return prepared;
}

/** Compares one listing with the query; see the module comment for the rules. */
export function matchListing(query: BusinessQuery, listing: Listing): MatchResult {
  const { phone: queryPhone, website: queryWebsite, place: queryPlace } = prepare(query);
  // `name` first, so verdicts read in NAP order; its verdict is set once identifiers are known.
  const fields: Partial<Record<MatchField, FieldVerdict>> = { name: 'missing' };
  let earned = 0;
  let compared = 0;
  const weigh = (weight: number, matched: boolean) => {
    compared += weight;
    if (matched) earned += weight;
  };

  const listingName = listingText(listing.name);
  const name = listingName === undefined ? undefined : compareNames(query.name, listingName);

  let phoneMatches = false;
  if (queryPhone !== undefined) {
    const listingPhone = optional(listingText(listing.phone), normalizePhone);
    if (listingPhone === undefined) {
      fields.phone = 'missing';
    } else {
      phoneMatches = listingPhone === queryPhone;
      fields.phone = phoneMatches ? 'match' : 'mismatch';
      weigh(MATCH_WEIGHTS.phone, phoneMatches);
    }
  }

  // A query website that names no host (`n/a`) cannot be compared, so it gets no verdict.
  if (queryWebsite !== undefined) {
    const listingWebsite = optional(listingText(listing.website), normalizeWebsite);
    fields.website =
      listingWebsite === undefined ? 'missing' : listingWebsite === queryWebsite ? 'match' : 'mismatch';
  }
  const websiteMatches = fields.website === 'match';

  let elsewhere = false;
  let streetCompared = false;
  let streetMatches = false;
  // A location with nothing recognisable in it ("downtown") cannot be compared either.
  if (Object.keys(queryPlace).length > 0) {
    const listingPlace = optional(listingText(listing.address), parseAddress) ?? {};
    const address = compareAddresses(queryPlace, listingPlace);
    fields.address = address.verdict;
    elsewhere = address.elsewhere;
    for (const [component, matched] of address.components) {
      const weight = component === 'city' && queryPlace.street === undefined ? MATCH_WEIGHTS.street : MATCH_WEIGHTS[component];
      weigh(weight, matched);
      if (component === 'street') [streetCompared, streetMatches] = [true, matched];
    }
  }

  // Shared words alone make a near-namesake as often as a variant: only an identifier says which.
  const identified = phoneMatches || streetMatches || websiteMatches;
  const namePasses = name !== undefined && name.pass && (name.strict || identified);
  // A name written shorter or longer (`Mei Lin's` / `Mei Lin's Fine Szechuan Cuisine`, `Rosa` /
  // `Trattoria Rosa`) is the same business when the hard identifiers say so: the phone with no
  // street against it, or the same street in the same place. One name must lie inside the other:
  // `Smith Plumbing` / `Smith Electric` each say something the other contradicts.
  const nameDiffers =
    !namePasses &&
    name !== undefined &&
    name.sharesDistinctive &&
    name.subset &&
    ((phoneMatches && !(streetCompared && !streetMatches)) || (streetMatches && !elsewhere));
  fields.name = listingName === undefined ? 'missing' : namePasses ? 'match' : 'mismatch';
  weigh(MATCH_WEIGHTS.name, namePasses);

  const score = compared > 0 ? earned / compared : 0;
  const verdicts = Object.values(fields);
  // Two identifiers that disagree and none that agrees: another business of the same name.
  const contradicted =
    !identified &&
    [fields.phone === 'mismatch', fields.website === 'mismatch', streetCompared && !streetMatches].filter(Boolean).length >= 2;
  let outcome: Outcome;
  if (!(namePasses || nameDiffers) || contradicted || (elsewhere && !phoneMatches)) outcome = 'not_found';
  else if (verdicts.every((verdict) => verdict === 'match')) outcome = 'found';
  else if (score >= MATCH_THRESHOLD - SCORE_EPSILON) outcome = 'partial';
  else outcome = 'not_found';
  return { score, outcome, fields };
}

/**
 * The listing among a site's candidates that is the business: the highest score among those
 * not `not_found`; on a tie, the one with more `match` verdicts, then the one whose name is
 * closest to the query's as typed (`Hill Country Roofing` over `Hill Country Roofing Co.`), then
 * the first. When none qualifies: `not_found`, score 0, no listing.
 */
export function bestMatch(
  query: BusinessQuery,
  listings: readonly Listing[],
): { readonly listing?: Listing } & MatchResult {
  let best: { listing: Listing; result: MatchResult; matches: number; closeness?: number } | undefined;
  for (const listing of listings) {
    const result = matchListing(query, listing);
    if (result.outcome === 'not_found') continue;
    const matches = Object.values(result.fields).filter((verdict) => verdict === 'match').length;
    const candidate: NonNullable<typeof best> = { listing, result, matches };
    if (best === undefined || result.score > best.result.score + SCORE_EPSILON) {
      best = candidate;
    } else if (result.score > best.result.score - SCORE_EPSILON) {
      if (matches > best.matches) best = candidate;
      else if (matches === best.matches) {
        best.closeness ??= nameCloseness(query.name, best.listing.name);
        candidate.closeness = nameCloseness(query.name, listing.name);
        if (candidate.closeness > best.closeness) best = candidate;
      }
    }
  }
  return best === undefined
    ? { score: 0, outcome: 'not_found', fields: {} }
    : { listing: best.listing, ...best.result };
}

/** How close a listing's name is to the query's as typed, 0..100: breaks ties between candidates. */
function nameCloseness(queryName: string, listingName: unknown): number {
  const text = listingText(listingName);
  return text === undefined ? 0 : ratio(queryName.toLowerCase(), text.toLowerCase());
}

type AddressComponent = 'street' | 'zip' | 'city';

/**
 * The address verdict, the weighted components both sides have, and whether the listing is in
 * another place altogether.
 */
function compareAddresses(
  query: ParsedAddress,
  listing: ParsedAddress,
): { verdict: FieldVerdict; components: [AddressComponent, boolean][]; elsewhere: boolean } {
  const components: [AddressComponent, boolean][] = [];
  const conflicts: boolean[] = [];

  if (query.street !== undefined && listing.street !== undefined) {
    // A unit on one side only is how sites differ, not a different place.
    const unitAgrees =
      query.unit === undefined || listing.unit === undefined || sameUnit(query.unit, listing.unit);
    const matched = sameStreet(query.street, listing.street) && unitAgrees;
    components.push(['street', matched]);
    conflicts.push(!matched);
  }
  const stateDiffers =
    query.state !== undefined && listing.state !== undefined && query.state !== listing.state;
  // A neighbourhood given for its city (`Georgetown` / `Washington`) is the same place.
  const sameCity = query.city !== undefined && listing.city !== undefined && sameLocality(query.city, listing.city, query.state ?? listing.state);
  if (query.city !== undefined && listing.city !== undefined) {
    const matched = sameCity && !stateDiffers;
    components.push(['city', matched]);
    conflicts.push(!matched);
  }
  const zipDiffers = query.zip !== undefined && listing.zip !== undefined && query.zip !== listing.zip;
  if (query.zip !== undefined && listing.zip !== undefined) components.push(['zip', !zipDiffers]);
  conflicts.push(zipDiffers, stateDiffers);

  // "Elsewhere" is judged on the most telling locality both have. An equal ZIP wins over a
  // differing city name, since USPS accepts several city names for one ZIP.
  let elsewhere: boolean;
  if (query.zip !== undefined && !zipDiffers && listing.zip !== undefined) elsewhere = false;
  else if (query.city !== undefined && listing.city !== undefined) elsewhere = !sameCity || stateDiffers;
  else if (zipDiffers) elsewhere = true;
  else elsewhere = stateDiffers;

  const comparedAny =
    components.length > 0 || (query.state !== undefined && listing.state !== undefined);
  // The user named a street (or a suite) and the listing shows none: an incomplete address, the
  // same place but a listing error to fix — mail and visitors need the suite.
  const incomplete =
    (query.street !== undefined && listing.street === undefined) ||
    (query.unit !== undefined && listing.street !== undefined && listing.unit === undefined);
  let verdict: FieldVerdict;
  if (conflicts.some(Boolean)) verdict = 'mismatch';
  else if (!comparedAny || incomplete) verdict = 'missing';
  else verdict = 'match';
  return { verdict, components, elsewhere };
}

/**
 * A listing field as the matcher reads it: site text with its line breaks kept, since the
 * address parser reads a line break as the end of an address line.
 */
function listingText(value: unknown): string | undefined {
  return cleanText(value, { oneLine: false });
}

function optional<T>(value: string | undefined, normalise: (text: string) => T): T | undefined {
  return value === undefined ? undefined : normalise(value);
}
