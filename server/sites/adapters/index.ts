/**
 * The place-API adapters, built from the environment: one connector per API, each with its key,
 * base URL and limits.
 *
 *   env ──► for each adapter kind: key (FOURSQUARE_API_KEY …), base URL (<KIND>_BASE_URL),
 *           limits (<KIND>_LIMITS, JSON) ──► connector   (no key → skipped, "not configured")
 *   sandbox given ──► every adapter on the sandbox's emulation of its API, with a sandbox key
 *
 * Invariant: a variable that is set but wrong (a base URL that is not http(s), limits that are
 * not `{concurrency, requests, perMs}`) stops start-up with a `ValidationError` naming it.
 */
import { z } from 'zod';
import { describeZodError } from '../../../lib/schemas';
import { ValidationError } from '../../errors';
import type { SiteConnector } from '../connector';
import { siteLimitsSchema, type AdapterKind, type SiteLimits } from '../site-definition';
import { FOURSQUARE_PLACES_PROFILE, FoursquarePlacesAdapter } from './foursquare-places-adapter';
import { GOOGLE_PLACES_PROFILE, GooglePlacesAdapter } from './google-places-adapter';
import { HERE_PROFILE, HereAdapter } from './here-adapter';
import { MAPBOX_PROFILE, MapboxAdapter } from './mapbox-adapter';
import { NOMINATIM_PROFILE, NominatimAdapter } from './nominatim-adapter';
import { OVERPASS_PROFILE, OverpassAdapter } from './overpass-adapter';
import type { AdapterOptions, AdapterProfile } from './place-api-adapter';
import { TOMTOM_PROFILE, TomTomAdapter } from './tomtom-adapter';
import { YELP_PROFILE, YelpAdapter } from './yelp-adapter';

export { NOT_CONFIGURED, DEFAULT_USER_AGENT, PlaceApiAdapter } from './place-api-adapter';
export type { AdapterOptions, AdapterProfile } from './place-api-adapter';

/** Every adapter: its profile (defaults) and how to make one. In registry order. */
export const ADAPTERS: readonly { readonly profile: AdapterProfile; readonly create: (options: AdapterOptions) => SiteConnector }[] = [
  { profile: NOMINATIM_PROFILE, create: (options) => new NominatimAdapter(options) },
  { profile: OVERPASS_PROFILE, create: (options) => new OverpassAdapter(options) },
  { profile: FOURSQUARE_PLACES_PROFILE, create: (options) => new FoursquarePlacesAdapter(options) },
  { profile: YELP_PROFILE, create: (options) => new YelpAdapter(options) },
  { profile: GOOGLE_PLACES_PROFILE, create: (options) => new GooglePlacesAdapter(options) },
  { profile: HERE_PROFILE, create: (options) => new HereAdapter(options) },
  { profile: TOMTOM_PROFILE, create: (options) => new TomTomAdapter(options) },
  { profile: MAPBOX_PROFILE, create: (options) => new MapboxAdapter(options) },
];

/** Key every adapter sends to the sandbox's emulations, which accept any non-empty key. */
export const SANDBOX_API_KEY = 'sandbox-key';

/** Options of {@link createAdapterConnectors}. */
export interface AdapterConnectorsOptions {
  /** Environment: keys, `<KIND>_BASE_URL`, `<KIND>_LIMITS`, `NOMINATIM_USER_AGENT`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The sandbox network's API emulations. When given, every adapter uses them (with a sandbox
   * key, `definition.sandbox = true`) and the environment's keys and base URLs are ignored.
   */
  readonly sandbox?: {
    readonly apiBaseUrls: Readonly<Record<AdapterKind, string>>;
    /** Limits the emulations enforce; each adapter announces them instead of its defaults. */
    readonly apiLimits?: Readonly<Partial<Record<AdapterKind, SiteLimits>>>;
  };
}

/** `foursquare-places` → `FOURSQUARE_PLACES`: the prefix of an adapter's variables. */
export function envPrefix(kind: AdapterKind): string {
  return kind.toUpperCase().replaceAll('-', '_');
}

const baseUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

function readBaseUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = baseUrlSchema.safeParse(value.trim());
  if (!parsed.success) throw new ValidationError(`${name} ${describeZodError(parsed.error)}, got ${JSON.stringify(value)}`);
  return parsed.data;
}

function readLimits(name: string, value: string | undefined): SiteLimits | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ValidationError(`${name} must be JSON like {"concurrency":2,"requests":5,"perMs":1000}, got ${JSON.stringify(value)}`);
  }
  const parsed = siteLimitsSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(`${name} is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/**
 * One connector per place API. Without `sandbox`, each reads its key and overrides from `env`
 * and is `not configured` (skipped) without a key; with `sandbox`, all are wired to the emulations.
 */
export function createAdapterConnectors({ env, sandbox }: AdapterConnectorsOptions): SiteConnector[] {
  return ADAPTERS.map(({ profile, create }) => {
    const prefix = envPrefix(profile.kind);
    const userAgent = env.NOMINATIM_USER_AGENT?.trim() || undefined;
    if (sandbox) {
      const baseUrl = readBaseUrl(`sandbox API base URL of ${profile.kind}`, sandbox.apiBaseUrls[profile.kind]);
      if (baseUrl === undefined) throw new ValidationError(`the sandbox has no API base URL for ${profile.kind}`);
      return create({
        baseUrl,
        key: SANDBOX_API_KEY,
        sandbox: true,
        limits: sandbox.apiLimits?.[profile.kind],
        userAgent,
      });
    }
    return create({
      baseUrl: readBaseUrl(`${prefix}_BASE_URL`, env[`${prefix}_BASE_URL`]),
      key: profile.keyVariable === undefined ? undefined : env[profile.keyVariable],
      limits: readLimits(`${prefix}_LIMITS`, env[`${prefix}_LIMITS`]),
      userAgent,
    });
  });
}
