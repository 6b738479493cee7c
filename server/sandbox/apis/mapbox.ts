/**
 * Mapbox Search Box API emulation, under `/mapbox`:
 *
 *   GET /search/searchbox/v1/forward?q=<name, place>&access_token=<token>&limit≤10&country=us[&proximity=lng,lat&types=poi]
 *
 * Answers a GeoJSON FeatureCollection; each feature has `geometry.coordinates` ([lng, lat]) and
 * `properties{name, mapbox_id, feature_type: "poi", address, full_address, place_formatted,
 * context{…}, coordinates, poi_category[], maki, metadata{phone, website}}`. Like Mapbox,
 * `full_address` spells the state out ("1200 W Main St, Austin, Texas 78701, United States").
 *
 * Errors: 401 `{"message": "Not Authorized - No Token"}` / `"Not Authorized - Invalid Token"`;
 * 422 `{"error_code", "message"}` for a bad parameter. Limits: not confirmed in Mapbox's docs —
 * the emulation uses the Geocoding API's documented default, 1,000 requests per minute, with
 * concurrency 20; every answer carries `X-Rate-Limit-Interval`, `X-Rate-Limit-Limit` and
 * `X-Rate-Limit-Reset` (epoch seconds), as Mapbox's do. Refusal: 429 `{"message": "Too Many Requests"}`.
 */
import type { SandboxListing } from '../dataset';
import { parseLatLon } from '../geo';
import {
  businessOf,
  intParam,
  json,
  listingPosition,
  param,
  splitFreeText,
  splitStreet,
  stableId,
  stateName,
  whereForPosition,
  type ApiEmulation,
  type ApiWorld,
  type WindowState,
} from './api-emulation';
import { apiCategory } from './categories';

const ATTRIBUTION =
  '© 2025 Mapbox and its suppliers. All rights reserved. Use of this data is subject to the Mapbox Terms of Service. (https://www.mapbox.com/about/maps/)';

function feature(world: ApiWorld, listing: SandboxListing) {
  const position = listingPosition(world, listing);
  const category = apiCategory(businessOf(world, listing).category);
  const { houseNumber, road } = splitStreet(listing.street);
  const place = `${listing.city}, ${stateName(listing.state)} ${listing.zip}, United States`;
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [position.lon, position.lat] },
    properties: {
      name: listing.name,
      mapbox_id: `dXJuOm1ieHBvaTo${stableId([world.seed, 'mapbox', listing.businessId], 40, 'base64url')}`,
      feature_type: 'poi',
      address: listing.street,
      full_address: `${listing.street}, ${place}`,
      place_formatted: place,
      context: {
        country: { name: 'United States', country_code: 'US', country_code_alpha_3: 'USA' },
        region: { name: stateName(listing.state), region_code: listing.state, region_code_full: `US-${listing.state}` },
        postcode: { name: listing.zip },
        place: { name: listing.city },
        address: { name: listing.street, ...(houseNumber ? { address_number: houseNumber } : {}), street_name: road },
        street: { name: road },
      },
      coordinates: { latitude: position.lat, longitude: position.lon, routable_points: [{ name: 'default', latitude: position.lat, longitude: position.lon }] },
      language: 'en',
      maki: category.maki,
      poi_category: [category.label.toLowerCase()],
      poi_category_ids: [category.label.toLowerCase().replaceAll(/\W+/g, '_')],
      external_ids: { dataplor: stableId([world.seed, 'dataplor', listing.businessId], 16, 'hex') },
      metadata: {
        ...(listing.phone ? { phone: listing.phone } : {}),
        ...(listing.website ? { website: listing.website } : {}),
      },
    },
  };
}

/** Creates the Mapbox Search Box emulation. */
export function createMapboxEmulation(options: { now?: () => number } = {}): ApiEmulation {
  const now = options.now ?? Date.now;
  const rateHeaders = (world: ApiWorld, window: { resetMs: number }) => ({
    'X-Rate-Limit-Interval': String(Math.round(world.limits.perMs / 1000)),
    'X-Rate-Limit-Limit': String(world.limits.requests),
    'X-Rate-Limit-Reset': String(Math.ceil((now() + window.resetMs) / 1000)),
  });
  return {
    kind: 'mapbox',
    name: 'Mapbox Search Box',
    site: {
      id: 'api.mapbox', aliases: ['mapbox'], pathRoot: 'mapbox', detailPath: 'poi',
      coverage: 0.6, variationRate: 1.0, phoneFormat: 'paren',
    },
    limits: { concurrency: 20, requests: 1000, perMs: 60_000 },
    limitsSource: 'not confirmed; emulation uses the Geocoding API default 1,000/min, concurrency 20',
    latency: { medianMs: 160, sigma: 0.45, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world, window: WindowState) {
      const token = request.query.get('access_token');
      if (token === null) return json(401, { message: 'Not Authorized - No Token' });
      if (token.trim() === '') return json(401, { message: 'Not Authorized - Invalid Token' });
      if (request.method !== 'GET') return json(405, { message: `${request.method} not allowed` });
      if (request.path !== '/search/searchbox/v1/forward') return json(404, { message: 'Not Found' });
      const headers = rateHeaders(world, window);
      const q = param(request, 'q');
      if (q === undefined) return json(400, { error_code: 'INVALID_PARAMETER', message: 'q is required' }, headers);
      if (q.length > 256) return json(422, { error_code: 'QUERY_TOO_LONG', message: 'Query too long - 257/256 characters' }, headers);
      const limit = intParam(request, 'limit', 10);
      if (!(limit >= 1 && limit <= 10)) return json(422, { error_code: 'INVALID_PARAMETER', message: 'limit must be an integer between 1 and 10' }, headers);
      const countries = param(request, 'country')?.toLowerCase().split(',');
      const types = param(request, 'types')?.toLowerCase().split(',');
      const proximity = param(request, 'proximity');
      const point = proximity && proximity !== 'ip' ? parseLatLon(proximity, 'lon,lat') : undefined;
      if (proximity && proximity !== 'ip' && !point) {
        return json(422, { error_code: 'INVALID_PARAMETER', message: 'proximity must be "longitude,latitude" or "ip"' }, headers);
      }
      const excluded = (countries && !countries.includes('us')) || (types && !types.includes('poi'));
      const split = splitFreeText(q);
      const found = excluded ? [] : world.index.search(split.name, split.where || whereForPosition(point) || '', limit);
      return json(200, { type: 'FeatureCollection', features: found.map((listing) => feature(world, listing)), attribution: ATTRIBUTION }, headers);
    },

    refuse(_reason, retryAfterMs, world) {
      return json(429, { message: 'Too Many Requests' }, rateHeaders(world, { resetMs: retryAfterMs }));
    },
  };
}
