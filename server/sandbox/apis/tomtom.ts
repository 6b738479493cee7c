/**
 * TomTom Search API v2 emulation, under `/tomtom`:
 *
 *   GET /search/2/poiSearch/{query}.json?key=&limit≤100&countrySet=US[&lat=&lon=&radius=&ofs=]
 *   GET /search/2/search/{query}.json?key=&...      (fuzzy search: the same POIs)
 *
 * Answers `{summary, results[]}`; each result has `type: "POI"`, `id`, `score`,
 * `poi{name, phone, url, categories[], classifications[]}`, `address{streetNumber, streetName,
 * municipality, countrySubdivision, countrySubdivisionName, postalCode, countryCode,
 * freeformAddress, …}`, `position{lat, lon}`, `viewport`, `entryPoints`. The place comes from the
 * query text ("Blue Door Bakery Austin TX") or from `lat`/`lon`; a `countrySet` without US finds
 * nothing.
 *
 * Errors: `{"errorText", "detailedError": {"code", "message"}, "httpStatusCode"}` — 403 without
 * or with an empty `key`, 400 for bad parameters. Limits: 5 QPS (TomTom's documented default for
 * the Search API), concurrency 5 (emulation). Refusal: 429 + `Retry-After` (TomTom's SDK retries
 * honouring it).
 */
import type { SandboxListing } from '../dataset';
import { distanceKm, parseLatLon, type Position } from '../geo';
import { retryAfterSeconds } from '../push-back';
import {
  businessOf,
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

const tomtomError = (status: number, code: string, message: string, errorText = message) =>
  json(status, { errorText, detailedError: { code, message }, httpStatusCode: status });

function result(world: ApiWorld, listing: SandboxListing, rank: number, from?: Position) {
  const position = listingPosition(world, listing);
  const category = apiCategory(businessOf(world, listing).category);
  const id = stableId([world.seed, 'tomtom', listing.businessId], 22, 'base64url');
  const { houseNumber, road } = splitStreet(listing.street);
  const label = category.label.toLowerCase();
  const box = (d: number) => ({ lat: Math.round((position.lat + d) * 1e5) / 1e5, lon: Math.round((position.lon - d) * 1e5) / 1e5 });
  return {
    type: 'POI',
    id,
    score: Math.round((9.5 - rank * 0.37) * 1000) / 1000,
    ...(from ? { dist: Math.round(distanceKm(from, position) * 1000 * 100) / 100 } : {}),
    info: `search:ta:840${stableNumber([id], 9_999_999)}-US`,
    poi: {
      name: listing.name,
      ...(listing.phone ? { phone: listing.phone } : {}),
      ...(listing.website ? { url: listing.website } : {}),
      categorySet: [{ id: 9000 + (stableNumber([label], 999) % 999) }],
      categories: [label],
      classifications: [{ code: label.toUpperCase().replaceAll(/\W+/g, '_'), names: [{ nameLocale: 'en-US', name: label }] }],
    },
    address: {
      ...(houseNumber ? { streetNumber: houseNumber } : {}),
      streetName: road,
      municipality: listing.city,
      countrySubdivision: listing.state,
      countrySubdivisionName: stateName(listing.state),
      countrySubdivisionCode: listing.state,
      postalCode: listing.zip.slice(0, 5),
      ...(listing.zip.length > 5 ? { extendedPostalCode: listing.zip.replace('-', '') } : {}),
      countryCode: 'US',
      country: 'United States',
      countryCodeISO3: 'USA',
      freeformAddress: listing.address,
      localName: listing.city,
    },
    position,
    viewport: { topLeftPoint: box(0.0009), btmRightPoint: box(-0.0009) },
    entryPoints: [{ type: 'main', position: box(0.0001) }],
  };
}

/** Creates the TomTom Search emulation. */
export function createTomTomEmulation(): ApiEmulation {
  return {
    kind: 'tomtom',
    name: 'TomTom Search',
    site: {
      id: 'api.tomtom', aliases: ['tomtom'], pathRoot: 'tomtom', detailPath: 'poi',
      coverage: 0.65, variationRate: 1.0, phoneFormat: 'intl',
    },
    limits: { concurrency: 5, requests: 5, perMs: 1000 },
    limitsSource: 'docs: Search API default 5 QPS; concurrency not documented (emulation: 5)',
    latency: { medianMs: 170, sigma: 0.45, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world) {
      const key = request.query.get('key');
      if (key === null || key.trim() === '') return tomtomError(403, 'Forbidden', 'You must provide a valid API key (key).', 'Developer Inactive');
      if (request.method !== 'GET') return tomtomError(405, 'MethodNotAllowed', `${request.method} is not allowed`);
      const route = /^\/search\/2\/(poiSearch|search)\/([^/]+)\.(\w+)$/.exec(request.path);
      if (!route) return tomtomError(404, 'NotFound', `No endpoint ${request.path}`);
      if (route[3] !== 'json') return tomtomError(400, 'BadRequest', `Unsupported response format: ${route[3]} (the sandbox answers json only)`);
      let query: string;
      try {
        query = decodeURIComponent(route[2]!).trim();
      } catch {
        return tomtomError(400, 'BadRequest', 'Query is not correctly URL-encoded');
      }
      if (query === '') return tomtomError(400, 'BadRequest', 'Query must not be empty');
      const limit = intParam(request, 'limit', 10);
      if (!(limit >= 1 && limit <= 100)) return tomtomError(400, 'BadRequest', "Error parsing 'limit': value must be between 1 and 100");
      const offset = intParam(request, 'ofs', 0);
      if (!(offset >= 0 && offset <= 1900)) return tomtomError(400, 'BadRequest', "Error parsing 'ofs': value must be between 0 and 1900");
      const countries = param(request, 'countrySet')?.toUpperCase().split(',');
      const lat = request.query.get('lat');
      const lon = request.query.get('lon');
      const point = lat !== null && lon !== null ? parseLatLon(`${lat},${lon}`) : undefined;
      if ((lat !== null || lon !== null) && !point) return tomtomError(400, 'BadRequest', 'Invalid lat/lon');
      const split = splitFreeText(query);
      const found =
        countries && !countries.some((country) => country === 'US' || country === 'USA')
          ? []
          : world.index.search(split.name, split.where || whereForPosition(point, (intParam(request, 'radius', 50_000) || 50_000) / 1000 + 10) || '', offset + limit);
      const page = found.slice(offset, offset + limit);
      return json(200, {
        summary: {
          query: query.toLowerCase(),
          queryType: 'NON_NEAR',
          queryTime: 7 + (found.length % 13),
          numResults: page.length,
          offset,
          totalResults: found.length,
          fuzzyLevel: route[1] === 'search' ? 2 : 1,
          ...(point ? { geoBias: { lat: point.lat, lon: point.lon } } : {}),
        },
        results: page.map((listing, i) => result(world, listing, offset + i, point)),
      });
    },

    refuse(_reason, retryAfterMs) {
      return json(
        429,
        { errorText: 'Too Many Requests', detailedError: { code: 'TooManyRequests', message: 'You have exceeded the QPS limit for your API key' }, httpStatusCode: 429 },
        { 'Retry-After': retryAfterSeconds(retryAfterMs) },
      );
    },
  };
}
