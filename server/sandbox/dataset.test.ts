import { isValidPhoneNumber, parsePhoneNumber } from 'libphonenumber-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_DATASET_SITES } from './apis';
import { createDataset, formatPhone, type SandboxDataset, type VariationKind } from './dataset';
import { businessPosition, cityPosition, distanceKm } from './geo';
import { SANDBOX_SITES } from './sandbox-sites';
import { CITY_POSITIONS, US_CITIES } from './us-places';

const make = (seed: number, size: number) => createDataset({ seed, size, sites: SANDBOX_SITES });
const e164 = (phone: string) => parsePhoneNumber(phone, 'US').number;

/** The first n businesses and every site's listings of them, as JSON. */
const snapshot = (dataset: SandboxDataset, n: number) =>
  JSON.stringify({
    businesses: dataset.businesses.slice(0, n),
    listings: SANDBOX_SITES.map((site) => dataset.businesses.slice(0, n).map((b) => dataset.listingFor(site.id, b.id) ?? null)),
  });

describe('createDataset: determinism', () => {
  it('gives byte-identical businesses and listings for the same seed', () => {
    expect(snapshot(make(42, 1000), 300)).toBe(snapshot(make(42, 1000), 300));
  });

  it('gives different data for a different seed', () => {
    const a = make(1, 300);
    const b = make(2, 300);
    expect(JSON.stringify(a.businesses)).not.toBe(JSON.stringify(b.businesses));
    const differing = a.businesses.filter((business, i) => business.name !== b.businesses[i]!.name).length;
    expect(differing).toBeGreaterThan(250);
  });

  it('keeps the first businesses whatever the size, and listings whatever the order asked', () => {
    const small = make(5, 200);
    const large = make(5, 2000);
    expect(JSON.stringify(large.businesses.slice(0, 200))).toBe(JSON.stringify(small.businesses));
    // listings(): computed in id order; listingFor(): one at a time, here in reverse.
    const reversed = [...small.businesses].reverse().flatMap((b) => small.listingFor('yasabe.com', b.id) ?? []).reverse();
    expect(JSON.stringify(large.listings('yasabe.com').filter((l) => l.businessId <= small.businesses.at(-1)!.id))).toBe(JSON.stringify(reversed));
  });

  it('rejects a bad size or seed with a message naming it', () => {
    expect(() => make(1, 0)).toThrow('Expected `size` to be an integer in 1–1,000,000, got 0');
    expect(() => make(1.5, 10)).toThrow('Expected `seed` to be an integer, got 1.5');
  });
});

describe('createDataset: realism (10,000 businesses)', () => {
  let dataset: SandboxDataset;
  beforeAll(() => {
    dataset = make(1, 10_000);
  });

  it('has unique ids and phones, and names that repeat at most across cities', () => {
    const { businesses } = dataset;
    expect(businesses).toHaveLength(10_000);
    expect(new Set(businesses.map((b) => b.id)).size).toBe(10_000);
    expect(new Set(businesses.map((b) => b.phone)).size).toBe(10_000);
    expect(new Set(businesses.map((b) => `${b.name}|${b.city}|${b.state}`)).size).toBeGreaterThan(9_990);
    expect(new Set(businesses.map((b) => b.name)).size).toBeGreaterThan(9_000);
    expect(dataset.business('b000042')).toBe(businesses[41]);
  });

  it('places every business in a real city with its ZIP and a valid phone in one of its area codes', () => {
    const cities = new Map(US_CITIES.map((c) => [`${c.city}|${c.state}`, c]));
    const problems = dataset.businesses.flatMap((b) => {
      const city = cities.get(`${b.city}|${b.state}`);
      const wrong = [
        !city && 'unknown city',
        city && b.zip !== city.zip && 'ZIP of another city',
        !/^\(\d{3}\) [2-9]\d{2}-\d{4}$/.test(b.phone) && 'phone format',
        city && !city.areaCodes.includes(b.phone.slice(1, 4)) && 'area code of another city',
        !isValidPhoneNumber(b.phone, 'US') && 'phone invalid for libphonenumber',
        !/^\d+ (?:(?:N|S|E|W|NE|NW|SE|SW) )?[\w .]+ (?:St|Ave|Blvd|Rd|Dr|Ln|Pkwy|Ct|Pl|Hwy|Cir|Trl|Ter|Sq)(?: (?:Ste \d+|Unit \w|# \d+))?$/.test(b.street) && 'street shape',
      ].filter(Boolean);
      return wrong.length > 0 ? [`${b.id} ${b.street} ${b.phone}: ${wrong.join(', ')}`] : [];
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('names businesses like real ones: legal suffixes, ampersands, apostrophes, many trades', () => {
    const names = dataset.businesses.map((b) => b.name);
    const share = (re: RegExp) => names.filter((n) => re.test(n)).length / names.length;
    expect(share(/ LLC$/)).toBeGreaterThan(0.05);
    expect(share(/ & /)).toBeGreaterThan(0.05);
    expect(share(/'s /)).toBeGreaterThan(0.05);
    expect(share(/^The /)).toBeGreaterThan(0.005);
    expect(new Set(dataset.businesses.map((b) => b.category)).size).toBeGreaterThanOrEqual(20);
    const websites = dataset.businesses.filter((b) => b.website);
    expect(websites.length / 10_000).toBeGreaterThan(0.75);
    expect(websites.length / 10_000).toBeLessThan(0.95);
    expect(new Set(websites.map((b) => b.website!.replace(/^https:\/\/(www\.)?/, ''))).size).toBe(websites.length);
  });

  it('lists on each site about its coverage share of the businesses', () => {
    for (const site of SANDBOX_SITES) {
      const share = dataset.listings(site.id).length / 10_000;
      expect(share, site.id).toBeGreaterThan(site.coverage - 0.03);
      expect(share, site.id).toBeLessThan(site.coverage + 0.03);
    }
    expect(dataset.listingFor('no-such-site', 'b000001')).toBeUndefined();
    expect(dataset.listingFor('yasabe.com', 'b999999')).toBeUndefined();
  });

  it('records every departure of a listing from its business as a variation', () => {
    const seen = new Set<VariationKind>();
    const problems: string[] = [];
    const check = (ok: boolean, what: string, listing: { siteId: string; businessId: string }) => {
      if (!ok) problems.push(`${listing.siteId} ${listing.businessId}: ${what}`);
    };
    for (const site of SANDBOX_SITES) {
      for (const listing of dataset.listings(site.id)) {
        const b = dataset.business(listing.businessId)!;
        const kinds = new Set(listing.variations.map((v) => v.kind));
        for (const kind of kinds) seen.add(kind);
        const touched = (field: string) => listing.variations.some((v) => v.field === field);

        if (!touched('name')) check(listing.name === b.name, 'name changed silently', listing);
        if (!touched('address')) check(listing.street === b.street && listing.zip === b.zip, 'address changed silently', listing);
        check(listing.address === `${listing.street}, ${b.city}, ${b.state} ${listing.zip}`, 'address line', listing);
        if (!touched('phone')) check(listing.phone === formatPhone(b.phone, site.phoneFormat), 'phone changed silently', listing);
        if (!touched('website')) check(listing.website === b.website, 'website changed silently', listing);

        if (kinds.has('old-phone')) check(e164(listing.phone!) !== e164(b.phone), 'old phone is the current one', listing);
        if (kinds.has('phone-missing')) check(listing.phone === undefined, 'missing phone shown', listing);
        if (!kinds.has('old-phone') && listing.phone) check(e164(listing.phone) === e164(b.phone), 'phone number differs', listing);
        if (kinds.has('website-missing')) check(listing.website === undefined, 'missing website shown', listing);
        const dropped = listing.variations.find((v) => v.kind === 'legal-suffix-dropped')?.from;
        if (dropped) check(b.name.endsWith(dropped) && !listing.name.endsWith(dropped), `suffix ${dropped} not dropped`, listing);
        if (kinds.has('zip-plus-four')) check(new RegExp(`^${b.zip}-\\d{4}$`).test(listing.zip), 'ZIP+4', listing);
        if (kinds.has('old-address')) check(listing.street !== b.street, 'old address is the current one', listing);
        for (const v of listing.variations) {
          const effect = ['old-address', 'old-phone', 'unit-dropped'].includes(v.kind) ? 'differs' : v.kind.endsWith('-missing') ? 'missing' : 'equivalent';
          check(v.effect === effect, `${v.kind} marked ${v.effect}`, listing);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect([...seen].sort()).toEqual(
      [
        'legal-suffix-dropped', 'ampersand-spelled-out', 'and-to-ampersand', 'street-suffix-expanded',
        'directional-expanded', 'unit-format', 'unit-dropped', 'old-address', 'zip-plus-four',
        'old-phone', 'phone-missing', 'website-missing', 'website-form',
      ].sort(),
    );
  });

  it('leaves most listings faithful and varies the sloppier sites more', () => {
    const variedShare = (siteId: string) => {
      const listings = dataset.listings(siteId);
      return listings.filter((l) => l.variations.some((v) => v.effect !== 'equivalent')).length / listings.length;
    };
    expect(variedShare('foursquare.com')).toBeLessThan(0.2);
    expect(variedShare('brownbook.net')).toBeGreaterThan(variedShare('foursquare.com'));
  });

  it('writes phones in the site format, all parsing to the same number', () => {
    const phone = '(512) 871-2345';
    expect(formatPhone(phone, 'paren')).toBe('(512) 871-2345');
    expect(formatPhone(phone, 'dash')).toBe('512-871-2345');
    expect(formatPhone(phone, 'dot')).toBe('512.871.2345');
    expect(formatPhone(phone, 'intl')).toBe('+1 512-871-2345');
    expect(formatPhone(phone, 'e164')).toBe('+15128712345');
    for (const format of ['paren', 'dash', 'dot', 'intl', 'e164'] as const) {
      expect(e164(formatPhone(phone, format))).toBe('+15128712345');
    }
  });
});

describe('createDataset: place-API sites', () => {
  const sites = [...SANDBOX_SITES, ...API_DATASET_SITES];
  let dataset: SandboxDataset;
  beforeAll(() => {
    dataset = createDataset({ seed: 3, size: 3000, sites });
  });

  it('lists each API’s own subset, reachable by its id and its kind, with paths under its prefix', () => {
    for (const site of API_DATASET_SITES) {
      const listings = dataset.listings(site.id);
      expect(listings.length / 3000, site.id).toBeGreaterThan(site.coverage - 0.05);
      expect(listings.length / 3000, site.id).toBeLessThan(site.coverage + 0.05);
      const kind = site.id.slice('api.'.length);
      expect(dataset.listings(kind)).toBe(listings);
      expect(dataset.listingFor(kind, listings[0]!.businessId)).toBe(listings[0]);
      expect(listings[0]!.siteId).toBe(site.id);
      expect(listings[0]!.path.startsWith(`/${kind}/${site.detailPath}/`)).toBe(true);
    }
  });

  it('gives Nominatim and Overpass the same OpenStreetMap data: same businesses, same variations', () => {
    const nominatim = dataset.listings('api.nominatim');
    const overpass = dataset.listings('api.overpass');
    expect(overpass.map((l) => l.businessId)).toEqual(nominatim.map((l) => l.businessId));
    expect(overpass.map((l) => [l.name, l.street, l.zip, l.phone, l.website])).toEqual(nominatim.map((l) => [l.name, l.street, l.zip, l.phone, l.website]));
  });

  it('writes OSM addresses spelled out and without units, recording each change', () => {
    const suffixes = /\b(?:St|Ave|Blvd|Rd|Dr|Ln|Pkwy|Ct|Pl|Hwy|Cir|Trl|Ter|Sq)$/;
    for (const listing of dataset.listings('api.nominatim')) {
      if (listing.variations.some((v) => v.kind === 'old-address')) continue;
      expect(listing.street, listing.businessId).not.toMatch(suffixes);
      expect(listing.street, listing.businessId).not.toMatch(/\b(?:Ste|Suite|Unit) |#/);
      const business = dataset.business(listing.businessId)!;
      if (/ (?:Ste|Unit) \w+$| # \d+$/.test(business.street)) {
        expect(listing.variations.map((v) => v.kind)).toContain('unit-dropped');
      }
    }
  });

  it('never shows a website on Yelp, and records it as missing', () => {
    for (const listing of dataset.listings('api.yelp')) {
      expect(listing.website).toBeUndefined();
      if (dataset.business(listing.businessId)!.website) {
        expect(listing.variations).toContainEqual(expect.objectContaining({ field: 'website', kind: 'website-missing', effect: 'missing' }));
      }
    }
  });

  it('rejects an id or alias used twice', () => {
    expect(() => createDataset({ seed: 1, size: 10, sites: [...API_DATASET_SITES, { ...API_DATASET_SITES[0]!, id: 'other', aliases: ['nominatim'] }] })).toThrow(
      'Expected unique site ids and aliases, got nominatim twice',
    );
  });

  it('places every city and every business: near its city, the same for the same seed', () => {
    for (const city of US_CITIES) expect(CITY_POSITIONS[`${city.city}|${city.state}`], city.city).toBeDefined();
    for (const business of dataset.businesses.slice(0, 200)) {
      const position = businessPosition(3, business);
      expect(distanceKm(position, cityPosition(business.city, business.state)!)).toBeLessThan(6);
      expect(businessPosition(3, business)).toEqual(position);
    }
  });
});
