/**
 * What every place-API emulation is made of, and the helpers they share. An emulation answers
 * under its own path prefix of the sandbox (`<sandbox>/yelp/v3/businesses/search`), so a real
 * adapter runs against it with only its base URL changed.
 *
 *   request ──► sandbox server: limiter (the API's documented limits) ──► refused: emulation.refuse()
 *                                   │                                 └► blocked: emulation.blocked()
 *                                   └──► emulation.handle() ──► faults ──► latency ──► answer
 *
 * An emulation lists its own subset of the dataset (its `site`, id `api.<kind>`) with its own
 * variations, so `dataset.listingFor('api.yelp', businessId)` is the ground truth of what it shows.
 * Auth: any non-empty key is accepted; a missing or empty one gets the API's real error shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AdapterKind } from '../../sites/site-definition';
import type { DatasetSite, SandboxBusiness, SandboxDataset, SandboxListing } from '../dataset';
import { businessPosition, cityPosition, nearestCity, type Position } from '../geo';
import type { LatencyProfile } from '../latency';
import type { RateLimits } from '../limiter';
import { hashParts } from '../rng';
import { parseLocation, type SiteSearchIndex } from '../site-search';
import { US_CITIES, US_STATES } from '../us-places';

/** One request as an emulation sees it. */
export interface ApiRequest {
  readonly method: string;
  /** Path below the emulation's prefix, starting with `/` (`/v3/businesses/search`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The request body (POST), as text; `''` when there is none. */
  readonly body: string;
}

/** One answer. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What an emulation knows about the sandbox it runs in. */
export interface ApiWorld {
  readonly seed: number;
  /** Origin of the sandbox, e.g. `http://127.0.0.1:4010`. */
  readonly baseUrl: string;
  readonly dataset: SandboxDataset;
  /** This API's listings, indexed for search. */
  readonly index: SiteSearchIndex;
  /** The limits it announces (its documented ones, under the sandbox's profile). */
  readonly limits: RateLimits;
}

/** State of the rate window when a request was admitted. */
export interface WindowState {
  /** Requests still allowed in the current window. */
  readonly remaining: number;
  /** ms until the window frees a request. */
  readonly resetMs: number;
}

/** A place-API emulation. */
export interface ApiEmulation {
  readonly kind: AdapterKind;
  readonly name: string;
  /** Its subset of the dataset: id `api.<kind>`, alias `<kind>`. */
  readonly site: DatasetSite;
  /** The API's documented limits (`source` says where they come from). */
  readonly limits: RateLimits;
  /** Where `limits` come from, for the docs table. */
  readonly limitsSource: string;
  readonly latency: LatencyProfile;
  /** Multiplier on the profile's fault rates (0–2). */
  readonly faultiness: number;
  /** Whether abuse ends in a temporary 403 block (Nominatim). */
  readonly blocksAbusers?: boolean;
  /**
   * Answers a request that costs nothing (Overpass's `/api/status`), before the limits: it is
   * neither refused nor counted. Undefined for every other request.
   */
  serveFree?(request: ApiRequest, world: ApiWorld, live: { readonly inFlight: number; readonly limits: RateLimits }): ApiAnswer | undefined;
  /** Answers a request the limits admitted. */
  handle(request: ApiRequest, world: ApiWorld, window: WindowState): ApiAnswer;
  /** Answers a request refused for the limits. */
  refuse(reason: 'concurrency' | 'rate', retryAfterMs: number, world: ApiWorld): ApiAnswer;
  /** Answers a request while the client is blocked (`blocksAbusers` only). */
  blocked?(retryInMs: number): ApiAnswer;
  /** Forgets per-client state (daily quotas); called by the sandbox's reset(). */
  reset?(): void;
}

/** JSON content type. */
export const JSON_TYPE = 'application/json; charset=utf-8';
/** HTML content type. */
export const HTML_TYPE = 'text/html; charset=utf-8';
/** Plain-text content type. */
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A JSON answer. */
export function json(status: number, value: unknown, headers?: Readonly<Record<string, string>>): ApiAnswer {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) };
}

/** A header's value (the first, when repeated), trimmed; undefined when absent. */
export function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.trim();
}

/** The token of `Authorization: Bearer <token>`: undefined without the header, `''` when empty or not Bearer. */
export function bearerToken(request: ApiRequest): string | undefined {
  const value = header(request, 'authorization');
  if (value === undefined) return undefined;
  const match = /^Bearer\s+(.*)$/i.exec(value);
  return match ? match[1]!.trim() : '';
}

/** A query parameter, trimmed; undefined when absent or blank. */
export function param(request: ApiRequest, name: string): string | undefined {
  const value = request.query.get(name)?.trim();
  return value ? value : undefined;
}

/** An integer query parameter within bounds; `fallback` when absent; `NaN` when present but invalid. */
export function intParam(request: ApiRequest, name: string, fallback: number): number {
  const value = request.query.get(name);
  if (value === null || value.trim() === '') return fallback;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/**
 * Splits a free-text query (`"Blue Door Bakery, Austin, TX"`, `"Blue Door Bakery in Austin"`,
 * `"Blue Door Bakery Austin TX 78701"`) into the name and the place, the way the APIs' text
 * search does. Candidates: the rest after a comma, after " in " / " near ", or a tail of words;
 * a place with a city or ZIP beats a state alone; then a comma beats " in " beats a word tail;
 * among commas the first wins (`"Smith & Sons, LLC, Austin, TX"` → `Smith & Sons`), among word
 * tails the shortest (`"Blue Door Bakery Austin TX"` → `Austin TX`).
 */
export function splitFreeText(text: string): { name: string; where: string } {
  const trimmed = text.trim();
  let best: { name: string; where: string; rank: number } | undefined;
  const consider = (name: string, where: string, source: number) => {
    const quality = placeQuality(where);
    if (quality === 0 || name.trim() === '') return;
    const rank = quality * 10 + source;
    if (!best || rank > best.rank) best = { name: name.trim(), where: where.trim(), rank };
  };
  const commaParts = trimmed.split(',');
  for (let i = 1; i < commaParts.length; i++) consider(commaParts.slice(0, i).join(','), commaParts.slice(i).join(','), 3);
  const connective = /\s+(?:in|near)\s+(.+)$/i.exec(trimmed);
  if (connective) consider(trimmed.slice(0, connective.index), connective[1]!, 2);
  const words = trimmed.split(/\s+/);
  for (let i = words.length - 1; i >= 1; i--) {
    const where = words.slice(i).join(' ');
    // A word tail counts only with a city or ZIP: "… Co" must not read as Colorado.
    if (placeQuality(where) === 2) {
      consider(words.slice(0, i).join(' '), where, 1);
      break;
    }
  }
  return best ? { name: best.name, where: best.where } : { name: trimmed, where: '' };
}

/** 2: names a known city or ZIP; 1: a state only; 0: nothing known. */
function placeQuality(where: string): number {
  const filter = parseLocation(where);
  if (!filter) return 0;
  if (filter.cities.size > 0 || [...filter.zips].some(isKnownZip)) return 2;
  return filter.states.size > 0 ? 1 : 0;
}

/** Whether a text names a known city, state or ZIP. */
export function namesPlace(where: string): boolean {
  return placeQuality(where) > 0;
}

const KNOWN_ZIPS: ReadonlySet<string> = new Set(US_CITIES.map((city) => city.zip));
function isKnownZip(zip: string): boolean {
  return KNOWN_ZIPS.has(zip);
}

/** The `where` text a point stands for: its nearest known city within `maxKm`, or `''`. */
export function whereForPosition(position: Position | undefined, maxKm = 60): string | undefined {
  if (!position) return undefined;
  const city = nearestCity(position, maxKm);
  return city ? `${city.city}, ${city.state}` : '';
}

/** Position of a listing: where its business is. */
export function listingPosition(world: ApiWorld, listing: SandboxListing): Position {
  return businessPosition(world.seed, businessOf(world, listing));
}

/** The business behind a listing. */
export function businessOf(world: ApiWorld, listing: SandboxListing): SandboxBusiness {
  return world.dataset.business(listing.businessId)!;
}

/** The centre of a listing's city (for `region` and `context` blocks). */
export function cityCentre(listing: SandboxListing): Position {
  return cityPosition(listing.city, listing.state) ?? { lat: 39.8283, lon: -98.5795 };
}

/** Full state name of a USPS code (`TX` → `Texas`). */
export function stateName(code: string): string {
  return US_STATES[code] ?? code;
}

/** The ten digits of a listing's NANP phone. */
export function phoneDigits(phone: string): string {
  return phone.replaceAll(/\D/g, '').slice(-10);
}

/** `(512) 871-2345`. */
export function nationalPhone(phone: string): string {
  const d = phoneDigits(phone);
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}

/** `+15128712345`. */
export function e164Phone(phone: string): string {
  return `+1${phoneDigits(phone)}`;
}

/** `+1 512-871-2345`. */
export function internationalPhone(phone: string): string {
  const d = phoneDigits(phone);
  return `+1 ${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
}

/** A listing's street line cut into house number, street and unit (`1200`, `W Main St`, `Ste 4`). */
export function splitStreet(street: string): { houseNumber?: string; road: string; unit?: string } {
  const match = /^(\d+[A-Za-z]?)\s+(.*?)(?:\s+((?:Ste|Suite|Unit|Apt)\.?\s+\S+|#\s?\S+))?$/.exec(street);
  if (!match) return { road: street };
  return { houseNumber: match[1], road: match[2]!, ...(match[3] ? { unit: match[3] } : {}) };
}

const ALPHABETS = {
  hex: '0123456789abcdef',
  base62: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
} as const;

/** A stable id for (parts): `length` characters of `alphabet`, the same for the same parts. */
export function stableId(parts: readonly (string | number)[], length: number, alphabet: keyof typeof ALPHABETS = 'base62'): string {
  const chars = ALPHABETS[alphabet];
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (const word of hashParts([...parts, round])) {
      let value = word;
      for (let i = 0; i < 5 && out.length < length; i++) {
        out += chars[value % chars.length];
        value = Math.floor(value / chars.length);
      }
    }
  }
  return out;
}

/** A stable positive integer for (parts), below `max` (OSM ids, place_ids). */
export function stableNumber(parts: readonly (string | number)[], max: number): number {
  const [a, b] = hashParts(parts);
  return 1 + ((a * 2 ** 21 + (b % 2 ** 21)) % (max - 1));
}
