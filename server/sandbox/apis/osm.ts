/**
 * OpenStreetMap data as Nominatim and Overpass both serve it: one database, so both emulations
 * list the same businesses with the same tags (their dataset sites share `source: 'osm'`).
 * OSM tags addresses spelled out and without units (`addr:street=West Main Street`), keeps phone
 * and website in `phone`/`website` or the `contact:*` variants, and stores a POI as a node or,
 * for a building outline, as a way.
 */
import type { DatasetSite, SandboxListing } from '../dataset';
import { businessOf, listingPosition, splitStreet, stableNumber, type ApiWorld } from './api-emulation';
import { apiCategory } from './categories';
import { unitHash } from '../rng';

/** The dataset site of an OSM-backed emulation. */
export function osmSite(kind: 'nominatim' | 'overpass'): DatasetSite {
  return {
    id: `api.${kind}`, aliases: [kind], source: 'osm', pathRoot: kind, detailPath: 'place',
    coverage: 0.35, variationRate: 1.2, phoneFormat: 'intl', addressStyle: 'osm',
  };
}

/** One OSM element for a listing. */
export interface OsmElement {
  readonly type: 'node' | 'way';
  readonly id: number;
  readonly lat: number;
  readonly lon: number;
  readonly tags: Readonly<Record<string, string>>;
  /** The main tag, e.g. `['shop', 'bakery']`. */
  readonly category: readonly [string, string];
}

/** The OSM element of a listing: its type, id, position and tags. */
export function osmElement(world: ApiWorld, listing: SandboxListing): OsmElement {
  const business = businessOf(world, listing);
  const position = listingPosition(world, listing);
  const category = apiCategory(business.category).osm;
  const { houseNumber, road } = splitStreet(listing.street);
  const contactStyle = unitHash(world.seed, 'osm-contact', business.id) < 0.3;
  const tags: Record<string, string> = {
    [category[0]]: category[1],
    name: listing.name,
    ...(houseNumber ? { 'addr:housenumber': houseNumber } : {}),
    'addr:street': road,
    'addr:city': listing.city,
    'addr:state': listing.state,
    'addr:postcode': listing.zip,
  };
  if (listing.phone) tags[contactStyle ? 'contact:phone' : 'phone'] = listing.phone;
  if (listing.website) tags[contactStyle ? 'contact:website' : 'website'] = listing.website;
  if (unitHash(world.seed, 'osm-hours', business.id) < 0.4) tags.opening_hours = 'Mo-Fr 08:00-18:00; Sa 09:00-14:00';
  const way = unitHash(world.seed, 'osm-way', business.id) < 0.3;
  return {
    type: way ? 'way' : 'node',
    id: stableNumber([world.seed, 'osm', business.id], way ? 1_300_000_000 : 12_000_000_000),
    lat: position.lat,
    lon: position.lon,
    tags,
    category,
  };
}

/** The OSM data timestamp the emulations report (fixed: answers stay byte-identical per seed). */
export const OSM_TIMESTAMP = '2025-06-01T00:00:00Z';
