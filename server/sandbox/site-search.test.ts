import { describe, expect, it } from 'vitest';
import type { SandboxListing } from './dataset';
import { SiteSearchIndex, matchesLocation, nameTokens, parseLocation } from './site-search';

let nextId = 1;
const listing = (name: string, city = 'Austin', state = 'TX', zip = '78701'): SandboxListing => {
  const businessId = `b${String(nextId++).padStart(6, '0')}`;
  return {
    siteId: 'test.site',
    businessId,
    name,
    street: '1 Main St',
    city,
    state,
    zip,
    address: `1 Main St, ${city}, ${state} ${zip}`,
    path: `/test.site/biz/x-${businessId}`,
    variations: [],
  };
};

const place = (where: string) => ({
  austin: matchesLocation(parseLocation(where)!, { city: 'Austin', state: 'TX', zip: '78701' }),
  dallas: matchesLocation(parseLocation(where)!, { city: 'Dallas', state: 'TX', zip: '75201' }),
  portlandOR: matchesLocation(parseLocation(where)!, { city: 'Portland', state: 'OR', zip: '97204' }),
  portlandME: matchesLocation(parseLocation(where)!, { city: 'Portland', state: 'ME', zip: '04101' }),
});

describe('nameTokens', () => {
  it('ignores case, punctuation, & / and, legal suffixes and "the"', () => {
    expect(nameTokens('Smith & Sons Plumbing, LLC')).toEqual(['smith', 'sons', 'plumbing']);
    expect(nameTokens('smith and sons plumbing')).toEqual(['smith', 'sons', 'plumbing']);
    expect(nameTokens("The Tony's Café Inc.")).toEqual(['tonys', 'cafe']);
    expect(nameTokens('Garcia Bros. Roofing')).toEqual(['garcia', 'brothers', 'roofing']);
  });
});

describe('parseLocation + matchesLocation', () => {
  it('is no filter when empty', () => {
    expect(parseLocation('')).toBeUndefined();
    expect(parseLocation(' , ')).toBeUndefined();
  });

  it('selects a city, in the state named when one is', () => {
    expect(place('Austin, TX')).toEqual({ austin: true, dallas: false, portlandOR: false, portlandME: false });
    expect(place('Portland')).toEqual({ austin: false, dallas: false, portlandOR: true, portlandME: true });
    expect(place('Portland, ME')).toEqual({ austin: false, dallas: false, portlandOR: false, portlandME: true });
    expect(place('portland oregon')).toEqual({ austin: false, dallas: false, portlandOR: true, portlandME: false });
  });

  it('selects a ZIP, or a state alone', () => {
    expect(place('97204')).toEqual({ austin: false, dallas: false, portlandOR: true, portlandME: false });
    expect(place('TX')).toEqual({ austin: true, dallas: true, portlandOR: false, portlandME: false });
    expect(place('Texas')).toEqual({ austin: true, dallas: true, portlandOR: false, portlandME: false });
    // A ZIP+4 listing is in its five-digit ZIP.
    expect(matchesLocation(parseLocation('78701')!, { city: 'Austin', state: 'TX', zip: '78701-1234' })).toBe(true);
  });

  it('selects nothing for a place it does not know', () => {
    expect(place('Gotham')).toEqual({ austin: false, dallas: false, portlandOR: false, portlandME: false });
    expect(place('99999')).toEqual({ austin: false, dallas: false, portlandOR: false, portlandME: false });
  });

  it('tells city names from state names inside them', () => {
    const kc = { city: 'Kansas City', state: 'MO', zip: '64106' };
    expect(matchesLocation(parseLocation('Kansas City, MO')!, kc)).toBe(true);
    const buffalo = { city: 'Buffalo', state: 'NY', zip: '14202' };
    const nyc = { city: 'New York', state: 'NY', zip: '10001' };
    expect(matchesLocation(parseLocation('Buffalo, New York')!, buffalo)).toBe(true);
    expect(matchesLocation(parseLocation('Buffalo, New York')!, nyc)).toBe(false);
    expect(matchesLocation(parseLocation('New York, NY')!, nyc)).toBe(true);
    const dc = { city: 'Washington', state: 'DC', zip: '20001' };
    expect(matchesLocation(parseLocation('Washington, DC')!, dc)).toBe(true);
    expect(matchesLocation(parseLocation('Seattle, Washington')!, dc)).toBe(false);
    expect(matchesLocation(parseLocation('Seattle, Washington')!, { city: 'Seattle', state: 'WA', zip: '98101' })).toBe(true);
    expect(matchesLocation(parseLocation('Saint Louis')!, { city: 'St. Louis', state: 'MO', zip: '63101' })).toBe(true);
  });
});

describe('SiteSearchIndex', () => {
  it('finds a listing by every query word, whatever its legal suffix and ampersand', () => {
    const target = listing('Smith and Sons Plumbing');
    const index = new SiteSearchIndex([listing('Smith Roofing'), target, listing('Jones & Sons Plumbing')]);
    expect(index.search('Smith & Sons Plumbing LLC')).toEqual([target]);
    expect(index.search('smith plumb')).toEqual([target]);
    expect(index.search('Sons Plumbing').map((l) => l.name)).toEqual(['Smith and Sons Plumbing', 'Jones & Sons Plumbing']);
  });

  it('ranks the exact name first, then the shortest names', () => {
    const exact = listing('Blue Door Bakery');
    const index = new SiteSearchIndex([listing('Blue Door Bakery & Cafe Express'), listing('Blue Door Bakery Cafe'), exact]);
    expect(index.search('Blue Door Bakery').map((l) => l.name)).toEqual([
      'Blue Door Bakery',
      'Blue Door Bakery Cafe',
      'Blue Door Bakery & Cafe Express',
    ]);
  });

  it('filters by location and returns at most ten', () => {
    const here = Array.from({ length: 12 }, (_, i) => listing(`Lone Star Dental ${i}`));
    const there = listing('Lone Star Dental Care', 'Dallas', 'TX', '75201');
    const index = new SiteSearchIndex([...here, there]);
    expect(index.search('Lone Star Dental')).toHaveLength(10);
    expect(index.search('Lone Star Dental', 'Dallas, TX')).toEqual([there]);
    expect(index.search('Lone Star Dental', '78701')).toHaveLength(10);
    expect(index.search('Lone Star Dental', 'Portland, OR')).toEqual([]);
  });

  it('finds nothing for a query of ignored words only or of unknown words', () => {
    const index = new SiteSearchIndex([listing('The Rusty Anchor')]);
    expect(index.search('The LLC')).toEqual([]);
    expect(index.search('Rusty Kettle')).toEqual([]);
    expect(index.search('rusty anchor')).toHaveLength(1);
  });
});
