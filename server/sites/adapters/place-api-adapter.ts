/**
 * The part every place-API adapter shares: its site definition, the key it needs, and one attempt
 *
 *   query ──► buildRequest (the API's own endpoint, params, auth) ──► fetchFromSite ──► JSON.parse
 *         ──► readListings (zod, lenient per item) ──► listings
 *
 * Invariants: without a key an adapter is `skipReason: 'not configured'` and never sends
 * a request; an answer that is not JSON or not of the API's shape is a `TransientSiteError`
 * (a retry may get a whole answer), never a TypeError; a single odd item is skipped, not fatal.
 */
import type { BusinessQuery, Listing } from '../../../lib/types';
import { SiteBlockedError, TransientSiteError, UnrecoverableSiteError } from '../../errors';
import { recogniseWall } from '../bot-walls';
import type { SearchAttemptOptions, SiteAnswer, SiteConnector } from '../connector';
import { MAX_LISTINGS_PER_ANSWER, webUrl } from '../extract';
import { siteDefinitionSchema, type AdapterKind, type AdapterSiteDefinition, type SiteLimits } from '../site-definition';
import { fetchFromSite, type SiteRequest } from '../site-fetch';

/** Why an adapter without its key is skipped. */
export const NOT_CONFIGURED = 'not configured';

/** The User-Agent adapters send unless told otherwise: identifies sitescan, as OSM's policy asks. */
export const DEFAULT_USER_AGENT = 'sitescan/0.1 (+contact)';

/** What an adapter class states about its API: its defaults, from the API's documentation. */
export interface AdapterProfile {
  readonly kind: AdapterKind;
  /** Site id in the registry. */
  readonly id: string;
  readonly name: string;
  /** The API's public base URL; `<KIND>_BASE_URL` overrides it. */
  readonly baseUrl: string;
  /** Environment variable holding the key; undefined for keyless APIs. */
  readonly keyVariable?: string;
  /** The API's documented limits. */
  readonly limits: SiteLimits;
  /** How long an answer may be reused, per the API's terms (0: never). */
  readonly cacheTtlMs: number;
  /**
   * Whether a slow request may get a hedged copy, per the API's terms: every adapter says so,
   * since a copy is a second billed or counted call.
   */
  readonly hedge: boolean;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** Options of an adapter instance. */
export interface AdapterOptions {
  /** Base URL of the API (its origin, plus a path prefix when proxied or emulated). Default: the profile's. */
  readonly baseUrl?: string;
  /** The API key; required for APIs that have a `keyVariable`. */
  readonly key?: string;
  /** Served by the sandbox's emulation: labelled so, and no links to the real site are made up. */
  readonly sandbox?: boolean;
  /** Limits to announce instead of the profile's (a paid plan, or the sandbox's emulation). */
  readonly limits?: SiteLimits;
  /** User-Agent header. Default {@link DEFAULT_USER_AGENT}. */
  readonly userAgent?: string;
}

/** A place-API connector; subclasses say how to ask and how to read the answer. */
export abstract class PlaceApiAdapter implements SiteConnector {
  readonly definition: AdapterSiteDefinition;
  readonly skipReason?: string;
  protected readonly key: string | undefined;
  protected readonly userAgent: string;

  protected constructor(profile: AdapterProfile, options: AdapterOptions) {
    const definition = siteDefinitionSchema.parse({
      id: profile.id,
      name: profile.name,
      kind: profile.kind,
      search: { url: options.baseUrl ?? profile.baseUrl },
      limits: options.limits ?? profile.limits,
      timeoutMs: profile.timeoutMs,
      retries: profile.retries,
      sandbox: options.sandbox ?? false,
      cacheTtlMs: profile.cacheTtlMs,
      hedge: profile.hedge,
    });
    this.definition = definition as AdapterSiteDefinition;
    this.key = options.key?.trim() || undefined;
    this.userAgent = options.userAgent?.trim() || DEFAULT_USER_AGENT;
    if (profile.keyVariable !== undefined && this.key === undefined) this.skipReason = NOT_CONFIGURED;
  }

  /** The HTTP request that asks the API for `query`. */
  protected abstract buildRequest(query: BusinessQuery): SiteRequest;

  /** Listings from the parsed JSON answer; throws `TransientSiteError` when its shape is wrong. */
  protected abstract readListings(body: unknown): Listing[];

  async search(query: BusinessQuery, options: SearchAttemptOptions): Promise<SiteAnswer> {
    const { id } = this.definition;
    if (this.skipReason) throw new UnrecoverableSiteError(id, this.skipReason);
    const response = await fetchFromSite(id, this.buildRequest(query), options);
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      // A bot wall in front of an API answers HTML: push-back, never an empty answer.
      const wall = recogniseWall(response.text);
      if (wall) throw new SiteBlockedError(id, response.status, wall.wall);
      // Usually a truncated answer or an HTML error page from a proxy: a retry can fix both.
      throw new TransientSiteError(id, 'answer is not valid JSON');
    }
    const listings = this.readListings(body).slice(0, MAX_LISTINGS_PER_ANSWER);
    return response.window ? { listings, window: response.window } : { listings };
  }

  /** `path` under the base URL, keeping the base's own path prefix, with the defined params set. */
  protected endpoint(path: string, params: Readonly<Record<string, string | undefined>> = {}): URL {
    const url = new URL(`${this.definition.search.url.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return url;
  }

  /**
   * A link to the listing as the user may follow it: an absolute http(s) URL or nothing, so an
   * adapter sets a listing's `url` through here only. Against the sandbox only links into the
   * sandbox itself are kept: a made-up business must never link to a real site's page.
   */
  protected realLink(url: string | undefined): string | undefined {
    const link = webUrl(url);
    if (link === undefined || !this.definition.sandbox) return link;
    return new URL(link).origin === new URL(this.definition.search.url).origin ? link : undefined;
  }
}
