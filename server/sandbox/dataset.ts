/**
 * The sandbox's world: a seeded set of US businesses, and for every site the subset it lists,
 * each listing with the site's own NAP variations recorded as ground truth.
 *
 *   seed ──► businesses[i]  (from (seed, i) alone: the first N are the same whatever the size)
 *              │
 *              └─► listing(site, business)  (from (seed, site, business) alone: order-free, lazy)
 *
 * Invariants: the same seed gives byte-identical businesses and listings; a variation is applied
 * only when it is recorded in the listing's `variations`, so a test can tell which differences
 * a matcher should forgive (`equivalent`) and which it should report (`differs`, `missing`).
 */
import { CATEGORIES, LEGAL_SUFFIX_PATTERN, generateBusinessName } from './business-names';
import { combineHashes, createRng, createRngFromHash, hashParts, type Rng } from './rng';
import { COMMON_SUFFIXES, DIRECTIONALS, STREET_NAMES, STREET_SUFFIXES, US_CITIES } from './us-places';

/** One business as it really is (the truth every listing is compared with). */
export interface SandboxBusiness {
  /** `b` + zero-padded index: `b000042`. */
  readonly id: string;
  readonly name: string;
  /** Category id (`bakery`, `plumbing` …). */
  readonly category: string;
  /** Street line in USPS style: `1200 W Main St Ste 4`. */
  readonly street: string;
  readonly city: string;
  /** USPS state code. */
  readonly state: string;
  /** Five-digit ZIP. */
  readonly zip: string;
  /** NANP national format: `(512) 871-2345`. Unique in the dataset. */
  readonly phone: string;
  /** `https://www.bluedoorbakery.com`; absent for businesses without a website. */
  readonly website?: string;
}

/** Field of a listing that a variation touches. */
export type VariationField = 'name' | 'address' | 'phone' | 'website';

/** What a variation means for a matcher: same fact written differently, a wrong fact, or no fact. */
export type VariationEffect = 'equivalent' | 'differs' | 'missing';

/** The ways a site's listing may depart from the business. */
export type VariationKind =
  | 'legal-suffix-dropped'
  | 'ampersand-spelled-out'
  | 'and-to-ampersand'
  | 'street-suffix-expanded'
  | 'directional-expanded'
  | 'unit-format'
  | 'unit-dropped'
  | 'old-address'
  | 'zip-plus-four'
  | 'old-phone'
  | 'phone-missing'
  | 'website-missing'
  | 'website-form';

/** One recorded departure of a listing from its business. `from`/`to` are the changed text. */
export interface SandboxVariation {
  readonly field: VariationField;
  readonly kind: VariationKind;
  readonly effect: VariationEffect;
  readonly from?: string;
  readonly to?: string;
}

/** How a site writes phone numbers. Formatting alone is never recorded as a variation. */
export type PhoneFormat = 'paren' | 'dash' | 'dot' | 'intl' | 'e164';

/** A business as one site shows it. */
export interface SandboxListing {
  readonly siteId: string;
  readonly businessId: string;
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly state: string;
  /** Five digits, or ZIP+4 (`78701-2345`) when the site shows it. */
  readonly zip: string;
  /** `street, City, ST ZIP`. */
  readonly address: string;
  /** In the site's phone format; absent when the site has none. */
  readonly phone?: string;
  readonly website?: string;
  /** Path of the listing's page on the sandbox, e.g. `/yasabe.com/biz/blue-door-bakery-b000042`. */
  readonly path: string;
  /** Departures from the business, in the order applied; empty for a faithful listing. */
  readonly variations: readonly SandboxVariation[];
}

/** What the dataset needs to know about a site to derive its listings. */
export interface DatasetSite {
  readonly id: string;
  /** Share of businesses the site lists, 0–1. */
  readonly coverage: number;
  /** Multiplier on the base variation rates: 0 = faithful copies, 1 = typical, 2 = sloppy. */
  readonly variationRate: number;
  readonly phoneFormat: PhoneFormat;
  /** Path segment of listing pages (`biz` → `/site/biz/slug-id`). */
  readonly detailPath: string;
  /**
   * Lists and varies the businesses as this other site does: one database behind two services
   * (OpenStreetMap's Nominatim and Overpass). Phone format and path stay the site's own. Default: the id.
   */
  readonly source?: string;
  /** First path segment of listing pages. Default: the id. */
  readonly pathRoot?: string;
  /**
   * `osm`: streets spelled out and no unit, the way OpenStreetMap tags addresses (each change
   * recorded as a variation). Default `usps`: abbreviations as the business writes them.
   */
  readonly addressStyle?: 'usps' | 'osm';
  /** The site shows no website at all (Yelp's API links its own page instead), recorded as missing. */
  readonly omitsWebsite?: boolean;
  /** Other ids `listingFor` and `listings` answer to (`yelp` for `api.yelp`). */
  readonly aliases?: readonly string[];
}

/** Options of {@link createDataset}. */
export interface DatasetOptions {
  /** Seed of everything. Integer. */
  readonly seed: number;
  /** Number of businesses. Integer, 1–1,000,000. */
  readonly size: number;
  readonly sites: readonly DatasetSite[];
}

/** The generated world. */
export interface SandboxDataset {
  readonly seed: number;
  /** All businesses, in id order. */
  readonly businesses: readonly SandboxBusiness[];
  /** A business by id. */
  business(businessId: string): SandboxBusiness | undefined;
  /** The listing as `siteId` shows it (with the variations applied), or undefined if unlisted. */
  listingFor(siteId: string, businessId: string): SandboxListing | undefined;
  /** Every listing of a site, in business id order. Computed once per site, then cached. */
  listings(siteId: string): readonly SandboxListing[];
}

interface StreetParts {
  readonly number: string;
  readonly directional?: string;
  readonly name: string;
  readonly suffix: string;
  readonly unit?: { readonly designator: 'Ste' | 'Unit' | '#'; readonly value: string };
}

interface BusinessRecord {
  readonly business: SandboxBusiness;
  readonly parts: StreetParts;
  /** `slugify(business.name)`, for the listing paths of the sites that show the name as is. */
  readonly slug: string;
  /** Hash of (seed, business id), combined with a site's keys to decide and draw its listing. */
  readonly key: readonly [number, number, number, number];
}

/** Per-site hashes combined with each business's key (see createDataset). */
interface SiteKeys {
  readonly lists: readonly [number, number, number, number];
  readonly listing: readonly [number, number, number, number];
}

/** Base probabilities of each variation for a site with `variationRate` 1. */
const BASE_RATES = {
  legalSuffixDropped: 0.45,
  ampersand: 0.3,
  oldAddress: 0.03,
  streetSuffixExpanded: 0.25,
  directionalExpanded: 0.15,
  unitDropped: 0.08,
  unitFormat: 0.2,
  zipPlusFour: 0.06,
  oldPhone: 0.05,
  phoneMissing: 0.03,
  websiteMissing: 0.15,
  websiteForm: 0.2,
} as const;

/** Generates the dataset. Businesses are built at once (~10,000 in well under 300 ms); listings on demand. */
export function createDataset(options: DatasetOptions): SandboxDataset {
  const { seed, size, sites } = options;
  if (!Number.isInteger(seed)) throw new RangeError(`Expected \`seed\` to be an integer, got ${seed}`);
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
    throw new RangeError(`Expected \`size\` to be an integer in 1–1,000,000, got ${size}`);
  }
  const siteById = new Map<string, DatasetSite>();
  for (const site of sites) {
    for (const id of [site.id, ...(site.aliases ?? [])]) {
      if (siteById.has(id)) throw new RangeError(`Expected unique site ids and aliases, got ${id} twice`);
      siteById.set(id, site);
    }
  }

  const records = generateBusinesses(seed, size);
  const indexById = new Map(records.map((record, index) => [record.business.id, index]));
  const businesses = records.map((record) => record.business);
  // Per site, by business index: the listing, null (not listed) or undefined (not computed yet).
  const listingCache = new Map<string, (SandboxListing | null | undefined)[]>();
  const allListings = new Map<string, readonly SandboxListing[]>();

  // Whether a site lists a business and how it varies it depend on (seed, site, business) alone:
  // the site's keys (from its `source`) combined with the business's key, hashed once each.
  const siteKeys = new Map<string, SiteKeys>();
  const keysOf = (site: DatasetSite): SiteKeys => {
    let keys = siteKeys.get(site.id);
    if (!keys) {
      const source = site.source ?? site.id;
      keys = { lists: hashParts([seed, 'lists', source]), listing: hashParts([seed, 'listing', source]) };
      siteKeys.set(site.id, keys);
    }
    return keys;
  };
  const listingAt = (site: DatasetSite, index: number): SandboxListing | undefined => {
    let cache = listingCache.get(site.id);
    if (!cache) listingCache.set(site.id, (cache = new Array<SandboxListing | null | undefined>(records.length)));
    let listing = cache[index];
    if (listing === undefined) {
      const record = records[index]!;
      const keys = keysOf(site);
      const listed = combineHashes(keys.lists, record.key)[0] / 4294967296 < site.coverage;
      listing = listed ? makeListing(site, record, createRngFromHash(combineHashes(keys.listing, record.key))) : null;
      cache[index] = listing;
    }
    return listing ?? undefined;
  };

  return {
    seed,
    businesses,
    business(businessId) {
      const index = indexById.get(businessId);
      return index === undefined ? undefined : businesses[index];
    },
    listingFor(siteId, businessId) {
      const site = siteById.get(siteId);
      const index = indexById.get(businessId);
      return site && index !== undefined ? listingAt(site, index) : undefined;
    },
    listings(siteId) {
      const site = siteById.get(siteId);
      let listings = site ? allListings.get(site.id) : undefined;
      if (!listings) {
        const found: SandboxListing[] = [];
        if (site) {
          for (let index = 0; index < records.length; index++) {
            const listing = listingAt(site, index);
            if (listing) found.push(listing);
          }
        }
        listings = found;
        if (site) allListings.set(site.id, listings);
      }
      return listings;
    },
  };
}

function generateBusinesses(seed: number, size: number): BusinessRecord[] {
  const idWidth = Math.max(6, String(size).length);
  const namesInCity = new Set<string>();
  const phones = new Set<string>();
  const domains = new Set<string>();
  const records: BusinessRecord[] = [];

  for (let index = 1; index <= size; index++) {
    const rng = createRng(seed, 'business', index);
    const city = rng.pick(US_CITIES);
    const category = rng.pick(CATEGORIES);

    // Real directories hold same-named businesses in different cities, never twice in one.
    let name = generateBusinessName(rng, category, city);
    for (let attempt = 0; attempt < 20 && namesInCity.has(`${name}|${city.city}|${city.state}`); attempt++) {
      name = generateBusinessName(rng, category, city);
    }
    namesInCity.add(`${name}|${city.city}|${city.state}`);

    let phone: string;
    do phone = randomPhone(rng, rng.pick(city.areaCodes));
    while (phones.has(phone));
    phones.add(phone);

    const parts = randomStreet(rng);
    const website = rng.chance(category.websiteRate) ? randomWebsite(rng, name, city.city, domains) : undefined;
    const business: SandboxBusiness = {
      id: `b${String(index).padStart(idWidth, '0')}`,
      name,
      category: category.id,
      street: formatStreet(parts),
      city: city.city,
      state: city.state,
      zip: city.zip,
      phone,
      ...(website === undefined ? {} : { website }),
    };
    records.push({ business, parts, slug: slugify(name), key: hashParts([seed, 'business-key', business.id]) });
  }
  return records;
}

/** A NANP number in the area code: exchange 2–9XX, never an N11 service code or 555. */
function randomPhone(rng: Rng, areaCode: string): string {
  let exchange: number;
  do exchange = rng.int(200, 999);
  while (exchange % 100 === 11 || exchange === 555);
  const line = String(rng.int(0, 9999)).padStart(4, '0');
  return `(${areaCode}) ${exchange}-${line}`;
}

function randomStreet(rng: Rng): StreetParts {
  const roll = rng.next();
  const number = String(roll < 0.1 ? rng.int(1, 99) : roll < 0.6 ? rng.int(1, 19) * 100 + rng.pick([0, 0, 0, 5, 10, 15, 20, 50]) : rng.int(2000, 9999));
  const unitRoll = rng.next();
  const unit =
    unitRoll < 0.2
      ? { designator: 'Ste' as const, value: String(rng.chance(0.6) ? rng.int(1, 4) * 100 + rng.int(0, 50) : rng.int(1, 20)) }
      : unitRoll < 0.27
        ? { designator: 'Unit' as const, value: rng.pick(['A', 'B', 'C', 'D', 'E', '1', '2', '3']) }
        : unitRoll < 0.33
          ? { designator: '#' as const, value: String(rng.int(1, 30)) }
          : undefined;
  return {
    number,
    ...(rng.chance(0.3) ? { directional: rng.pick(Object.keys(DIRECTIONALS)) } : {}),
    name: rng.pick(STREET_NAMES),
    suffix: rng.pick(COMMON_SUFFIXES),
    ...(unit ? { unit } : {}),
  };
}

function formatStreet(parts: StreetParts, spelled: { suffix?: boolean; directional?: boolean } = {}): string {
  const words = [parts.number];
  if (parts.directional) words.push(spelled.directional ? DIRECTIONALS[parts.directional]! : parts.directional);
  words.push(parts.name, spelled.suffix ? STREET_SUFFIXES[parts.suffix]! : parts.suffix);
  if (parts.unit) words.push(formatUnit(parts.unit.designator, parts.unit.value));
  return words.join(' ');
}

function formatUnit(designator: string, value: string): string {
  return designator === '#' ? `# ${value}` : `${designator} ${value}`;
}

function randomWebsite(rng: Rng, name: string, city: string, taken: Set<string>): string {
  const words = name
    .replace(LEGAL_SUFFIX_PATTERN, '')
    .replace(/^The /, '')
    .replaceAll('&', ' and ')
    .toLowerCase()
    .replaceAll(/['’.]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const join = rng.chance(0.15) ? '-' : '';
  const tld = rng.pick(['.com', '.com', '.com', '.com', '.com', '.com', '.com', '.com', '.net', '.us', '.co', '.biz']);
  const citySlug = city.toLowerCase().replaceAll(/[^a-z]/g, '');
  let domain = `${words.join(join)}${tld}`;
  for (let n = 2; taken.has(domain); n++) {
    domain = n === 2 ? `${words.join(join)}${join}${citySlug}${tld}` : `${words.join(join)}${join}${citySlug}${n}${tld}`;
  }
  taken.add(domain);
  return rng.chance(0.6) ? `https://www.${domain}` : `https://${domain}`;
}

/** Writes a national-format number `(512) 871-2345` in a site's format. */
export function formatPhone(phone: string, format: PhoneFormat): string {
  const digits = phone.replaceAll(/\D/g, '');
  const [area, exchange, line] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  switch (format) {
    case 'paren':
      return `(${area}) ${exchange}-${line}`;
    case 'dash':
      return `${area}-${exchange}-${line}`;
    case 'dot':
      return `${area}.${exchange}.${line}`;
    case 'intl':
      return `+1 ${area}-${exchange}-${line}`;
    case 'e164':
      return `+1${digits}`;
  }
}

/** `Blue Door Bakery` → `blue-door-bakery`: the readable part of a listing's path. */
export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replaceAll(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replaceAll('&', ' and ')
      .replaceAll(/['’]/g, '')
      .replaceAll(/[^a-z0-9]+/g, '-')
      .replaceAll(/^-+|-+$/g, '') || 'business'
  );
}

function makeListing(site: DatasetSite, record: BusinessRecord, rng: Rng): SandboxListing {
  const { business, parts } = record;
  const osm = site.addressStyle === 'osm';
  // Plain multiplications and pushes, no closures: this runs ~55,000 times per 10,000 businesses.
  const k = site.variationRate;
  const variations: SandboxVariation[] = [];

  let name = business.name;
  const legalSuffix = LEGAL_SUFFIX_PATTERN.exec(name)?.[0];
  if (legalSuffix && rng.chance(BASE_RATES.legalSuffixDropped * k)) {
    name = name.slice(0, -legalSuffix.length);
    variations.push({ field: 'name', kind: 'legal-suffix-dropped', effect: 'equivalent', from: legalSuffix.replace(/^,?\s+/, ''), to: '' });
  }
  if (name.includes(' & ') && rng.chance(BASE_RATES.ampersand * k)) {
    name = name.replaceAll(' & ', ' and ');
    variations.push({ field: 'name', kind: 'ampersand-spelled-out', effect: 'equivalent', from: '&', to: 'and' });
  } else if (name.includes(' and ') && rng.chance(BASE_RATES.ampersand * k)) {
    name = name.replaceAll(' and ', ' & ');
    variations.push({ field: 'name', kind: 'and-to-ampersand', effect: 'equivalent', from: 'and', to: '&' });
  }

  let street: string | undefined;
  if (rng.chance(BASE_RATES.oldAddress * k)) {
    // The business moved; this site still shows where it was.
    let oldName = rng.pick(STREET_NAMES);
    while (oldName === parts.name) oldName = rng.pick(STREET_NAMES);
    street = formatStreet({ number: String(rng.int(100, 9999)), name: oldName, suffix: rng.pick(COMMON_SUFFIXES) });
    variations.push({ field: 'address', kind: 'old-address', effect: 'differs', from: business.street, to: street });
  } else {
    const spelled = { suffix: false, directional: false };
    let unit = parts.unit;
    // `osm ||` first: an OSM-style site always spells out, without drawing.
    if (STREET_SUFFIXES[parts.suffix] && (osm || rng.chance(BASE_RATES.streetSuffixExpanded * k))) {
      spelled.suffix = true;
      variations.push({ field: 'address', kind: 'street-suffix-expanded', effect: 'equivalent', from: parts.suffix, to: STREET_SUFFIXES[parts.suffix] });
    }
    if (parts.directional && (osm || rng.chance(BASE_RATES.directionalExpanded * k))) {
      spelled.directional = true;
      variations.push({ field: 'address', kind: 'directional-expanded', effect: 'equivalent', from: parts.directional, to: DIRECTIONALS[parts.directional] });
    }
    if (unit && (osm || rng.chance(BASE_RATES.unitDropped * k))) {
      variations.push({ field: 'address', kind: 'unit-dropped', effect: 'differs', from: formatUnit(unit.designator, unit.value), to: '' });
      unit = undefined;
    } else if (unit && rng.chance(BASE_RATES.unitFormat * k)) {
      const to = unit.designator === 'Ste' ? rng.pick(['Suite', '#'] as const) : unit.designator === 'Unit' ? '#' : 'Unit';
      const from = formatUnit(unit.designator, unit.value);
      const written = to === '#' ? `#${unit.value}` : `${to} ${unit.value}`;
      variations.push({ field: 'address', kind: 'unit-format', effect: 'equivalent', from, to: written });
      street = `${formatStreet({ ...parts, unit: undefined }, spelled)} ${written}`;
    }
    street ??= formatStreet({ ...parts, unit }, spelled);
  }

  let zip = business.zip;
  if (rng.chance(BASE_RATES.zipPlusFour * k)) {
    zip = `${business.zip}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    variations.push({ field: 'address', kind: 'zip-plus-four', effect: 'equivalent', from: business.zip, to: zip });
  }

  let phone: string | undefined = business.phone;
  if (rng.chance(BASE_RATES.oldPhone * k)) {
    let old: string;
    do old = randomPhone(rng, business.phone.slice(1, 4));
    while (old === business.phone);
    variations.push({ field: 'phone', kind: 'old-phone', effect: 'differs', from: business.phone, to: old });
    phone = old;
  } else if (rng.chance(BASE_RATES.phoneMissing * k)) {
    variations.push({ field: 'phone', kind: 'phone-missing', effect: 'missing', from: business.phone });
    phone = undefined;
  }

  let website = business.website;
  if (website && (site.omitsWebsite || rng.chance(BASE_RATES.websiteMissing * k))) {
    variations.push({ field: 'website', kind: 'website-missing', effect: 'missing', from: website });
    website = undefined;
  } else if (website && rng.chance(BASE_RATES.websiteForm * k)) {
    const bare = website.replace(/^https:\/\/(www\.)?/, '');
    const other = website.includes('://www.') ? rng.pick([`http://${bare}`, `https://${bare}`, `http://www.${bare}/`]) : rng.pick([`http://${bare}`, `https://www.${bare}`, `http://www.${bare}/`]);
    variations.push({ field: 'website', kind: 'website-form', effect: 'equivalent', from: website, to: other });
    website = other;
  }

  const listing: { -readonly [K in keyof SandboxListing]: SandboxListing[K] } = {
    siteId: site.id,
    businessId: business.id,
    name,
    street,
    city: business.city,
    state: business.state,
    zip,
    address: `${street}, ${business.city}, ${business.state} ${zip}`,
    path: `/${site.pathRoot ?? site.id}/${site.detailPath}/${name === business.name ? record.slug : slugify(name)}-${business.id}`,
    variations,
  };
  if (phone !== undefined) listing.phone = formatPhone(phone, site.phoneFormat);
  if (website !== undefined) listing.website = website;
  return listing;
}
