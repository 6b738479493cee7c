/**
 * Overpass API: OpenStreetMap objects by tag, in Overpass QL.
 *
 *   POST {base}/api/interpreter   (application/x-www-form-urlencoded: data=<QL>)
 *
 *   [out:json][timeout:5];
 *   area["ISO3166-2"="US-TX"]->.region;                                  ← the state, when given
 *   area["name"="Austin"]["boundary"="administrative"]->.place;          ← the city, as typed
 *   nwr(area.region)(area.place)["name"~"blue.*door.*bakery",i];         ← in both; the name's words
 *   out center tags 20;
 *
 * With only a ZIP, objects are filtered by `addr:postcode` instead. Without a city or ZIP a query
 * would scan the planet, so the job is skipped (`QueryNotSupportedError`) rather than answer
 * "not found". The city is matched by its exact OSM name, so it is written as the user typed it
 * with each word capitalised (`st. louis` → `St. Louis`). Values in the QL keep only letters,
 * digits, spaces and `.'-`: nothing from the query can close a string or inject a statement.
 *
 * Limits: the public instance grants 2 concurrent slots per IP and suggests ≤ 10,000 requests a
 * day (a third-party summary; the instance answers 429 beyond it). OSM data is ODbL: answers are
 * kept for a day. A `remark` with "runtime error" (timeout, out of memory) is a 200 that failed.
 */
import { z } from 'zod';
import type { BusinessQuery, Listing } from '../../../lib/types';
import { TransientSiteError, QueryNotSupportedError } from '../../errors';
import { formatAddress, toListing } from '../listing-fields';
import { normalizeCity } from '../normalize-address';
import { normalizeName } from '../normalize-name';
import type { SiteRequest } from '../site-fetch';
import { PlaceApiAdapter, type AdapterOptions, type AdapterProfile } from './place-api-adapter';
import { compact, lenient, queryPlace, readItems, siteText, unitText } from './read-answer';

/** Overpass's documented defaults (public instance). */
export const OVERPASS_PROFILE: AdapterProfile = {
  kind: 'overpass',
  id: 'overpass',
  name: 'Overpass API (OpenStreetMap)',
  baseUrl: 'https://overpass-api.de',
  limits: { concurrency: 2, requests: 10_000, perMs: 86_400_000 },
  cacheTtlMs: 86_400_000,
  // A shared public server on fair use: a slow answer is a busy server, and a copy makes it busier.
  hedge: false,
  timeoutMs: 5000,
  retries: 1,
};

/** Words that say nothing about which business it is: left out of the name pattern. */
const FILLER = new Set(['and', 'the', 'of']);

const element = z.object({
  type: siteText,
  id: siteText,
  tags: lenient(
    z.object({
      name: siteText,
      'addr:housenumber': siteText,
      'addr:street': siteText,
      'addr:unit': siteText,
      'addr:city': siteText,
      'addr:state': siteText,
      'addr:postcode': siteText,
      phone: siteText,
      'contact:phone': siteText,
      website: siteText,
      'contact:website': siteText,
    }),
  ),
});

/**
 * The city as OSM names it, best guess: the location's part that is the city as typed when it
 * is in mixed case (`Coeur d'Alene`), else each word capitalised (`st. louis` → `St. Louis`).
 * Only `[A-Za-z0-9 .'-]` is kept.
 */
function cityName(location: string, city: string): string {
  const typed = location.split(',').map((part) => part.trim()).find((part) => normalizeCity(part) === city);
  const text = (typed ?? city).replace(/[^A-Za-z0-9 .'-]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (/[a-z]/.test(text) && /[A-Z]/.test(text)) return text;
  return text.toLowerCase().replace(/(^|[ .-])([a-z])/g, (_, before: string, letter: string) => `${before}${letter.toUpperCase()}`);
}

/** The name's distinctive words in order, any text between them: `blue.*door.*bakery`. */
function namePattern(name: string): string {
  const words = normalizeName(name).split(' ').filter(Boolean);
  const distinctive = words.filter((word) => !FILLER.has(word));
  return (distinctive.length > 0 ? distinctive : words).join('.*');
}

/** Connector for the Overpass API (`/api/interpreter`, Overpass QL). */
export class OverpassAdapter extends PlaceApiAdapter {
  constructor(options: AdapterOptions = {}) {
    super(OVERPASS_PROFILE, options);
  }

  /** The Overpass QL for `query`; throws `QueryNotSupportedError` when nothing bounds the search. */
  buildQuery(query: BusinessQuery): string {
    const place = queryPlace(query);
    const name = namePattern(query.name);
    const seconds = Math.ceil(this.definition.timeoutMs / 1000);
    const lines = [`[out:json][timeout:${seconds}];`];
    if (place.city !== undefined) {
      const region = place.state !== undefined;
      if (region) lines.push(`area["ISO3166-2"="US-${place.state}"]->.region;`);
      lines.push(
        `area["name"="${cityName(query.location ?? '', place.city)}"]["boundary"="administrative"]->.place;`,
        `nwr${region ? '(area.region)' : ''}(area.place)["name"~"${name}",i];`,
      );
    } else if (place.zip !== undefined) {
      lines.push(`nwr["addr:postcode"="${place.zip}"]["name"~"${name}",i];`);
    } else {
      throw new QueryNotSupportedError(this.definition.id, 'needs a city or ZIP in the location to bound the search');
    }
    lines.push('out center tags 20;');
    return lines.join('\n');
  }

  protected buildRequest(query: BusinessQuery): SiteRequest {
    return {
      url: this.endpoint('/api/interpreter'),
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': this.userAgent,
      },
      body: new URLSearchParams({ data: this.buildQuery(query) }).toString(),
    };
  }

  protected readListings(body: unknown): Listing[] {
    const remark = body !== null && typeof body === 'object' ? (body as { remark?: unknown }).remark : undefined;
    if (typeof remark === 'string' && /runtime error/i.test(remark)) {
      throw new TransientSiteError(this.definition.id, `query failed: ${remark.slice(0, 200)}`);
    }
    return compact(
      readItems(this.definition.id, body, 'elements', element).map(({ type, id, tags }) => {
        const osmType = type && /^(node|way|relation)$/.test(type) ? type : undefined;
        return toListing({
          name: tags?.name,
          address:
            tags &&
            formatAddress({
              houseNumber: tags['addr:housenumber'],
              street: tags['addr:street'],
              unit: unitText(tags['addr:unit']),
              city: tags['addr:city'],
              state: tags['addr:state'],
              zip: tags['addr:postcode'],
            }),
          phone: tags?.phone ?? tags?.['contact:phone'],
          website: tags?.website ?? tags?.['contact:website'],
          url: this.realLink(osmType && id && /^\d+$/.test(id) ? `https://www.openstreetmap.org/${osmType}/${id}` : undefined),
        });
      }),
    );
  }
}
