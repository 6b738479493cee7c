/**
 * Overpass API emulation, under `/overpass`:
 *
 *   POST /api/interpreter   body `data=<Overpass QL>` (form-encoded) or the raw QL
 *   GET  /api/interpreter?data=<Overpass QL>
 *   GET  /api/status        slots of this client (never counted against them)
 *
 * Example: `[out:json][timeout:25];area["name"="Austin"]->.a;nwr["name"~"Blue Door Bakery",i](area.a);out center 10;`
 * answers `{version, generator, osm3s{timestamp_osm_base, copyright}, elements[]}`; an element is
 * `{type: "node", id, lat, lon, tags}` or `{type: "way", id, center{lat, lon}, tags}` (center with
 * `out center`), with `tags{name, <class>, addr:housenumber, addr:street, addr:city, addr:state,
 * addr:postcode, phone | contact:phone, website | contact:website}` (see overpass-ql.ts for the
 * QL subset). Without `[out:json]` the answer is OSM XML. The data is OSM's, as in Nominatim.
 *
 * Limits: 2 concurrent slots per client and ~10,000 requests a day (the public instance's
 * guideline). A request beyond the slots gets 429 with Overpass's "rate_limited" page and no
 * Retry-After: a client learns from `/api/status` when a slot frees. A query it cannot read gets
 * 400 with an `Error: line 1: parse error…` page.
 */
import type { SandboxListing } from '../dataset';
import { distanceKm } from '../geo';
import { escapeHtml } from '../layouts';
import { parseLocation } from '../site-search';
import { US_STATES } from '../us-places';
import { HTML_TYPE, TEXT_TYPE, json, type ApiAnswer, type ApiEmulation, type ApiRequest } from './api-emulation';
import { osmElement, osmSite, OSM_TIMESTAMP, type OsmElement } from './osm';
import { nameTest, OverpassSyntaxError, parseOverpassQuery, type OverpassQuery } from './overpass-ql';

const GENERATOR = 'Overpass API 0.7.62.5 1bd436f1';
const COPYRIGHT = 'The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.';
/** Elements an answer holds at most when the query names no count. */
const DEFAULT_OUT_LIMIT = 100;

const errorPage = (status: number, message: string): ApiAnswer => ({
  status,
  contentType: HTML_TYPE,
  body: `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head><meta http-equiv="content-type" content="text/html; charset=utf-8" lang="en"/><title>OSM3S Response</title></head>
<body>
<p>The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.</p>
<p><strong style="color:#FF0000">Error</strong>: ${escapeHtml(message)} </p>
</body>
</html>
`,
});

/** The QL of a request: the `data` field of a form body or the query string, or the raw body. */
function queryText(request: ApiRequest): string | undefined {
  const fromQuery = request.query.get('data');
  if (fromQuery !== null) return fromQuery;
  if (request.body === '') return undefined;
  const form = new URLSearchParams(request.body);
  return form.get('data') ?? request.body;
}

function inPlace(query: OverpassQuery, listing: SandboxListing, element: OsmElement): boolean {
  for (const area of query.areas) {
    const iso = /^US-([A-Z]{2})$/.exec(area);
    if (iso) {
      if (listing.state !== iso[1]) return false;
      continue;
    }
    const filter = parseLocation(area);
    const isState = Object.values(US_STATES).some((state) => state.toLowerCase() === area.toLowerCase());
    if (isState || (filter && filter.cities.size === 0 && filter.states.size > 0)) {
      if (!filter || !filter.states.has(listing.state)) return false;
    } else if (listing.city.toLowerCase() !== area.toLowerCase()) {
      return false;
    }
  }
  if (query.bbox) {
    const [south, west, north, east] = query.bbox;
    if (element.lat < south || element.lat > north || element.lon < west || element.lon > east) return false;
  }
  if (query.around && distanceKm(query.around, element) * 1000 > query.around.radiusM) return false;
  const { 'addr:city': city, 'addr:state': state, 'addr:postcode': postcode } = query.addr;
  if (city !== undefined && element.tags['addr:city'] !== city) return false;
  if (state !== undefined && element.tags['addr:state'] !== state) return false;
  if (postcode !== undefined && element.tags['addr:postcode'] !== postcode) return false;
  return true;
}

function toJsonElement(element: OsmElement, out: OverpassQuery['out']) {
  const position = { lat: element.lat, lon: element.lon };
  if (element.type === 'node') return { type: 'node', id: element.id, ...(out.tagsOnly ? {} : position), tags: element.tags };
  return { type: 'way', id: element.id, ...(out.center ? { center: position } : {}), tags: element.tags };
}

function toXml(elements: readonly OsmElement[], out: OverpassQuery['out']): string {
  const attr = (value: string | number) => escapeHtml(String(value));
  const tags = (element: OsmElement) => Object.entries(element.tags).map(([k, v]) => `    <tag k="${attr(k)}" v="${attr(v)}"/>`).join('\n');
  const body = elements
    .map((element) =>
      element.type === 'node'
        ? `  <node id="${element.id}"${out.tagsOnly ? '' : ` lat="${element.lat}" lon="${element.lon}"`}>\n${tags(element)}\n  </node>`
        : `  <way id="${element.id}">\n${out.center ? `    <center lat="${element.lat}" lon="${element.lon}"/>\n` : ''}${tags(element)}\n  </way>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="${GENERATOR}">
<note>${COPYRIGHT}</note>
<meta osm_base="${OSM_TIMESTAMP}"/>
${body}
</osm>
`;
}

/** Creates the Overpass emulation. */
export function createOverpassEmulation(options: { now?: () => number } = {}): ApiEmulation {
  const now = options.now ?? Date.now;
  return {
    kind: 'overpass',
    name: 'Overpass API',
    site: osmSite('overpass'),
    limits: { concurrency: 2, requests: 10_000, perMs: 86_400_000 },
    limitsSource: 'public instance: 2 slots per IP, ~10,000 requests/day guideline',
    latency: { medianMs: 650, sigma: 0.5, capMs: 3000 },
    faultiness: 1,

    serveFree(request, _world, live) {
      if (request.path !== '/api/status') return undefined;
      const free = Math.max(0, live.limits.concurrency - live.inFlight);
      return {
        status: 200,
        contentType: TEXT_TYPE,
        body: `Connected as: 2130706433
Current time: ${new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z')}
Announced endpoint: none
Rate limit: ${live.limits.concurrency}
${free} slots available now.
Currently running queries (pid, space limit, time limit, start time):
`,
      };
    },

    handle(request, world) {
      if (request.path !== '/api/interpreter') return errorPage(404, `no such endpoint ${request.path}`);
      if (request.method !== 'GET' && request.method !== 'POST') return errorPage(405, `${request.method} not allowed`);
      const ql = queryText(request);
      if (ql === undefined) return errorPage(400, 'line 1: parse error: an empty query is not allowed');
      let query: OverpassQuery;
      let test: (name: string) => boolean;
      try {
        query = parseOverpassQuery(ql);
        test = query.name ? nameTest(query.name) : () => true;
      } catch (error) {
        if (error instanceof OverpassSyntaxError) return errorPage(400, error.message);
        throw error;
      }
      const limit = Math.min(query.out.limit ?? DEFAULT_OUT_LIMIT, 1000);
      const elements: OsmElement[] = [];
      // A name filter picks candidates cheaply; the place filters need the element (position, tags).
      for (const listing of world.index.select((candidate) => test(candidate.name), Number.POSITIVE_INFINITY)) {
        if (elements.length >= limit) break;
        const element = osmElement(world, listing);
        if (inPlace(query, listing, element)) elements.push(element);
      }
      if (!query.json) return { status: 200, contentType: 'application/osm3s+xml; charset=utf-8', body: toXml(elements, query.out) };
      return json(200, {
        version: 0.6,
        generator: GENERATOR,
        osm3s: { timestamp_osm_base: OSM_TIMESTAMP, ...(query.areas.length > 0 ? { timestamp_areas_base: OSM_TIMESTAMP } : {}), copyright: COPYRIGHT },
        elements: elements.map((element) => toJsonElement(element, query.out)),
      });
    },

    refuse() {
      return errorPage(
        429,
        'runtime error: open64: 0 Success /osm3s_osm_base Dispatcher_Client::request_read_and_idx::rate_limited. Please check /api/status for the quota of your IP address.',
      );
    },
  };
}
