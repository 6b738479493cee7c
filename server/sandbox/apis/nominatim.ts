/**
 * OpenStreetMap Nominatim emulation, under `/nominatim`:
 *
 *   GET /search?q=<name, place>&format=jsonv2&addressdetails=1&extratags=1&namedetails=1&limit=(≤40)[&countrycodes=us]
 *   GET /search?amenity=<name>&city=&state=&postalcode=&country=&format=jsonv2…   (structured; never with q)
 *   GET /status?format=json
 *   User-Agent: <something that identifies the application>   (or a Referer)
 *
 * Answers an array of places: `place_id`, `licence`, `osm_type`, `osm_id`, `lat`/`lon` (strings),
 * `category` (jsonv2; `class` in json), `type`, `place_rank`, `importance`, `addresstype`,
 * `name`, `display_name`, `boundingbox`, and on request `address{<class>, house_number, road,
 * city, state, ISO3166-2-lvl4, postcode, country, country_code}`, `extratags{phone |
 * contact:phone, website | contact:website, opening_hours}`, `namedetails{name}`. The data is
 * OSM's: streets spelled out, no units (see osm.ts).
 *
 * Usage policy, enforced: no User-Agent (or a library's stock one: `node`, `undici`,
 * `python-requests/…`, `curl/…` …) and no Referer → 403 "Access blocked" page. Limits: 1 request/s
 * for the whole application, one at a time (documented). A burst gets 429 + Retry-After; more
 * than 3 refusals within 10 s block the client: every request 403 "Access blocked" for 30 s.
 */
import type { SandboxListing } from '../dataset';
import { retryAfterSeconds } from '../push-back';
import { escapeHtml } from '../layouts';
import {
  HTML_TYPE,
  header,
  intParam,
  json,
  param,
  splitFreeText,
  stableNumber,
  stateName,
  type ApiAnswer,
  type ApiEmulation,
  type ApiRequest,
  type ApiWorld,
} from './api-emulation';
import { osmElement, osmSite, OSM_TIMESTAMP } from './osm';

const LICENCE = 'Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright';

/** User-Agents of HTTP libraries, which the usage policy says "will not do". */
const STOCK_USER_AGENT = /^(?:node|undici|node-fetch|axios|got|python-requests|python-urllib|python-httpx|aiohttp|curl|wget|go-http-client|java|okhttp|libwww-perl|ruby|php)\b/i;

const STRUCTURED = ['amenity', 'street', 'city', 'county', 'state', 'country', 'postalcode'] as const;

const blockedPage = (reason: string): ApiAnswer => ({
  status: 403,
  contentType: HTML_TYPE,
  body: `<!DOCTYPE html>
<html><head><title>Access blocked</title></head>
<body>
<h1>Access blocked</h1>
<p>${escapeHtml(reason)}</p>
<p>Please review the terms at https://operations.osmfoundation.org/policies/nominatim/ and make sure that your software adheres to the terms. You should in particular verify that you have set a custom HTTP referrer or HTTP user agent that identifies your application, and that you are not overusing the service with massive bulk requests.</p>
</body></html>
`,
});

const nominatimError = (code: number, message: string) => json(code, { error: { code, message } });

function place(world: ApiWorld, listing: SandboxListing, request: ApiRequest, format: 'json' | 'jsonv2') {
  const element = osmElement(world, listing);
  const [osmClass, osmType] = element.category;
  const house = element.tags['addr:housenumber'];
  const road = element.tags['addr:street']!;
  const state = stateName(listing.state);
  const flag = (name: string) => request.query.get(name) === '1';
  const extratags = Object.fromEntries(
    Object.entries(element.tags).filter(([key]) => key === 'phone' || key === 'contact:phone' || key === 'website' || key === 'contact:website' || key === 'opening_hours'),
  );
  const d = 0.0002;
  return {
    place_id: stableNumber([world.seed, 'place_id', listing.businessId], 400_000_000),
    licence: LICENCE,
    osm_type: element.type,
    osm_id: element.id,
    lat: element.lat.toFixed(7),
    lon: element.lon.toFixed(7),
    ...(format === 'jsonv2' ? { category: osmClass } : { class: osmClass }),
    type: osmType,
    place_rank: 30,
    importance: 0.00007 + (element.id % 1000) / 1e7,
    addresstype: osmClass,
    name: listing.name,
    display_name: [listing.name, house, road, listing.city, state, listing.zip, 'United States'].filter(Boolean).join(', '),
    ...(flag('addressdetails')
      ? {
          address: {
            [osmClass]: listing.name,
            ...(house ? { house_number: house } : {}),
            road,
            city: listing.city,
            state,
            'ISO3166-2-lvl4': `US-${listing.state}`,
            postcode: listing.zip,
            country: 'United States',
            country_code: 'us',
          },
        }
      : {}),
    ...(flag('extratags') ? { extratags } : {}),
    ...(flag('namedetails') ? { namedetails: { name: listing.name } } : {}),
    boundingbox: [(element.lat - d).toFixed(7), (element.lat + d).toFixed(7), (element.lon - d).toFixed(7), (element.lon + d).toFixed(7)],
  };
}

/** Creates the Nominatim emulation. */
export function createNominatimEmulation(): ApiEmulation {
  return {
    kind: 'nominatim',
    name: 'OpenStreetMap Nominatim',
    site: osmSite('nominatim'),
    limits: { concurrency: 1, requests: 1, perMs: 1000 },
    limitsSource: 'usage policy: absolute maximum 1 request/s for the whole application; single client',
    latency: { medianMs: 280, sigma: 0.5, capMs: 3000 },
    faultiness: 1,
    blocksAbusers: true,

    handle(request, world) {
      const agent = header(request, 'user-agent') ?? '';
      if ((agent === '' || STOCK_USER_AGENT.test(agent)) && !header(request, 'referer')) {
        return blockedPage(
          'You have been blocked because you did not identify your application: provide a valid HTTP Referer or User-Agent identifying the application (stock User-Agents as set by http libraries will not do).',
        );
      }
      if (request.method !== 'GET') return nominatimError(405, `${request.method} not allowed`);
      const path = request.path.replace(/\.php$/, '');
      if (path === '/status') {
        return request.query.get('format') === 'json'
          ? json(200, { status: 0, message: 'OK', data_updated: OSM_TIMESTAMP.replace('Z', '+00:00'), software_version: '5.1.0', database_version: '5.1.0' })
          : { status: 200, body: 'OK', contentType: 'text/plain; charset=utf-8' };
      }
      if (path !== '/search') return nominatimError(404, `No endpoint ${request.path}`);

      const format = request.query.get('format') ?? 'jsonv2';
      if (format !== 'json' && format !== 'jsonv2') {
        return nominatimError(400, `Parameter 'format': the sandbox emulates json and jsonv2 only, got '${format}'`);
      }
      const q = param(request, 'q');
      const structured = STRUCTURED.filter((name) => param(request, name) !== undefined);
      if (q !== undefined && structured.length > 0) {
        return nominatimError(400, "Structured query parameters(amenity, street, city, county, state, postalcode, country) cannot be used together with 'q' parameter.");
      }
      if (q === undefined && structured.length === 0) return nominatimError(400, 'Nothing to search for.');
      const limit = Math.min(40, Math.max(1, intParam(request, 'limit', 10) || 10));
      const countries = param(request, 'countrycodes')?.toLowerCase().split(',');
      const country = param(request, 'country')?.toLowerCase();
      if ((countries && !countries.includes('us')) || (country && !['us', 'usa', 'united states'].includes(country))) return json(200, []);

      let name: string;
      let where: string;
      if (q !== undefined) {
        ({ name, where } = splitFreeText(q));
      } else {
        name = param(request, 'amenity') ?? '';
        where = param(request, 'postalcode') ?? [param(request, 'city'), param(request, 'state')].filter(Boolean).join(', ');
        if (name === '') return json(200, []);
      }
      const found = world.index.search(name, where, limit);
      return json(
        200,
        found.map((listing) => place(world, listing, request, format)),
      );
    },

    refuse(_reason, retryAfterMs) {
      return {
        status: 429,
        contentType: HTML_TYPE,
        body: '<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1><p>You have exceeded the request rate allowed by the usage policy (1 request per second).</p></body></html>\n',
        headers: { 'Retry-After': retryAfterSeconds(retryAfterMs) },
      };
    },

    blocked(retryInMs) {
      return blockedPage(
        `You have been temporarily blocked because you have violated the usage policy of OSM's Nominatim geocoding service (too many requests). The block ends in about ${Math.ceil(retryInMs / 1000)} s.`,
      );
    },
  };
}
