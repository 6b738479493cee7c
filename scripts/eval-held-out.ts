/**
 * The held-out matching evaluation: pairs composed from published name-variation facts
 * (`server/sites/eval/variation-facts.ts`: USPS Publication 28 suffixes, directionals and unit
 * designators, business-name abbreviations, neighbourhood/city pairs of ten metros), not from
 * the sandbox's generator nor from the matcher's own tables. It imports only the matcher's
 * public entry points.
 *
 *   base business (what the owner types) ─┬─ positives: the same business as another guide writes it
 *                                         │   (same phone and street number; one or two variation classes)
 *                                         └─ negatives: the same name in another city, a namesake in the
 *                                             same city sharing a distinctive word, a descriptive variant elsewhere
 *
 * Queries come in three shapes, as users type them: name + street + phone, name + city + phone,
 * name + street without a phone. Scored pairwise (positive = `found` or `partial`) and by
 * bestMatch over the positive and every negative of its query.
 */
import type { BusinessQuery, Listing } from '../lib/types';
import { bestMatch, matchListing } from '../server/sites/match';
import {
  BUSINESSES,
  DESCRIPTIVE_PREFIXES,
  DESCRIPTIVE_TAILS,
  DIRECTIONALS,
  NAME_ABBREVIATIONS,
  NEIGHBOURHOODS,
  PHONE_FORMATS,
  STREET_SUFFIXES,
  type HeldOutBusiness,
} from '../server/sites/eval/variation-facts';

/** One judged pair: a query, a listing, and whether they are the same business. */
export interface HeldOutPair {
  readonly variation: string;
  readonly query: BusinessQuery;
  readonly listing: Listing;
  readonly same: boolean;
}

/** How users type a query: name + street + phone, name + city + phone, name + street. */
export type Shape = 'street+phone' | 'city+phone' | 'street';
export const SHAPES: readonly Shape[] = ['street+phone', 'city+phone', 'street'];

const phoneOf = (business: HeldOutBusiness, format = 0) =>
  PHONE_FORMATS[format % PHONE_FORMATS.length]!(business.phone.slice(0, 3), business.phone.slice(3, 6), business.phone.slice(6));

function streetLine(business: HeldOutBusiness, options: { suffix?: string; directional?: 'before' | 'after' | 'abbreviated-after' } = {}): string {
  const suffix = options.suffix ?? business.suffix;
  const dir = business.directional;
  const short = DIRECTIONALS.find(([full]) => full === dir)?.[1];
  if (!dir) return `${business.number} ${business.street} ${suffix}`;
  if (options.directional === 'after') return `${business.number} ${business.street} ${suffix} ${dir}`;
  if (options.directional === 'abbreviated-after') return `${business.number} ${business.street} ${suffix} ${short}`;
  return `${business.number} ${dir} ${business.street} ${suffix}`;
}

function queryOf(business: HeldOutBusiness, shape: Shape): BusinessQuery {
  const city = `${business.city}, ${business.state}`;
  return {
    name: business.name,
    location: shape === 'city+phone' ? city : `${streetLine(business)}, ${city} ${business.zip}`,
    ...(shape === 'street' ? {} : { phone: phoneOf(business) }),
  };
}

const listingOf = (name: string, street: string, city: string, phone: string): Listing => ({ name, address: `${street}, ${city}`, phone });

/** The same business as other guides write it: one entry per variation class that applies. */
function variantsOf(business: HeldOutBusiness, index: number): [string, Listing][] {
  const city = `${business.city}, ${business.state} ${business.zip}`;
  const phone = phoneOf(business, index + 1);
  const variants: [string, Listing][] = [];
  const add = (variation: string, name: string, street = streetLine(business), where = city) => variants.push([variation, listingOf(name, street, where, phone)]);
  const suffix = STREET_SUFFIXES.find(([full]) => full === business.suffix);
  if (suffix) {
    add('street suffix (USPS abbreviation)', business.name, streetLine(business, { suffix: `${suffix[1]}.` }));
    add('street suffix (common variant)', business.name, streetLine(business, { suffix: `${suffix[2]}.` }));
  }
  if (business.directional) {
    add('directional after the street', business.name, streetLine(business, { suffix: suffix ? `${suffix[1]}.` : business.suffix, directional: 'after' }));
    add('directional abbreviated after', business.name, streetLine(business, { directional: 'abbreviated-after' }));
  }
  for (const [full, short] of NAME_ABBREVIATIONS) {
    const word = new RegExp(`(^|\\s)${full.replace('&', '\\&')}(?=\\s|$)`);
    if (word.test(business.name)) add('name abbreviation', business.name.replace(word, `$1${short}`));
    const shortWord = new RegExp(`(^|\\s)${short.replace('&', '\\&')}(?=\\s|$)`);
    if (shortWord.test(business.name)) add('name long form', business.name.replace(shortWord, `$1${full}`));
  }
  add('branch qualifier in parentheses', `${business.name} (${business.city})`);
  add('leading article moved', business.name.startsWith('The ') ? `${business.name.slice(4)}, The` : `The ${business.name}`);
  add('descriptive prefix', `${DESCRIPTIVE_PREFIXES[index % DESCRIPTIVE_PREFIXES.length]} ${business.name.replace(/^The /, '')}`);
  add('name cut short by the other source', `${business.name} ${DESCRIPTIVE_TAILS[index % DESCRIPTIVE_TAILS.length]}`);
  for (const [neighbourhood, metroCity, state] of NEIGHBOURHOODS) {
    if (metroCity === business.city && state === business.state) add('neighbourhood instead of the city', business.name, streetLine(business), `${neighbourhood}, ${state}`);
  }
  add('phone written differently', business.name);
  return variants;
}

/** Listings that are not the business: they must stay `not_found`. */
function negativesOf(business: HeldOutBusiness, index: number): [string, Listing][] {
  const negatives: [string, Listing][] = [];
  const elsewhere = BUSINESSES.find((other, i) => i > index && other.city !== business.city) ?? BUSINESSES.find((other) => other.city !== business.city)!;
  const otherCity = `${elsewhere.city}, ${elsewhere.state} ${elsewhere.zip}`;
  negatives.push(['same name, other city', listingOf(business.name, streetLine(elsewhere), otherCity, phoneOf(elsewhere))]);
  negatives.push([
    'same name with a trade word, other city',
    listingOf(`${business.name} ${DESCRIPTIVE_TAILS[(index + 2) % DESCRIPTIVE_TAILS.length]}`, streetLine(elsewhere), otherCity, phoneOf(elsewhere, 2)),
  ]);
  const words = (name: string) => new Set(name.toLowerCase().replace(/[^a-z0-9 ]/g, ' ').split(/\s+/).filter((word) => word.length > 3));
  for (const other of BUSINESSES) {
    if (other === business || other.city !== business.city) continue;
    const shared = [...words(business.name)].some((word) => words(other.name).has(word) || words(other.name).has(word.replace(/s$/, '')));
    if (shared) negatives.push(['namesake in the same city', listingOf(other.name, streetLine(other), `${other.city}, ${other.state} ${other.zip}`, phoneOf(other, 1))]);
  }
  return negatives;
}

/** Every pair of the held-out set, grouped by query for bestMatch. */
export function heldOutCases(): { query: BusinessQuery; positives: [string, Listing][]; negatives: [string, Listing][] }[] {
  return BUSINESSES.flatMap((business, index) =>
    SHAPES.map((shape) => ({ query: queryOf(business, shape), positives: variantsOf(business, index).map(([v, l]): [string, Listing] => [`${v} [${shape}]`, l]), negatives: negativesOf(business, index) })),
  );
}

/** Pairwise and bestMatch figures of the held-out set, with its misses. */
export function evaluateHeldOut() {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let comparisons = 0;
  let rightPicks = 0;
  let picks = 0;
  const misses = new Map<string, { count: number; example: unknown }>();
  const miss = (label: string, example: unknown) => {
    const entry = misses.get(label);
    if (entry) entry.count++;
    else misses.set(label, { count: 1, example });
  };
  const started = performance.now();
  for (const { query, positives, negatives } of heldOutCases()) {
    for (const [variation, listing] of positives) {
      const result = matchListing(query, listing);
      comparisons++;
      if (result.outcome !== 'not_found') tp++;
      else {
        fn++;
        miss(`missed: ${variation}`, { query, listing, fields: result.fields });
      }
      const candidates = [...negatives.map(([, l]) => l), listing];
      const best = bestMatch(query, candidates);
      comparisons += candidates.length;
      picks++;
      if (best.listing === listing) rightPicks++;
    }
    for (const [kind, listing] of negatives) {
      const result = matchListing(query, listing);
      comparisons++;
      if (result.outcome === 'not_found') tn++;
      else {
        fp++;
        miss(`false match: ${kind}`, { query, listing, fields: result.fields });
      }
    }
  }
  const elapsedMs = performance.now() - started;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  const precision = round(tp / Math.max(1, tp + fp));
  const recall = round(tp / Math.max(1, tp + fn));
  return {
    pairs: { positives: tp + fn, negatives: tn + fp },
    pairwise: { precision, recall, f1: round((2 * precision * recall) / Math.max(1e-9, precision + recall)), truePositive: tp, falsePositive: fp, falseNegative: fn, trueNegative: tn },
    bestMatch: { rightListing: round(rightPicks / Math.max(1, picks)), queries: picks },
    firstPassMicrosecondsPerComparison: Math.round((elapsedMs * 1000 * 100) / comparisons) / 100,
    microsecondsPerComparison: warmCostPerComparison(),
    misses: [...misses].map(([label, { count, example }]) => ({ label, count, example })).sort((a, b) => b.count - a.count),
  };
}

/**
 * µs per `matchListing` call once warm: every held-out pair, five rounds after one warm-up round,
 * the query objects reused as a search reuses its query for every candidate.
 */
export function warmCostPerComparison(rounds = 5): number {
  const pairs = heldOutCases().flatMap(({ query, positives, negatives }) => [...positives, ...negatives].map(([, listing]) => [query, listing] as const));
  for (const [query, listing] of pairs) matchListing(query, listing);
  const started = performance.now();
  for (let round = 0; round < rounds; round++) for (const [query, listing] of pairs) matchListing(query, listing);
  return Math.round(((performance.now() - started) * 1000 * 100) / (pairs.length * rounds)) / 100;
}
