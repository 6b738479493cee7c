/**
 * Yelp Fusion (Places API v3) emulation, under `/yelp`:
 *
 *   GET /v3/businesses/search?term=&location=|latitude=&longitude=&limit≤50&offset=
 *   GET /v3/businesses/matches?name=&address1=&city=&state=&country=[&zip_code=&phone=&match_threshold=&limit≤10]
 *   GET /v3/businesses/search/phone?phone=<E.164>
 *   GET /v3/businesses/{id|alias}
 *   Authorization: Bearer <key>
 *
 * Answers `{businesses[], total, region}` with each business's `id, alias, name, url` (its Yelp
 * page, here on the sandbox), `location{address1, address2, city, state, zip_code, country,
 * display_address[]}`, `phone` (E.164, `""` when none), `display_phone`, `coordinates`,
 * `categories`, `rating`, `review_count`, `distance`. Yelp never gives a business's own website:
 * its listings record that as `website-missing`.
 *
 * Errors: `{"error": {"code", "description"}}` — 401 `TOKEN_MISSING` / `TOKEN_INVALID`, 400
 * `VALIDATION_ERROR` (with `field`), 400 `LOCATION_NOT_FOUND`, 404 `BUSINESS_NOT_FOUND`.
 * Limits: Yelp publishes no QPS figure; the emulation enforces 5 requests/s (concurrency 5) and
 * answers a burst with 429 `TOO_MANY_REQUESTS_PER_SECOND` (no Retry-After, as Yelp). The daily
 * quota (5,000 per UTC day × the profile's limit factor; trial plans have 300) is reported on
 * every answer in `RateLimit-DailyLimit`, `RateLimit-Remaining` and `RateLimit-ResetTime`, and
 * once spent answers 429 `ACCESS_LIMIT_REACHED`.
 */
import type { SandboxListing } from '../dataset';
import { slugify } from '../dataset';
import { distanceKm, parseLatLon, type Position } from '../geo';
import { nameTokens } from '../site-search';
import {
  bearerToken,
  businessOf,
  cityCentre,
  e164Phone,
  intParam,
  json,
  listingPosition,
  nationalPhone,
  namesPlace,
  param,
  phoneDigits,
  splitStreet,
  stableId,
  whereForPosition,
  type ApiAnswer,
  type ApiEmulation,
  type ApiRequest,
  type ApiWorld,
} from './api-emulation';
import { apiCategory } from './categories';

/** Requests per UTC day before `ACCESS_LIMIT_REACHED` (at limit factor 1). */
export const YELP_DAILY_LIMIT = 5000;

const error = (status: number, code: string, description: string, extra: Record<string, unknown> = {}) =>
  json(status, { error: { code, description, ...extra } });

/** Creates the Yelp Fusion emulation (it keeps a daily quota, so one per sandbox). */
export function createYelpEmulation(options: { dailyLimit?: number; now?: () => number } = {}): ApiEmulation {
  const now = options.now ?? Date.now;
  const dailyLimit = options.dailyLimit ?? YELP_DAILY_LIMIT;
  let day = utcDay(now());
  let used = 0;
  let byId: Map<string, SandboxListing> | undefined;
  let byPhone: Map<string, SandboxListing[]> | undefined;

  const quotaHeaders = () => ({
    'RateLimit-DailyLimit': String(dailyLimit),
    'RateLimit-Remaining': String(Math.max(0, dailyLimit - used)),
    'RateLimit-ResetTime': new Date((day + 1) * 86_400_000).toISOString().replace('.000Z', '+00:00'),
  });

  const business = (world: ApiWorld, listing: SandboxListing, from?: Position) => {
    const position = listingPosition(world, listing);
    const category = apiCategory(businessOf(world, listing).category);
    const { houseNumber, road, unit } = splitStreet(listing.street);
    const address1 = [houseNumber, road].filter(Boolean).join(' ');
    const id = yelpId(world, listing);
    return {
      id,
      alias: aliasOf(listing),
      name: listing.name,
      image_url: `${world.baseUrl}/yelp/bphoto/${id}/o.jpg`,
      is_closed: false,
      url: `${world.baseUrl}${listing.path}?adjust_creative=sandbox&utm_source=sandbox`,
      review_count: 3 + (Number.parseInt(id.slice(0, 4), 36) % 400),
      categories: [{ alias: category.yelp[0], title: category.yelp[1] }],
      rating: 3 + (Number.parseInt(id.slice(4, 6), 36) % 5) / 2,
      coordinates: { latitude: position.lat, longitude: position.lon },
      transactions: [],
      location: {
        address1,
        address2: unit ?? '',
        address3: '',
        city: listing.city,
        zip_code: listing.zip,
        country: 'US',
        state: listing.state,
        display_address: [address1, ...(unit ? [unit] : []), `${listing.city}, ${listing.state} ${listing.zip}`],
      },
      phone: listing.phone ? e164Phone(listing.phone) : '',
      display_phone: listing.phone ? nationalPhone(listing.phone) : '',
      ...(from ? { distance: Math.round(distanceKm(from, position) * 1000 * 10) / 10 } : {}),
    };
  };

  const listingById = (world: ApiWorld, key: string) => {
    if (!byId) {
      byId = new Map();
      for (const listing of world.dataset.listings('api.yelp')) {
        byId.set(yelpId(world, listing), listing);
        byId.set(aliasOf(listing), listing);
      }
    }
    return byId.get(key);
  };

  const listingsByPhone = (world: ApiWorld, digits: string) => {
    if (!byPhone) {
      byPhone = new Map();
      for (const listing of world.dataset.listings('api.yelp')) {
        if (!listing.phone) continue;
        const key = phoneDigits(listing.phone);
        byPhone.set(key, [...(byPhone.get(key) ?? []), listing]);
      }
    }
    return byPhone.get(digits) ?? [];
  };

  const search = (request: ApiRequest, world: ApiWorld): ApiAnswer => {
    const limit = intParam(request, 'limit', 20);
    if (!(limit >= 0 && limit <= 50)) {
      return error(400, 'VALIDATION_ERROR', `${request.query.get('limit')} is greater than the maximum of 50`, { field: 'limit', instance: limit });
    }
    const offset = intParam(request, 'offset', 0);
    if (!(offset >= 0 && offset + limit <= 1000)) {
      return error(400, 'VALIDATION_ERROR', 'Too many results requested, limit+offset must be <= 1000.', { field: 'offset', instance: offset });
    }
    const location = param(request, 'location');
    const point = parseLatLon(`${request.query.get('latitude') ?? ''},${request.query.get('longitude') ?? ''}`);
    let where: string;
    if (location !== undefined) {
      if (!namesPlace(location)) {
        return error(400, 'LOCATION_NOT_FOUND', 'Could not execute search, try specifying a more exact location.');
      }
      where = location;
    } else if (point) {
      where = whereForPosition(point) ?? '';
      if (where === '') return json(200, { businesses: [], total: 0, region: { center: { longitude: point.lon, latitude: point.lat } } }, quotaHeaders());
    } else {
      return error(400, 'VALIDATION_ERROR', 'Please specify a location or a latitude and longitude');
    }
    const term = param(request, 'term');
    const found = term ? world.index.search(term, where, offset + limit) : world.index.browse(where, offset + limit);
    const page = found.slice(offset, offset + limit);
    const centre = point ?? (found[0] ? cityCentre(found[0]) : undefined);
    return json(
      200,
      {
        businesses: page.map((listing) => business(world, listing, centre)),
        total: found.length,
        region: { center: centre ? { longitude: centre.lon, latitude: centre.lat } : null },
      },
      quotaHeaders(),
    );
  };

  const matches = (request: ApiRequest, world: ApiWorld): ApiAnswer => {
    for (const field of ['name', 'address1', 'city', 'state', 'country']) {
      if (request.query.get(field) === null) {
        return error(400, 'VALIDATION_ERROR', `'${field}' is a required property`, { field, instance: null });
      }
    }
    const name = param(request, 'name') ?? '';
    const city = param(request, 'city') ?? '';
    const state = param(request, 'state') ?? '';
    const country = (param(request, 'country') ?? '').toUpperCase();
    const threshold = param(request, 'match_threshold') ?? 'default';
    if (!['none', 'default', 'strict'].includes(threshold)) {
      return error(400, 'VALIDATION_ERROR', `'${threshold}' is not one of ['none', 'default', 'strict']`, { field: 'match_threshold', instance: threshold });
    }
    const limit = intParam(request, 'limit', 3);
    if (!(limit >= 1 && limit <= 10)) {
      return error(400, 'VALIDATION_ERROR', `${request.query.get('limit')} is greater than the maximum of 10`, { field: 'limit', instance: limit });
    }
    if (country !== 'US') return json(200, { businesses: [] }, quotaHeaders());
    const zip = param(request, 'zip_code');
    const phone = param(request, 'phone');
    const number = splitStreet(param(request, 'address1') ?? '').houseNumber;
    const wanted = nameTokens(name).join(' ');
    const candidates = world.index.search(name, zip ?? `${city}, ${state}`, 25).filter((listing) => {
      if (threshold === 'none') return true;
      const sameName = nameTokens(listing.name).join(' ') === wanted;
      const samePhone = phone !== undefined && listing.phone !== undefined && phoneDigits(phone) === phoneDigits(listing.phone);
      const sameNumber = number !== undefined && splitStreet(listing.street).houseNumber === number;
      return threshold === 'strict' ? sameName && (sameNumber || samePhone) : sameName || samePhone || sameNumber;
    });
    return json(
      200,
      {
        businesses: candidates.slice(0, limit).map((listing) => {
          const full = business(world, listing);
          return { id: full.id, alias: full.alias, name: full.name, location: full.location, coordinates: full.coordinates, phone: full.phone };
        }),
      },
      quotaHeaders(),
    );
  };

  const phoneSearch = (request: ApiRequest, world: ApiWorld): ApiAnswer => {
    const phone = param(request, 'phone');
    if (phone === undefined) return error(400, 'VALIDATION_ERROR', "'phone' is a required property", { field: 'phone', instance: null });
    if (!/^\+[1-9]\d{1,14}$/.test(phone)) {
      return error(400, 'VALIDATION_ERROR', `'${phone}' does not match '^\\+[1-9]\\d{1,14}$'`, { field: 'phone', instance: phone });
    }
    const found = phone.startsWith('+1') && phone.length === 12 ? listingsByPhone(world, phone.slice(2)) : [];
    return json(200, { businesses: found.map((listing) => business(world, listing)), total: found.length }, quotaHeaders());
  };

  return {
    kind: 'yelp',
    name: 'Yelp Fusion',
    site: {
      id: 'api.yelp', aliases: ['yelp'], pathRoot: 'yelp', detailPath: 'biz',
      coverage: 0.7, variationRate: 0.9, phoneFormat: 'e164', omitsWebsite: true,
    },
    limits: { concurrency: 5, requests: 5, perMs: 1000 },
    limitsSource: 'QPS not published (sandbox: 5/s); daily quota in RateLimit-* headers',
    latency: { medianMs: 260, sigma: 0.45, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world) {
      const token = bearerToken(request);
      if (token === undefined) return error(401, 'TOKEN_MISSING', 'An access token must be supplied in order to use this endpoint.');
      if (token === '') return error(401, 'TOKEN_INVALID', 'Invalid access token or authorization header.');
      const today = utcDay(now());
      if (today !== day) {
        day = today;
        used = 0;
      }
      if (used >= dailyLimit) {
        return error(429, 'ACCESS_LIMIT_REACHED', "You've reached the access limit for this client. See instructions for requesting a higher access limit at https://docs.developer.yelp.com/docs/fusion-rate-limiting");
      }
      used++;
      if (request.method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on this endpoint`);
      if (request.path === '/v3/businesses/search') return search(request, world);
      if (request.path === '/v3/businesses/matches') return matches(request, world);
      if (request.path === '/v3/businesses/search/phone') return phoneSearch(request, world);
      const details = /^\/v3\/businesses\/([^/]+)$/.exec(request.path);
      if (details) {
        const listing = listingById(world, decodeURIComponent(details[1]!));
        if (!listing) return error(404, 'BUSINESS_NOT_FOUND', 'The requested business could not be found.');
        return json(200, { ...business(world, listing), is_claimed: true, photos: [] }, quotaHeaders());
      }
      return error(404, 'NOT_FOUND', 'Resource could not be found.');
    },

    refuse() {
      // No daily-quota headers here: their ResetTime is the next UTC midnight, which says nothing
      // about when the per-second limit frees.
      return json(429, {
        error: {
          code: 'TOO_MANY_REQUESTS_PER_SECOND',
          description: 'You have exceeded the queries-per-second limit for this endpoint. Try reducing the rate at which you make queries.',
        },
      });
    },

    reset() {
      used = 0;
      day = utcDay(now());
    },
  };
}

function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

function yelpId(world: ApiWorld, listing: SandboxListing): string {
  return stableId([world.seed, 'yelp', listing.businessId], 22, 'base64url');
}

function aliasOf(listing: SandboxListing): string {
  return `${slugify(listing.name)}-${slugify(listing.city)}`;
}
