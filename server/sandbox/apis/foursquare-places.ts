/**
 * Foursquare Places API (the current one, places-api.foursquare.com) emulation, under
 * `/foursquare-places`:
 *
 *   GET /places/search?query=&near=|ll=lat,lng[&radius=]&limit≤50[&fields=a,b]
 *   Authorization: Bearer <service key>
 *   X-Places-Api-Version: 2025-06-17
 *
 * Answers `{results[], context}`; each place has `fsq_place_id`, `name`, `latitude`,
 * `longitude`, `location{address, address_extended?, locality, region, postcode, country,
 * formatted_address}`, `tel`, `website`, `categories[]`, `link`, `distance` (with `ll`/`near`).
 * `fields=` keeps only the named top-level fields. Errors are `{"message": …}`: 401 "Invalid
 * request token." (no or empty bearer token), 400 for a missing or malformed version header,
 * a bad `limit`, or a `near` it cannot place.
 * Limits: 50 QPS (pay-as-you-go and sandbox accounts; documented); concurrency not limited by
 * Foursquare — the emulation allows 50. Refusals: 429 + Retry-After.
 */
import type { SandboxListing } from '../dataset';
import { distanceKm, parseLatLon, type Position } from '../geo';
import { retryAfterSeconds } from '../push-back';
import {
  bearerToken,
  businessOf,
  cityCentre,
  header,
  intParam,
  json,
  listingPosition,
  namesPlace,
  param,
  splitStreet,
  stableId,
  stableNumber,
  whereForPosition,
  type ApiEmulation,
  type ApiWorld,
} from './api-emulation';
import { apiCategory } from './categories';

const message = (status: number, text: string) => json(status, { message: text });

function place(world: ApiWorld, listing: SandboxListing, from?: Position) {
  const position = listingPosition(world, listing);
  const category = apiCategory(businessOf(world, listing).category);
  const id = stableId([world.seed, 'fsq', listing.businessId], 24, 'hex');
  const { houseNumber, road, unit } = splitStreet(listing.street);
  return {
    fsq_place_id: id,
    latitude: position.lat,
    longitude: position.lon,
    categories: [
      {
        fsq_category_id: stableId(['fsq-category', category.label], 24, 'hex'),
        name: category.label,
        short_name: category.label,
        plural_name: `${category.label}s`,
        icon: { prefix: 'https://ss3.4sqi.net/img/categories_v2/shops/default_', suffix: '.png' },
      },
    ],
    chains: [],
    date_created: `20${String(10 + (stableNumber([id, 'created'], 14) % 14)).padStart(2, '0')}-0${1 + (stableNumber([id, 'm'], 9) % 9)}-1${stableNumber([id, 'd'], 9) % 9}`,
    date_refreshed: '2025-05-02',
    ...(from ? { distance: Math.round(distanceKm(from, position) * 1000) } : {}),
    extended_location: {},
    link: `/places/${id}`,
    location: {
      address: [houseNumber, road].filter(Boolean).join(' '),
      ...(unit ? { address_extended: unit } : {}),
      locality: listing.city,
      region: listing.state,
      postcode: listing.zip,
      country: 'US',
      formatted_address: listing.address,
    },
    name: listing.name,
    placemaker_url: `${world.baseUrl}${listing.path}`,
    related_places: {},
    social_media: {},
    ...(listing.phone ? { tel: listing.phone } : {}),
    ...(listing.website ? { website: listing.website } : {}),
  };
}

/** Creates the Foursquare Places emulation. */
export function createFoursquarePlacesEmulation(): ApiEmulation {
  return {
    kind: 'foursquare-places',
    name: 'Foursquare Places',
    site: {
      id: 'api.foursquare-places', aliases: ['foursquare-places'], pathRoot: 'foursquare-places', detailPath: 'place',
      coverage: 0.85, variationRate: 0.7, phoneFormat: 'paren',
    },
    limits: { concurrency: 50, requests: 50, perMs: 1000 },
    limitsSource: 'docs: 50 QPS (pay-as-you-go, sandbox); concurrency unlimited (emulation: 50)',
    latency: { medianMs: 200, sigma: 0.45, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world) {
      const token = bearerToken(request);
      if (!token) return message(401, 'Invalid request token.');
      const version = header(request, 'x-places-api-version');
      if (version === undefined) return message(400, 'Missing required header: X-Places-Api-Version (e.g. 2025-06-17).');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < '2025-06-17') {
        return message(400, `Invalid X-Places-Api-Version: ${version}. Use a supported version date such as 2025-06-17.`);
      }
      if (request.method !== 'GET') return message(405, `Method ${request.method} not allowed.`);
      if (request.path !== '/places/search') return message(404, 'Endpoint does not exist.');

      const limit = intParam(request, 'limit', 10);
      if (!(limit >= 1 && limit <= 50)) return message(400, 'limit must be an integer between 1 and 50.');
      const near = param(request, 'near');
      const ll = param(request, 'll');
      const point = ll === undefined ? undefined : parseLatLon(ll);
      if (ll !== undefined && !point) return message(400, `Invalid ll: ${ll}. Expected "latitude,longitude".`);
      let where = '';
      if (near !== undefined) {
        if (!namesPlace(near)) return message(400, `Could not geocode near: ${near}.`);
        where = near;
      } else if (point) {
        where = whereForPosition(point, Math.max(5, intParam(request, 'radius', 22_000) / 1000 + 10)) ?? '';
        if (where === '') return json(200, { results: [], context: geoBounds(point) });
      }
      const query = param(request, 'query');
      const found = query ? world.index.search(query, where, limit) : world.index.browse(where, limit);
      const centre = point ?? (near && found[0] ? cityCentre(found[0]) : undefined);
      const fields = param(request, 'fields')?.split(',').map((field) => field.trim()).filter(Boolean);
      const results = found.map((listing) => {
        const full = place(world, listing, centre);
        return fields ? Object.fromEntries(Object.entries(full).filter(([key]) => fields.includes(key))) : full;
      });
      return json(200, { results, ...(centre ? { context: geoBounds(centre) } : {}) });
    },

    refuse(_reason, retryAfterMs) {
      return json(429, { message: 'Rate limit exceeded. Please retry after some time.' }, { 'Retry-After': retryAfterSeconds(retryAfterMs) });
    },
  };
}

function geoBounds(centre: Position) {
  return { geo_bounds: { circle: { center: { latitude: centre.lat, longitude: centre.lon }, radius: 22_000 } } };
}
