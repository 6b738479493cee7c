/**
 * Google Places API (New) Text Search emulation, under `/google-places`:
 *
 *   POST /v1/places:searchText   {"textQuery": "...", "maxResultCount": 1–20, "pageSize"?, "locationBias"?}
 *   X-Goog-Api-Key: <key>        (or ?key=)
 *   X-Goog-FieldMask: places.id,places.displayName,places.formattedAddress,...   (REQUIRED; or ?fields=)
 *
 * The answer holds only the fields the mask asks for (`*` = all): `places[]` with `id`, `name`
 * (`places/<id>`), `displayName{text, languageCode}`, `formattedAddress` (`…, USA`),
 * `shortFormattedAddress`, `addressComponents[]`, `location`, `types`, `primaryType`,
 * `nationalPhoneNumber`, `internationalPhoneNumber`, `websiteUri`, `googleMapsUri`,
 * `businessStatus`, `rating`, `userRatingCount`. Nothing found → `{}` (no `places` key at all).
 *
 * Errors, Google's shape `{"error": {"code", "message", "status", "details"?}}`: 403
 * PERMISSION_DENIED without a key, 400 INVALID_ARGUMENT for an empty key (API_KEY_INVALID), a
 * missing field mask ("FieldMask is a required parameter…"), an unknown field path, bad JSON, an
 * empty `textQuery` or a `maxResultCount` outside 1–20.
 * Limits: the per-minute quota per method — 600 SearchText requests per minute (Places API (New)
 * default); no concurrency limit (emulation: 50). Refusal: 429 RESOURCE_EXHAUSTED, no Retry-After.
 */
import type { SandboxListing } from '../dataset';
import {
  businessOf,
  header,
  internationalPhone,
  json,
  listingPosition,
  splitFreeText,
  splitStreet,
  stableId,
  stableNumber,
  stateName,
  type ApiEmulation,
  type ApiRequest,
  type ApiWorld,
} from './api-emulation';
import { apiCategory } from './categories';

const googleError = (code: number, status: string, message: string, details?: unknown[]) =>
  json(code, { error: { code, message, status, ...(details ? { details } : {}) } });

/** Place fields a mask may name; the emulation fills those it knows and leaves the rest out. */
const PLACE_FIELDS = new Set([
  'id', 'name', 'displayName', 'formattedAddress', 'shortFormattedAddress', 'addressComponents', 'location',
  'viewport', 'types', 'primaryType', 'primaryTypeDisplayName', 'nationalPhoneNumber', 'internationalPhoneNumber',
  'websiteUri', 'googleMapsUri', 'googleMapsLinks', 'businessStatus', 'rating', 'userRatingCount', 'plusCode',
  'utcOffsetMinutes', 'adrFormatAddress', 'iconMaskBaseUri', 'iconBackgroundColor', 'regularOpeningHours',
  'currentOpeningHours', 'priceLevel', 'photos', 'reviews', 'editorialSummary', 'postalAddress', 'timeZone',
  'accessibilityOptions', 'attributions', 'pureServiceAreaBusiness',
]);

const FIELD_MASK_MESSAGE =
  "FieldMask is a required parameter. See https://cloud.google.com/apis/docs/system-parameters on how to provide it. As an example, you can set the header 'X-Goog-FieldMask' to value 'places.displayName', 'places.id' to ask for the display name and the place id of a place. You can also set the value to '*' in manual testing to get all the available response fields.";

function place(world: ApiWorld, listing: SandboxListing) {
  const position = listingPosition(world, listing);
  const category = apiCategory(businessOf(world, listing).category);
  const id = `ChIJ${stableId([world.seed, 'google', listing.businessId], 23, 'base64url')}`;
  const { houseNumber, road, unit } = splitStreet(listing.street);
  const zip5 = listing.zip.slice(0, 5);
  return {
    name: `places/${id}`,
    id,
    types: [category.google, 'point_of_interest', 'establishment'],
    nationalPhoneNumber: listing.phone,
    internationalPhoneNumber: listing.phone ? internationalPhone(listing.phone) : undefined,
    formattedAddress: `${listing.address}, USA`,
    shortFormattedAddress: `${listing.street}, ${listing.city}`,
    addressComponents: [
      ...(unit ? [{ longText: unit, shortText: unit, types: ['subpremise'], languageCode: 'en' }] : []),
      ...(houseNumber ? [{ longText: houseNumber, shortText: houseNumber, types: ['street_number'], languageCode: 'en' }] : []),
      { longText: road, shortText: road, types: ['route'], languageCode: 'en' },
      { longText: listing.city, shortText: listing.city, types: ['locality', 'political'], languageCode: 'en' },
      { longText: stateName(listing.state), shortText: listing.state, types: ['administrative_area_level_1', 'political'], languageCode: 'en' },
      { longText: 'United States', shortText: 'US', types: ['country', 'political'], languageCode: 'en' },
      { longText: zip5, shortText: zip5, types: ['postal_code'], languageCode: 'en-US' },
    ],
    location: { latitude: position.lat, longitude: position.lon },
    rating: 3 + (stableNumber([id, 'rating'], 20) % 20) / 10,
    googleMapsUri: `${world.baseUrl}${listing.path}`,
    websiteUri: listing.website,
    userRatingCount: stableNumber([id, 'count'], 900),
    businessStatus: 'OPERATIONAL',
    displayName: { text: listing.name, languageCode: 'en' },
    primaryType: category.google,
    primaryTypeDisplayName: { text: category.label, languageCode: 'en-US' },
  };
}

/** Keeps the fields a mask names; undefined values are dropped. `paths` are relative to `value`. */
function project(value: unknown, paths: readonly string[][]): unknown {
  if (paths.some((path) => path.length === 0 || path[0] === '*')) return value;
  if (Array.isArray(value)) return value.map((item) => project(item, paths));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    const below = paths.filter((path) => path[0] === key).map((path) => path.slice(1));
    if (below.length > 0) out[key] = project(field, below);
  }
  return out;
}

function fieldMask(request: ApiRequest): string | undefined {
  return header(request, 'x-goog-fieldmask') ?? request.query.get('fields') ?? request.query.get('$fields') ?? undefined;
}

/** Creates the Google Places Text Search (New) emulation. */
export function createGooglePlacesEmulation(): ApiEmulation {
  return {
    kind: 'google-places',
    name: 'Google Places Text Search (New)',
    site: {
      id: 'api.google-places', aliases: ['google-places'], pathRoot: 'google-places', detailPath: 'maps/place',
      coverage: 0.9, variationRate: 0.6, phoneFormat: 'paren',
    },
    limits: { concurrency: 50, requests: 600, perMs: 60_000 },
    limitsSource: 'Places API (New) default quota: 600 SearchText requests/min per project; no concurrency limit (emulation: 50)',
    latency: { medianMs: 320, sigma: 0.4, capMs: 3000 },
    faultiness: 0.5,

    handle(request, world) {
      const key = header(request, 'x-goog-api-key') ?? request.query.get('key') ?? undefined;
      if (key === undefined) return googleError(403, 'PERMISSION_DENIED', 'The request is missing a valid API key.');
      if (key.trim() === '') {
        return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'places.googleapis.com' } },
        ]);
      }
      if (request.path !== '/v1/places:searchText') return googleError(404, 'NOT_FOUND', `Method not found: ${request.path}`);
      if (request.method !== 'POST') return googleError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed; use POST.`);
      const mask = fieldMask(request);
      if (mask === undefined || mask.trim() === '') return googleError(400, 'INVALID_ARGUMENT', FIELD_MASK_MESSAGE);
      const paths = mask.split(',').map((path) => path.trim()).filter(Boolean).map((path) => path.split('.'));
      for (const path of paths) {
        const known =
          path[0] === '*' ||
          (path[0] === 'places' && (path.length === 1 || path[1] === '*' || PLACE_FIELDS.has(path[1]!))) ||
          ((path[0] === 'nextPageToken' || path[0] === 'searchUri' || path[0] === 'contextualContents') && path.length === 1);
        if (!known) {
          return googleError(400, 'INVALID_ARGUMENT', `Error expanding 'fields' parameter. Cannot find matching fields for path '${path.join('.')}'.`);
        }
      }
      let body: { textQuery?: unknown; maxResultCount?: unknown; pageSize?: unknown };
      try {
        body = JSON.parse(request.body || '{}') as typeof body;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('not an object');
      } catch {
        return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
      }
      const textQuery = typeof body.textQuery === 'string' ? body.textQuery.trim() : '';
      if (textQuery === '') return googleError(400, 'INVALID_ARGUMENT', 'Empty text_query.');
      const count = body.maxResultCount ?? body.pageSize ?? 20;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 20) {
        return googleError(400, 'INVALID_ARGUMENT', 'max_result_count must be between 1 and 20.');
      }
      const { name, where } = splitFreeText(textQuery);
      const found = world.index.search(name, where, count);
      if (found.length === 0) return json(200, {});
      return json(200, project({ places: found.map((listing) => place(world, listing)) }, paths));
    },

    refuse() {
      return googleError(
        429,
        'RESOURCE_EXHAUSTED',
        "Quota exceeded for quota metric 'SearchText requests' and limit 'SearchText requests per minute' of service 'places.googleapis.com' for consumer 'project_number:0'.",
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: { service: 'places.googleapis.com', quota_limit: 'SearchTextRequestsPerMinutePerProject' },
          },
        ],
      );
    },
  };
}
