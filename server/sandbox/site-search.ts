/**
 * What a directory answers to `?q=…&where=…`: the listings whose name holds every query word,
 * in the place asked for, most relevant first.
 *
 * Words are compared the way directory search boxes do: case, accents and punctuation ignored,
 * `&` = `and`, and words that carry no identity (`and`, `the`, legal suffixes) dropped on both
 * sides — so "Smith & Sons Plumbing LLC" finds a listing shown as "Smith and Sons Plumbing".
 * A query word also matches a longer word it begins ("plumb" → "Plumbing").
 *
 * Location (`where`): a ZIP in it selects that ZIP; a known city selects that city (in the
 * state named, if one is); a state alone selects the state. A `where` that names nothing known
 * selects nothing, like a directory that cannot place it.
 */
import type { SandboxListing } from './dataset';
import { US_CITIES, US_STATES } from './us-places';

/** Most results a site returns for one query. */
export const MAX_RESULTS = 10;

const IGNORED_WORDS = new Set(['and', 'the', 'of', 'llc', 'inc', 'co', 'corp', 'ltd', 'pllc', 'llp', 'pc', 'pa']);

/** Normalised words of a text: lower case, no accents, `&` → `and`, `'` joined (`tony's` → `tonys`). */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replaceAll(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replaceAll('&', ' and ')
    .replaceAll(/['’.]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((word) => (word === 'bros' ? 'brothers' : word === 'saint' ? 'st' : word));
}

/** The words of a business name that identify it (see the module comment). */
export function nameTokens(name: string): string[] {
  return words(name).filter((word) => !IGNORED_WORDS.has(word));
}

/** Where a query asks for, as understood by a site. */
export interface LocationFilter {
  readonly zips: ReadonlySet<string>;
  /** `city|ST` keys of known cities named (one name may stand for several, e.g. Portland). */
  readonly cities: ReadonlySet<string>;
  readonly states: ReadonlySet<string>;
}

const knownCities = US_CITIES.map((city) => ({
  key: `${city.city}|${city.state}`,
  state: city.state,
  phrase: words(city.city).join(' '),
}));

const stateByName = new Map(
  Object.entries(US_STATES).map(([code, name]) => [words(name).join(' '), code] as const),
);

/** Reads a `where` text; undefined when it is empty (no filter). */
export function parseLocation(where: string | undefined): LocationFilter | undefined {
  const tokens = words(where ?? '');
  if (tokens.length === 0) return undefined;
  let text = ` ${tokens.join(' ')} `;
  const zips = new Set(tokens.filter((token) => /^\d{5}$/.test(token)));

  let named = knownCities.filter((city) => text.includes(` ${city.phrase} `));
  // "New York" and "Washington" name a city and a state: beside another city ("Buffalo, New
  // York", "Seattle, Washington") they are the state.
  if (named.some((city) => !stateByName.has(city.phrase))) {
    named = named.filter((city) => !stateByName.has(city.phrase));
  }
  for (const city of named) text = text.replaceAll(` ${city.phrase} `, ' ');

  const states = new Set<string>();
  for (const token of text.split(' ')) {
    if (token.length === 2 && US_STATES[token.toUpperCase()]) states.add(token.toUpperCase());
  }
  for (const [name, code] of stateByName) {
    if (text.includes(` ${name} `)) states.add(code);
  }
  return { zips, cities: new Set(named.map((city) => city.key)), states };
}

/** Whether a listing is in the place a filter names. */
export function matchesLocation(filter: LocationFilter, listing: Pick<SandboxListing, 'city' | 'state' | 'zip'>): boolean {
  if (filter.zips.has(listing.zip.slice(0, 5))) return true;
  if (filter.cities.size > 0) {
    return filter.cities.has(`${listing.city}|${listing.state}`) && (filter.states.size === 0 || filter.states.has(listing.state));
  }
  if (filter.zips.size > 0) return false;
  return filter.states.has(listing.state);
}

interface IndexedListing {
  readonly listing: SandboxListing;
  readonly tokens: readonly string[];
  readonly key: string;
}

/** One site's listings, indexed for search. Build once per site; searching is a linear scan (~ms). */
export class SiteSearchIndex {
  readonly #entries: readonly IndexedListing[];

  constructor(listings: readonly SandboxListing[]) {
    this.#entries = listings.map((listing) => {
      const tokens = nameTokens(listing.name);
      return { listing, tokens, key: tokens.join(' ') };
    });
  }

  /** Listings that pass `test`, in id order, at most `limit` (Overpass filters by tag regex and area). */
  select(test: (listing: SandboxListing) => boolean, limit = MAX_RESULTS): SandboxListing[] {
    const found: SandboxListing[] = [];
    for (const entry of this.#entries) {
      if (found.length >= limit) break;
      if (test(entry.listing)) found.push(entry.listing);
    }
    return found;
  }

  /** Listings in `where` (all of them when it is empty), in id order, at most `limit`: a search without words. */
  browse(where: string | undefined, limit = MAX_RESULTS): SandboxListing[] {
    const location = parseLocation(where);
    const found: SandboxListing[] = [];
    for (const entry of this.#entries) {
      if (found.length >= limit) break;
      if (!location || matchesLocation(location, entry.listing)) found.push(entry.listing);
    }
    return found;
  }

  /** Listings matching `q` (and `where`, when given), best first, at most `limit`. */
  search(q: string, where?: string, limit = MAX_RESULTS): SandboxListing[] {
    const query = nameTokens(q);
    if (query.length === 0) return [];
    const location = parseLocation(where);
    const queryKey = query.join(' ');
    const hits: { entry: IndexedListing; exact: boolean; extra: number }[] = [];
    for (const entry of this.#entries) {
      if (!query.every((word) => entry.tokens.some((token) => token === word || token.startsWith(word)))) continue;
      if (location && !matchesLocation(location, entry.listing)) continue;
      hits.push({ entry, exact: entry.key === queryKey, extra: entry.tokens.length - query.length });
    }
    // Exact names first, then the names with the fewest words beyond the query; ids break ties.
    hits.sort(
      (a, b) =>
        Number(b.exact) - Number(a.exact) ||
        a.extra - b.extra ||
        (a.entry.listing.businessId < b.entry.listing.businessId ? -1 : 1),
    );
    return hits.slice(0, limit).map((hit) => hit.entry.listing);
  }
}
