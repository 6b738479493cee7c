/**
 * Reads listings out of a site's answer by its definition's `extract` rules. Site data is
 * hostile: everything comes out as plain strings, bounded in length, never as markup.
 *
 * HTML: `item` selects each result; a field is a CSS selector relative to the item whose first
 * match's text is taken, `sel@attr` for an attribute of the first match, or `@attr` for an
 * attribute of the item itself.
 * With `jsonLd: true`, the page's JSON-LD (`<script type="application/ld+json">`) is read first:
 * every schema.org LocalBusiness (or subtype: Restaurant, Dentist …) in it becomes a listing, and
 * the selectors are the fallback for pages that carry none.
 * JSON: `items` is a dot path to the array (`""` when the root is the array); fields are dot paths
 * relative to an item, numeric segments index arrays, and an array of strings is joined by ", ".
 */
import * as cheerio from 'cheerio';
import { safeHref } from '../../lib/safe-href';
import type { Listing } from '../../lib/types';
import { formatAddress, LISTING_FIELDS, toListing } from './listing-fields';
import type { SiteDefinition } from './site-definition';
import { cleanText } from './site-text';

/** Listings read from one answer are capped: a directory page shows a few dozen at most. */
export const MAX_LISTINGS_PER_ANSWER = 50;

/**
 * A link from site data: its site text, if that is an absolute http(s) URL once resolved against
 * `base` (see {@link safeHref}), so a site cannot smuggle a `javascript:` or `data:` link into
 * the page.
 */
export function webUrl(value: unknown, base?: URL | string): string | undefined {
  return safeHref(cleanText(value), base);
}

/** A listing from a reader of each field. */
function readListing(read: (field: keyof Listing) => string | undefined): Listing | undefined {
  return toListing(Object.fromEntries(LISTING_FIELDS.map((field) => [field, read(field)])));
}

/**
 * Listings from an HTML page. `pageUrl` (where the page came from) tells a JSON-LD `url` that
 * is the listing's page on the site from one that is the business's own website.
 */
export function extractHtml(
  html: string,
  rules: Extract<SiteDefinition, { kind: 'html' }>['extract'],
  pageUrl?: URL,
): Listing[] {
  return extractHtmlFrom(cheerio.load(html), rules, pageUrl);
}

/** {@link extractHtml} on a page already parsed, for callers that read the page further. */
export function extractHtmlFrom(
  $: cheerio.CheerioAPI,
  rules: Extract<SiteDefinition, { kind: 'html' }>['extract'],
  pageUrl?: URL,
): Listing[] {
  if (rules.jsonLd) {
    const fromJsonLd = extractJsonLd($, pageUrl);
    if (fromJsonLd.length > 0) return fromJsonLd;
  }
  const listings: Listing[] = [];
  $(rules.item)
    .slice(0, MAX_LISTINGS_PER_ANSWER)
    .each((_, element) => {
      const item = $(element);
      const listing = readListing((field) => {
        const rule = rules[field];
        if (!rule) return undefined;
        const at = rule.lastIndexOf('@');
        const selector = at >= 0 ? rule.slice(0, at).trim() : rule;
        const attribute = at >= 0 ? rule.slice(at + 1).trim() : undefined;
        const target = selector ? item.find(selector).first() : item;
        return cleanText(attribute ? target.attr(attribute) : target.text());
      });
      if (listing) listings.push(listing);
    });
  return listings;
}

/** Follows a dot path (`a.b.0.c`) into parsed JSON. */
export function readPath(root: unknown, path: string): unknown {
  if (path === '') return root;
  let value: unknown = root;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    // Own properties only: a path must never reach the prototype chain of site data.
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Listings from a JSON answer. */
export function extractJson(body: unknown, rules: Extract<SiteDefinition, { kind: 'json' }>['extract']): Listing[] {
  const items = readPath(body, rules.items);
  if (!Array.isArray(items)) return [];
  const listings: Listing[] = [];
  for (const item of items.slice(0, MAX_LISTINGS_PER_ANSWER)) {
    const listing = readListing((field) => {
      const path = rules[field];
      if (!path) return undefined;
      const value = readPath(item, path);
      return Array.isArray(value) ? cleanText(value.filter((v) => typeof v === 'string').join(', ')) : cleanText(value);
    });
    if (listing) listings.push(listing);
  }
  return listings;
}

/** schema.org types read as a business: LocalBusiness and the subtypes directories use. */
const BUSINESS_TYPES: ReadonlySet<string> = new Set(
  [
    'LocalBusiness', 'Store', 'Restaurant', 'FoodEstablishment', 'CafeOrCoffeeShop',
    'Bakery', 'BarOrPub', 'Dentist', 'MedicalBusiness', 'MedicalClinic', 'Physician', 'LegalService',
    'Attorney', 'AccountingService', 'FinancialService', 'InsuranceAgency', 'RealEstateAgent',
    'HomeAndConstructionBusiness', 'Plumber', 'Electrician', 'HVACBusiness', 'RoofingContractor',
    'Locksmith', 'MovingCompany', 'GeneralContractor', 'HousePainter', 'AutomotiveBusiness',
    'AutoRepair', 'AutoBodyShop', 'HealthAndBeautyBusiness', 'HairSalon', 'BeautySalon', 'NailSalon',
    'DaySpa', 'ExerciseGym', 'SportsActivityLocation', 'Florist', 'PetStore', 'HardwareStore',
    'BookStore', 'ProfessionalService', 'VeterinaryCare', 'ChildCare', 'EmergencyService',
  ].map((type) => type.toLowerCase()),
);

/** JSON-LD nodes nested deeper than this are ignored: real pages nest three or four levels. */
const MAX_JSON_LD_DEPTH = 6;

/**
 * LocalBusiness objects from a page's JSON-LD blocks, searched through arrays, `@graph` and
 * ItemList `itemListElement`/`item`. A block that is not valid JSON is skipped: a page may carry
 * several, written by different plugins, and one broken block says nothing of the others.
 */
function extractJsonLd($: cheerio.CheerioAPI, pageUrl: URL | undefined): Listing[] {
  const listings: Listing[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (listings.length >= MAX_LISTINGS_PER_ANSWER || depth > MAX_JSON_LD_DEPTH) return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    const types = ([] as unknown[]).concat(readPath(object, '@type') ?? []);
    if (types.some((type) => typeof type === 'string' && BUSINESS_TYPES.has(type.toLowerCase()))) {
      const listing = jsonLdListing(object, pageUrl);
      if (listing) listings.push(listing);
      return;
    }
    for (const key of ['@graph', 'itemListElement', 'item', 'mainEntity']) visit(readPath(object, key), depth + 1);
  };
  $('script[type="application/ld+json"]').each((_, element) => {
    let json: unknown;
    try {
      json = JSON.parse($(element).text());
    } catch {
      return;
    }
    visit(json, 0);
  });
  return listings;
}

/** One LocalBusiness as a listing; its `url` is the listing page when on the page's host, else its website. */
function jsonLdListing(object: Record<string, unknown>, pageUrl: URL | undefined): Listing | undefined {
  const link = webUrl(readPath(object, 'url'), pageUrl);
  const onSite = link !== undefined && pageUrl !== undefined && new URL(link).host === pageUrl.host;
  return toListing({
    name: cleanText(readPath(object, 'name')),
    address: jsonLdAddress(readPath(object, 'address')),
    phone: cleanText(readPath(object, 'telephone')),
    website: onSite ? undefined : link,
    url: onSite ? link : undefined,
  });
}

/** A schema.org PostalAddress (or plain text) as one line: `street, locality, region postalCode`. */
function jsonLdAddress(value: unknown): string | undefined {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return jsonLdAddress(value[0]);
  if (value === null || typeof value !== 'object') return undefined;
  const address = value as Record<string, unknown>;
  const part = (key: string) => cleanText(readPath(address, key));
  return formatAddress({
    street: part('streetAddress'),
    city: part('addressLocality'),
    state: part('addressRegion'),
    zip: part('postalCode'),
  });
}
