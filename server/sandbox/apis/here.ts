/**
 * HERE Geocoding & Search v7 Discover emulation, under `/here`:
 *
 *   GET /v1/discover?q=<name, place>&in=countryCode:USA|at=lat,lng|in=circle:lat,lng;r=m&limit≤100&apiKey=<key>
 *
 * Answers `{items[]}`; each item has `title`, `id` (`here:pds:place:…`), `resultType: "place"`,
 * `address{label, countryCode, countryName, stateCode, state, city, street, postalCode,
 * houseNumber}` — the label starts with the title, as HERE's do — `position{lat, lng}`,
 * `access[]`, `distance` (with `at`), `categories[]`, and `contacts[0].phone[0].value` (E.164) /
 * `contacts[0].www[0].value` when known.
 * The place comes from `q` ("Blue Door Bakery, Austin, TX") or else from `at` / `in=circle`;
 * HERE itself wants `at` or `in=circle|bbox` and uses `in=countryCode` only as a filter — the
 * emulation also accepts `in=countryCode:USA` alone. A country other than USA finds nothing.
 *
 * Errors: 401 `{"error": "Unauthorized", "error_description": …}` without or with an empty
 * `apiKey`; 400 `{"status": 400, "title": …, "cause": …, "correlationId", "requestId"}` for bad
 * parameters. Limits: 5 requests/s (freemium; documented), concurrency 5 (emulation). Refusal:
 * 429 `{"error": "Too Many Requests", "error_description": "Rate limit for this service has been reached"}` + Retry-After.
 */
import type { SandboxListing } from '../dataset';
import { distanceKm, parseLatLon, type Position } from '../geo';
import { retryAfterSeconds } from '../push-back';
import {
  businessOf,
  e164Phone,
  intParam,
  json,
  listingPosition,
  param,
  splitFreeText,
  splitStreet,
  stableId,
  stableNumber,
  stateName,
  whereForPosition,
  type ApiEmulation,
  type ApiWorld,
} from './api-emulation';
import { apiCategory } from './categories';

const badRequest = (world: ApiWorld, title: string, cause: string) =>
  json(400, {
    status: 400,
    title,
    correlationId: stableId([world.seed, 'here-correlation', title, cause], 32, 'hex'),
    requestId: `REQ-${stableId([world.seed, 'here-request', title, cause], 32, 'hex')}`,
    cause,
    action: 'Check the request parameters.',
  });

function item(world: ApiWorld, listing: SandboxListing, from?: Position) {
  const position = listingPosition(world, listing);
  const category = apiCategory(businessOf(world, listing).category);
  const { houseNumber, road } = splitStreet(listing.street);
  const contact = {
    ...(listing.phone ? { phone: [{ value: e164Phone(listing.phone) }] } : {}),
    ...(listing.website ? { www: [{ value: listing.website }] } : {}),
  };
  return {
    title: listing.name,
    id: `here:pds:place:840${stableId([world.seed, 'here-cell', listing.city], 5, 'base62').toLowerCase()}-${stableId([world.seed, 'here', listing.businessId], 32, 'hex')}`,
    language: 'en',
    resultType: 'place',
    address: {
      label: `${listing.name}, ${listing.street}, ${listing.city}, ${listing.state} ${listing.zip}, United States`,
      countryCode: 'USA',
      countryName: 'United States',
      stateCode: listing.state,
      state: stateName(listing.state),
      city: listing.city,
      street: road,
      postalCode: listing.zip,
      ...(houseNumber ? { houseNumber } : {}),
    },
    position: { lat: position.lat, lng: position.lon },
    access: [{ lat: Math.round((position.lat + 0.00012) * 1e5) / 1e5, lng: Math.round((position.lon - 0.00008) * 1e5) / 1e5 }],
    ...(from ? { distance: Math.round(distanceKm(from, position) * 1000) } : {}),
    categories: [{ id: `${700 + (stableNumber([category.label], 99) % 99)}-0000-0000`, name: category.label, primary: true }],
    ...(Object.keys(contact).length > 0 ? { contacts: [contact] } : {}),
  };
}

/** Creates the HERE Discover emulation. */
export function createHereEmulation(): ApiEmulation {
  return {
    kind: 'here',
    name: 'HERE Discover',
    site: {
      id: 'api.here', aliases: ['here'], pathRoot: 'here', detailPath: 'place',
      coverage: 0.75, variationRate: 0.8, phoneFormat: 'e164',
    },
    limits: { concurrency: 5, requests: 5, perMs: 1000 },
    limitsSource: 'docs: freemium 5 requests/s; concurrency not documented (emulation: 5)',
    latency: { medianMs: 220, sigma: 0.45, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world) {
      const key = request.query.get('apiKey');
      if (key === null) return json(401, { error: 'Unauthorized', error_description: 'No credentials found' });
      if (key.trim() === '') return json(401, { error: 'Unauthorized', error_description: 'apiKey invalid. apiKey not found.' });
      if (request.method !== 'GET') return json(405, { status: 405, title: 'Method not allowed' });
      if (request.path !== '/v1/discover') return json(404, { status: 404, title: 'Not Found', cause: `No endpoint ${request.path}` });

      const q = param(request, 'q');
      if (q === undefined) return badRequest(world, "Illegal input for parameter 'q'", "Parameter 'q' is required and must not be empty");
      const limit = intParam(request, 'limit', 20);
      if (!(limit >= 1 && limit <= 100)) return badRequest(world, "Illegal input for parameter 'limit'", 'limit must be between 1 and 100');
      const at = param(request, 'at');
      const within = param(request, 'in');
      let point: Position | undefined;
      if (at !== undefined) {
        point = parseLatLon(at);
        if (!point) return badRequest(world, "Illegal input for parameter 'at'", `Invalid coordinates: ${at}`);
      }
      if (within !== undefined) {
        const country = /^countryCode:([A-Z,]+)$/.exec(within);
        const circle = /^circle:([^;]+);r=(\d+)$/.exec(within);
        if (country) {
          if (!country[1]!.split(',').includes('USA')) return json(200, { items: [] });
        } else if (circle) {
          point = parseLatLon(circle[1]);
          if (!point) return badRequest(world, "Illegal input for parameter 'in'", `Invalid circle: ${within}`);
        } else if (!within.startsWith('bbox:')) {
          return badRequest(world, "Illegal input for parameter 'in'", `Unsupported value: ${within}`);
        }
      }
      if (at === undefined && within === undefined) {
        return badRequest(world, "Illegal input for parameter 'at'", "Either 'at', 'in=circle' or 'in=bbox' must be provided");
      }
      const split = splitFreeText(q);
      const where = split.where || whereForPosition(point) || '';
      const found = world.index.search(split.name, where, limit);
      return json(200, { items: found.map((listing) => item(world, listing, point)) });
    },

    refuse(_reason, retryAfterMs) {
      return json(
        429,
        { error: 'Too Many Requests', error_description: 'Rate limit for this service has been reached' },
        { 'Retry-After': retryAfterSeconds(retryAfterMs) },
      );
    },
  };
}
