/**
 * The place-API emulations, one per adapter kind, each under its own path prefix of the sandbox
 * (the prefix is the kind: `<sandbox>/yelp`, `<sandbox>/google-places` …).
 */
import { ADAPTER_KINDS, type AdapterKind } from '../../sites/site-definition';
import type { ApiEmulation } from './api-emulation';
import { createFoursquarePlacesEmulation } from './foursquare-places';
import { createGooglePlacesEmulation } from './google-places';
import { createHereEmulation } from './here';
import { createMapboxEmulation } from './mapbox';
import { createNominatimEmulation } from './nominatim';
import { createOverpassEmulation } from './overpass';
import { createTomTomEmulation } from './tomtom';
import { createYelpEmulation, YELP_DAILY_LIMIT } from './yelp';

export type { ApiAnswer, ApiEmulation, ApiRequest, ApiWorld } from './api-emulation';

/** Options of {@link createApiEmulations}. */
export interface ApiEmulationsOptions {
  /** Multiplier on quotas kept inside an emulation (Yelp's daily quota). Default 1. */
  readonly limitFactor?: number;
}

/** A fresh set of emulations (some keep per-client state), keyed by adapter kind, in ADAPTER_KINDS order. */
export function createApiEmulations(options: ApiEmulationsOptions = {}): Record<AdapterKind, ApiEmulation> {
  const factor = options.limitFactor ?? 1;
  const emulations: Record<AdapterKind, ApiEmulation> = {
    nominatim: createNominatimEmulation(),
    overpass: createOverpassEmulation(),
    'foursquare-places': createFoursquarePlacesEmulation(),
    yelp: createYelpEmulation({ dailyLimit: Math.round(YELP_DAILY_LIMIT * factor) }),
    'google-places': createGooglePlacesEmulation(),
    here: createHereEmulation(),
    tomtom: createTomTomEmulation(),
    mapbox: createMapboxEmulation(),
  };
  return Object.fromEntries(ADAPTER_KINDS.map((kind) => [kind, emulations[kind]])) as Record<AdapterKind, ApiEmulation>;
}

/** The dataset sites of the emulations (`api.<kind>`, alias `<kind>`), for building the dataset. */
export const API_DATASET_SITES = Object.values(createApiEmulations()).map((emulation) => emulation.site);
