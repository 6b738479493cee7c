/**
 * Reads listings out of a site's answer by its definition's `extract` rules. Site data is
 * hostile: everything comes out as plain strings, bounded in length, never as markup.
 *
 * HTML: `item` selects each result; a field is a CSS selector relative to the item whose first
 * match's text is taken, `sel@attr` for an attribute of the first match, or `@attr` for an
 * attribute of the item itself.
 * JSON: `items` is a dot path to the array (`""` when the root is the array); fields are dot paths
 * relative to an item, numeric segments index arrays, and an array of strings is joined by ", ".
 */
import * as cheerio from 'cheerio';
import type { Listing } from '../../lib/types';
import type { SiteDefinition } from './site-definition';

/** Listings read from one answer are capped: a directory page shows a few dozen at most. */
export const MAX_LISTINGS_PER_ANSWER = 50;
/** Longest field value kept; longer site text is cut. */
export const MAX_FIELD_CHARS = 500;

type ListingField = 'name' | 'address' | 'phone' | 'website' | 'url';
const LISTING_FIELDS: readonly ListingField[] = ['name', 'address', 'phone', 'website', 'url'];

function clean(value: unknown): string | undefined {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/\s+/g, ' ').trim().slice(0, MAX_FIELD_CHARS);
  return text || undefined;
}

function toListing(read: (field: ListingField) => string | undefined): Listing | undefined {
  const values: Partial<Record<ListingField, string>> = {};
  for (const field of LISTING_FIELDS) {
    const value = read(field);
    if (value !== undefined) values[field] = value;
  }
  if (!values.name) return undefined;
  return { ...values, name: values.name };
}

/** Listings from an HTML page. */
export function extractHtml(html: string, rules: Extract<SiteDefinition, { kind: 'html' }>['extract']): Listing[] {
  const $ = cheerio.load(html);
  const listings: Listing[] = [];
  $(rules.item)
    .slice(0, MAX_LISTINGS_PER_ANSWER)
    .each((_, element) => {
      const item = $(element);
      const listing = toListing((field) => {
        const rule = rules[field];
        if (!rule) return undefined;
        const at = rule.lastIndexOf('@');
        const selector = at >= 0 ? rule.slice(0, at).trim() : rule;
        const attribute = at >= 0 ? rule.slice(at + 1).trim() : undefined;
        const target = selector ? item.find(selector).first() : item;
        return clean(attribute ? target.attr(attribute) : target.text());
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
    const listing = toListing((field) => {
      const path = rules[field];
      if (!path) return undefined;
      const value = readPath(item, path);
      return Array.isArray(value) ? clean(value.filter((v) => typeof v === 'string').join(', ')) : clean(value);
    });
    if (listing) listings.push(listing);
  }
  return listings;
}
