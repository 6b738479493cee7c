import { describe, expect, it } from 'vitest';
import type { BusinessQuery, FieldVerdict, Listing, MatchField, Outcome } from '../../lib/types';
import { bestMatch, MATCH_THRESHOLD, MATCH_WEIGHTS, matchListing } from './match';

/** The business most cases search for, with every field supplied. */
const smith: BusinessQuery = {
  name: 'Smith & Sons Plumbing LLC',
  location: '1200 W Main St Ste 4, Austin, TX 78701',
  phone: '(512) 555-0134',
  website: 'https://www.smithsonsplumbing.com',
};

/** Smith & Sons as a careful directory lists it, spelled out the long way. */
const smithListing: Listing = {
  name: 'Smith and Sons Plumbing',
  address: '1200 West Main Street, Suite 4, Austin, TX 78701',
  phone: '+1 512-555-0134',
  website: 'smithsonsplumbing.com/contact',
};

const { phone: P, street: A, name: N, zip: Z, city: C } = MATCH_WEIGHTS;

interface Case {
  readonly title: string;
  readonly query: BusinessQuery;
  readonly listing: Listing;
  readonly outcome: Outcome;
  readonly fields: Partial<Record<MatchField, FieldVerdict>>;
  readonly score?: number;
}

const allMatch = { name: 'match', phone: 'match', website: 'match', address: 'match' } as const;

const cases: Case[] = [
  // Formats of the same facts
  {
    title: 'long-form listing of the same business: Street/Suite/West, "and", no LLC, +1 phone, bare domain with path',
    query: smith,
    listing: smithListing,
    outcome: 'found',
    fields: allMatch,
    score: 1,
  },
  {
    title: '"#4" unit, dotted phone, http without www',
    query: smith,
    listing: {
      name: 'Smith & Sons Plumbing, L.L.C.',
      address: '1200 W. Main St. #4, Austin, TX 78701-2233',
      phone: '512.555.0134',
      website: 'http://smithsonsplumbing.com',
    },
    outcome: 'found',
    fields: allMatch,
    score: 1,
  },
  {
    title: 'comma-less one-line address, state spelled out, "Unit 4", country appended',
    query: smith,
    listing: {
      name: 'SMITH & SONS PLUMBING INC',
      address: '1200 West Main St Unit 4 Austin Texas 78701, USA',
      phone: '1 (512) 555 0134',
      website: 'https://smithsonsplumbing.com/',
    },
    outcome: 'found',
    fields: allMatch,
  },
  {
    title: 'suite missing on the listing: the same place, but an incomplete address to fix',
    query: smith,
    listing: { ...smithListing, address: '1200 W Main St, Austin, TX 78701' },
    outcome: 'partial',
    fields: { ...allMatch, address: 'missing' },
    score: 1,
  },
  {
    title: 'unit missing on the query is not a mismatch',
    query: { ...smith, location: '1200 W Main St, Austin, TX 78701' },
    listing: smithListing,
    outcome: 'found',
    fields: allMatch,
  },
  {
    title: 'directional missing on one side is written loosely, not a different street',
    query: { ...smith, location: '1200 Main St Ste 4, Austin, TX 78701' },
    listing: smithListing,
    outcome: 'found',
    fields: allMatch,
  },
  {
    title: 'subdomain of the same registrable domain',
    query: smith,
    listing: { ...smithListing, website: 'https://shop.smithsonsplumbing.com/checkout?x=1' },
    outcome: 'found',
    fields: allMatch,
  },
  {
    title: 'small typo in the listing name',
    query: smith,
    listing: { ...smithListing, name: 'Smith & Sons Plumbng' },
    outcome: 'found',
    fields: allMatch,
  },

  // Possible errors: partial
  {
    title: 'other suite at the same street address',
    query: smith,
    listing: { ...smithListing, address: '1200 W Main St Ste 9, Austin, TX 78701' },
    outcome: 'partial',
    fields: { ...allMatch, address: 'mismatch' },
    score: (P + N + Z + C) / (P + A + N + Z + C),
  },
  {
    title: 'East instead of West: a different street',
    query: smith,
    listing: { ...smithListing, address: '1200 E Main St, Suite 4, Austin, TX 78701' },
    outcome: 'partial',
    fields: { ...allMatch, address: 'mismatch' },
    score: (P + N + Z + C) / (P + A + N + Z + C),
  },
  {
    title: 'listing without a phone',
    query: smith,
    listing: { ...smithListing, phone: undefined },
    outcome: 'partial',
    fields: { ...allMatch, phone: 'missing' },
    score: 1,
  },
  {
    title: 'listing phone that is not a number at all counts as missing',
    query: smith,
    listing: { ...smithListing, phone: 'call for quote' },
    outcome: 'partial',
    fields: { ...allMatch, phone: 'missing' },
    score: 1,
  },
  {
    title: 'old phone number, everything else right',
    query: smith,
    listing: { ...smithListing, phone: '(512) 555-0199' },
    outcome: 'partial',
    fields: { ...allMatch, phone: 'mismatch' },
    score: (A + N + Z + C) / (P + A + N + Z + C),
  },
  {
    title: 'website on another domain (weighs nothing, but is reported)',
    query: smith,
    listing: { ...smithListing, website: 'https://www.smithplumbingaustin.com' },
    outcome: 'partial',
    fields: { ...allMatch, website: 'mismatch' },
    score: 1,
  },
  {
    title: 'listing without a website',
    query: smith,
    listing: { ...smithListing, website: '' },
    outcome: 'partial',
    fields: { ...allMatch, website: 'missing' },
  },
  {
    title: 'listing with only a city where the user gave a street',
    query: smith,
    listing: { ...smithListing, address: 'Austin, TX' },
    outcome: 'partial',
    fields: { ...allMatch, address: 'missing' },
    score: 1,
  },
  {
    title: 'listing without an address',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX' },
    listing: { name: 'Smith & Sons Plumbing' },
    outcome: 'partial',
    fields: { name: 'match', address: 'missing' },
    score: 1,
  },
  {
    title: 'wrong street number but same city and ZIP',
    query: { name: 'Smith & Sons Plumbing', location: '1200 W Main St, Austin, TX 78701' },
    listing: { name: 'Smith & Sons Plumbing', address: '900 W Main St, Austin, TX 78701' },
    outcome: 'partial',
    fields: { name: 'match', address: 'mismatch' },
    score: (N + Z + C) / (A + N + Z + C),
  },
  {
    title: 'same city, another ZIP: a possible error rather than another place (no street given: the city weighs as the address)',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX 78701' },
    listing: { name: 'Smith & Sons Plumbing', address: '4400 S Congress Ave, Austin, TX 78745' },
    outcome: 'partial',
    fields: { name: 'match', address: 'mismatch' },
    score: (N + A) / (N + Z + A),
  },
  {
    title: 'listing in another city, but the phone matches: the same business, badly listed',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX', phone: '512-555-0134' },
    listing: { name: 'Smith & Sons Plumbing', address: '300 Elm St, Dallas, TX 75201', phone: '(512) 555-0134' },
    outcome: 'partial',
    fields: { name: 'match', phone: 'match', address: 'mismatch' },
    score: (P + N) / (P + N + A),
  },

  // Not the business
  {
    title: 'near-namesake in the same building: Smith Electric',
    query: { name: 'Smith Plumbing', location: '1200 W Main St, Austin, TX 78701' },
    listing: { name: 'Smith Electric', address: '1200 W Main St, Austin, TX 78701' },
    outcome: 'not_found',
    fields: { name: 'mismatch', address: 'match' },
    score: (A + Z + C) / (A + N + Z + C),
  },
  {
    title: 'near-namesake in the same city: Blue Door Bakery vs Blue Door Barbers',
    query: { name: 'Blue Door Bakery', location: 'Austin, TX' },
    listing: { name: 'Blue Door Barbers', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'not_found',
    fields: { name: 'mismatch', address: 'match' },
  },
  {
    title: 'subset trap: "Blue Door" is every word of "Blue Door Barbers" but not that business',
    query: { name: 'Blue Door', location: 'Austin, TX' },
    listing: { name: 'Blue Door Barbers', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'not_found',
    fields: { name: 'mismatch', address: 'match' },
  },
  {
    title: 'same name in another city is another business',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX' },
    listing: { name: 'Smith & Sons Plumbing', address: '300 Elm St, Dallas, TX 75201' },
    outcome: 'not_found',
    fields: { name: 'match', address: 'mismatch' },
  },
  {
    title: 'same city name in another state is another business',
    query: { name: 'Harbor Dental', location: 'Portland, OR' },
    listing: { name: 'Harbor Dental', address: '12 Fore St, Portland, ME 04101' },
    outcome: 'not_found',
    fields: { name: 'match', address: 'mismatch' },
  },
  {
    title: 'same name in another ZIP when the user gave only a ZIP',
    query: { name: 'Smith & Sons Plumbing', location: '78701' },
    listing: { name: 'Smith & Sons Plumbing', address: '4400 S Congress Ave, Austin, TX 78745' },
    outcome: 'not_found',
    fields: { name: 'match', address: 'mismatch' },
  },
  {
    title: 'right name, wrong phone and nothing else to go on: below the threshold',
    query: { name: 'Smith & Sons Plumbing', phone: '512-555-0134' },
    listing: { name: 'Smith & Sons Plumbing', phone: '512-555-0188' },
    outcome: 'not_found',
    fields: { name: 'match', phone: 'mismatch' },
    score: N / (P + N),
  },
  {
    title: 'right name and city, an old phone: 2 of 3 NAP fields agree, so a listing with a possible error',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX', phone: '512-555-0134' },
    listing: { name: 'Smith & Sons Plumbing', address: '4400 S Congress Ave, Austin, TX 78745', phone: '512-555-0188' },
    outcome: 'partial',
    fields: { name: 'match', phone: 'mismatch', address: 'match' },
    score: (N + A) / (P + N + A),
  },
  {
    title: 'right name and city, but another phone and another website: a namesake, not an old listing',
    query: { name: 'Smith & Sons Plumbing', location: 'Austin, TX', phone: '512-555-0134', website: 'smithsonsplumbing.com' },
    listing: { name: 'Smith & Sons Plumbing Inc', address: 'Austin, TX', phone: '512-555-0188', website: 'smithsons-austin.com' },
    outcome: 'not_found',
    fields: { name: 'match', phone: 'mismatch', website: 'mismatch', address: 'match' },
  },
  {
    title: 'old street and old phone: nothing but the name and city left to go on',
    query: { name: 'Smith & Sons Plumbing', location: '1200 W Main St, Austin, TX 78701', phone: '512-555-0134' },
    listing: { name: 'Smith & Sons Plumbing', address: '77 Oak Ln, Austin, TX 78701', phone: '512-555-0188' },
    outcome: 'not_found',
    fields: { name: 'match', phone: 'mismatch', address: 'mismatch' },
    score: (N + Z + C) / (P + A + N + Z + C),
  },
  {
    title: 'near-namesake with a word more in the same city: no identifier confirms it',
    query: { name: 'Ohio Valley Plumbing LLC', location: 'Cleveland, OH' },
    listing: { name: 'Ohio Valley Plumbing & Heating LLC', address: '1315 W Elm Rd, Cleveland, OH 44114' },
    outcome: 'not_found',
    fields: { name: 'mismatch', address: 'match' },
  },
  {
    title: 'the same name with a word more, confirmed by the phone: the business, listed under a variant',
    query: { name: 'Ohio Valley Plumbing LLC', location: 'Cleveland, OH', phone: '(216) 555-0101' },
    listing: { name: 'Ohio Valley Plumbing & Heating', address: '1315 W Elm Rd, Cleveland, OH 44114', phone: '216-555-0101' },
    outcome: 'found',
    fields: { name: 'match', phone: 'match', address: 'match' },
  },
  {
    title: 'a surname apart is another business, however alike the rest reads',
    query: { name: 'Perez Roofing & Gutters', location: 'St. Louis, MO' },
    listing: { name: 'Lopez Roofing & Gutters', address: '6846 Birch Ave, St. Louis, MO 63101' },
    outcome: 'not_found',
    fields: { name: 'mismatch', address: 'match' },
  },
  {
    title: 'matching phone does not rescue another name',
    query: { name: 'Smith Plumbing', phone: '512-555-0134' },
    listing: { name: 'Smith Electric', phone: '512-555-0134' },
    outcome: 'not_found',
    fields: { name: 'mismatch', phone: 'match' },
  },

  // Partial queries
  {
    title: 'name only: the name decides',
    query: { name: 'Blue Door Bakery' },
    listing: { name: 'The Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701', phone: '512-555-0100' },
    outcome: 'found',
    fields: { name: 'match' },
    score: 1,
  },
  {
    title: 'city and state only, state spelled out on the listing',
    query: { name: 'Blue Door Bakery', location: 'Austin TX' },
    listing: { name: 'Blue Door Bakery', address: '88 Congress Avenue, Austin, Texas 78701' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
  },
  {
    title: 'ZIP only',
    query: { name: 'Blue Door Bakery', location: '78701' },
    listing: { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
  },
  {
    title: 'city, state and ZIP without commas',
    query: { name: 'Blue Door Bakery', location: 'Austin TX 78701' },
    listing: { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
    score: 1,
  },
  {
    title: 'an equal ZIP wins over another accepted city name',
    query: { name: 'Lakeway Dental', location: 'West Lake Hills, TX 78746' },
    listing: { name: 'Lakeway Dental', address: '3801 Bee Caves Rd, Austin, TX 78746' },
    outcome: 'partial',
    fields: { name: 'match', address: 'mismatch' },
    score: (N + Z) / (N + Z + A),
  },
  {
    title: 'phone only, in another format',
    query: { name: "Joe's Pizza", phone: '+1 (512) 555-0177' },
    listing: { name: 'Joes Pizza', phone: '512.555.0177' },
    outcome: 'found',
    fields: { name: 'match', phone: 'match' },
  },
  {
    title: 'Publication 28 suffixes: Parkway/Pkwy and Saint/St. in the city',
    query: { name: 'Gateway Vet Clinic', location: '45 Riverside Parkway, Saint Louis, MO' },
    listing: { name: 'Gateway Vet Clinic', address: '45 Riverside Pkwy, St. Louis, MO 63101' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
  },
  {
    title: 'only the last suffix word is the suffix: Park Avenue',
    query: { name: 'Lone Star Dental', location: '100 Park Avenue, New York, NY' },
    listing: { name: 'Lone Star Dental Care', address: '100 Park Ave, New York, NY 10017' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
  },
  {
    title: 'accents and a leading "The" do not matter',
    query: { name: 'Café Olé', website: 'cafeole.com' },
    listing: { name: 'The Cafe Ole', website: 'https://www.cafeole.com/menu' },
    outcome: 'found',
    fields: { name: 'match', website: 'match' },
  },
  {
    title: 'co.uk domains keep three labels',
    query: { name: 'Rose & Crown', website: 'www.roseandcrown.co.uk' },
    listing: { name: 'Rose and Crown', website: 'https://roseandcrown.co.uk/food' },
    outcome: 'found',
    fields: { name: 'match', website: 'match' },
  },
  {
    title: 'two pages on one social host are different websites',
    query: { name: 'Blue Door Bakery', website: 'facebook.com/bluedoorbakery' },
    listing: { name: 'Blue Door Bakery', website: 'https://www.facebook.com/bluedoorbarbers' },
    outcome: 'partial',
    fields: { name: 'match', website: 'mismatch' },
  },
  {
    title: 'search-box words around the city ("downtown Austin") are not part of it',
    query: { name: 'Blue Door Bakery', location: 'downtown Austin' },
    listing: { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'found',
    fields: { name: 'match', address: 'match' },
  },
  {
    title: 'a location with nothing to parse gets no address verdict',
    query: { name: 'Blue Door Bakery', location: '--' },
    listing: { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701' },
    outcome: 'found',
    fields: { name: 'match' },
  },
];

describe('matchListing', () => {
  it.each(cases)('$title', ({ query, listing, outcome, fields, score }) => {
    const result = matchListing(query, listing);
    expect({ outcome: result.outcome, fields: result.fields }).toEqual({ outcome, fields });
    if (score !== undefined) expect(result.score).toBeCloseTo(score, 6);
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
  });

  it('threshold sits between a name with street and ZIP (or with the city alone) and a name with a wrong phone', () => {
    expect(MATCH_THRESHOLD).toBeLessThanOrEqual((N + A + Z) / (P + A + N + Z + C));
    expect(MATCH_THRESHOLD).toBeLessThanOrEqual((N + A) / (P + N + A));
    expect(MATCH_THRESHOLD).toBeGreaterThan(N / (P + N));
    expect(MATCH_THRESHOLD).toBeGreaterThan((N + Z + C) / (P + A + N + Z + C));
  });

  it('reads untrusted listing fields that are not strings without throwing', () => {
    const listing = { name: 'Joes Pizza', phone: 5125550177, address: null } as unknown as Listing;
    const result = matchListing({ name: "Joe's Pizza", phone: '512-555-0177', location: 'Austin, TX' }, listing);
    expect(result.fields).toEqual({ name: 'match', phone: 'match', address: 'missing' });
  });
});

describe('bestMatch', () => {
  const query: BusinessQuery = { name: 'Blue Door Bakery', location: '88 Congress Ave, Austin, TX 78701' };

  it('picks the business among a namesake, a branch elsewhere and a loose listing', () => {
    const listings: Listing[] = [
      { name: 'Blue Door Barbers', address: '90 Congress Ave, Austin, TX 78701' },
      { name: 'Blue Door Bakery', address: '300 Elm St, Dallas, TX 75201' },
      { name: 'Blue Door Bakery', address: 'Austin, TX' },
      { name: 'Blue Door Bakery', address: '88 Congress Avenue, Austin, TX 78701' },
    ];
    const result = bestMatch(query, listings);
    expect(result.listing).toBe(listings[3]);
    expect(result.outcome).toBe('found');
    expect(result.score).toBe(1);
    expect(result.fields).toEqual({ name: 'match', address: 'match' });
  });

  it('on equal scores prefers the listing with more matching fields', () => {
    const withSite = { ...query, website: 'bluedoorbakery.com' };
    const listings: Listing[] = [
      { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701', website: 'otherbakery.com' },
      { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701', website: 'bluedoorbakery.com' },
    ];
    const result = bestMatch(withSite, listings);
    expect(result.listing).toBe(listings[1]);
    expect(result.outcome).toBe('found');
  });

  it('on a tie prefers the name closest to the query as typed', () => {
    const q: BusinessQuery = { name: 'Hill Country Roofing', location: 'Austin, TX' };
    const listings: Listing[] = [
      { name: 'Hill Country Roofing Co.', address: '12 Elm St, Austin, TX 78701' },
      { name: 'Hill Country Roofing', address: '900 Oak Ave, Austin, TX 78701' },
    ];
    expect(bestMatch(q, listings).listing).toBe(listings[1]);
  });

  it('on a full tie keeps the first', () => {
    const listings: Listing[] = [
      { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701', url: 'https://a.test/1' },
      { name: 'Blue Door Bakery', address: '88 Congress Ave, Austin, TX 78701', url: 'https://a.test/2' },
    ];
    expect(bestMatch(query, listings).listing).toBe(listings[0]);
  });

  it('the highest score wins, not the first candidate that passes', () => {
    // Both pass: the first as partial (wrong house number, score 0.63), the second as found.
    const q: BusinessQuery = { name: 'Smith & Sons Plumbing', location: '1200 W Main St, Austin, TX 78701' };
    const listings: Listing[] = [
      { name: 'Smith & Sons Plumbing', address: '900 W Main St, Austin, TX 78701' },
      { name: 'Smith & Sons Plumbing', address: '1200 W Main St, Austin, TX 78701' },
    ];
    const result = bestMatch(q, listings);
    expect(result.listing).toBe(listings[1]);
    expect(result.outcome).toBe('found');
  });

  it('is not_found with score 0 and no listing when no candidate passes', () => {
    const result = bestMatch(query, [
      { name: 'Blue Door Barbers', address: '90 Congress Ave, Austin, TX 78701' },
      { name: 'Blue Door Bakery', address: '300 Elm St, Dallas, TX 75201' },
    ]);
    expect(result).toEqual({ score: 0, outcome: 'not_found', fields: {} });
    expect('listing' in result).toBe(false);
  });

  it('is not_found for a site with no candidates', () => {
    expect(bestMatch(query, [])).toEqual({ score: 0, outcome: 'not_found', fields: {} });
  });
});
