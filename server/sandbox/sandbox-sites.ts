/**
 * The directory sites of the sandbox network: the ten of the original system and 22 more, each
 * with its own coverage, layout, latency, limits, phone format, push-back style and faultiness.
 * Add a site by adding a spec here (ids and skins unique; limits within the site schema).
 *
 * Latency medians are 150 ms – 1.2 s with σ 0.4–0.6 and a 3 s cap, so a search of every site at
 * speed 1 normally ends with its slowest site in about 2.5 s (the p95 of the slowest site is
 * 1200·e^(0.45·1.645) ≈ 2.5 s), inside sitescan's 5 s promise.
 */
import type { DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import type { DatasetSite } from './dataset';
import type { LatencyProfile } from './latency';
import { LAYOUTS, type LayoutId } from './layouts';
import type { RateLimits } from './limiter';
import type { PushBackStyle } from './push-back';

/** No response at speed 1 takes longer than this (faults aside): sitescan's interactive deadline is 5 s. */
export const LATENCY_CAP_MS = 3000;

/** Everything the sandbox simulates about one directory site. */
export interface SandboxSiteSpec extends DatasetSite {
  /** Site id, also the first path segment: `/yasabe.com/search`. */
  readonly id: string;
  readonly name: string;
  readonly layout: LayoutId;
  /** Class-name prefix of the site's markup. */
  readonly skin: string;
  /** Search path under the site's segment; answers `?q=&where=` (and `page=` when paginated). */
  readonly searchPath: string;
  readonly latency: LatencyProfile;
  /** Limits the site announces and (unless overridden in a test) enforces. */
  readonly limits: RateLimits;
  /** How it refuses a client that breaks its limits. */
  readonly pushBack: PushBackStyle;
  /** Multiplier on the profile's fault rates: 0 = never faults, 1 = typical, 2 = flaky. */
  readonly faultiness: number;
}

const latency = (medianMs: number, sigma: number): LatencyProfile => ({ medianMs, sigma, capMs: LATENCY_CAP_MS });
const perSecond = (concurrency: number, requests: number): RateLimits => ({ concurrency, requests, perMs: 1000 });

/** The built-in sandbox sites. */
export const SANDBOX_SITES: readonly SandboxSiteSpec[] = [
  // The ten of the original system.
  {
    id: 'yasabe.com', name: 'YaSabe', layout: 'cards', skin: 'ysb', searchPath: '/search', detailPath: 'biz',
    coverage: 0.55, variationRate: 1.0, phoneFormat: 'paren',
    latency: latency(420, 0.5), limits: perSecond(4, 10), pushBack: 'retry-after', faultiness: 0.5,
  },
  {
    id: 'yellowyello.com', name: 'YellowYello', layout: 'table', skin: 'yy', searchPath: '/find', detailPath: 'listing',
    coverage: 0.8, variationRate: 1.3, phoneFormat: 'dash',
    latency: latency(650, 0.45), limits: perSecond(2, 5), pushBack: 'ratelimit-headers', faultiness: 1,
  },
  {
    id: 'uscity.net', name: 'USCity.net', layout: 'microdata', skin: 'usc', searchPath: '/listings/search', detailPath: 'listing',
    coverage: 0.45, variationRate: 1.1, phoneFormat: 'paren',
    latency: latency(900, 0.4), limits: perSecond(3, 6), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'elocal.com', name: 'eLocal', layout: 'json-listings', skin: 'el', searchPath: '/api/v1/search', detailPath: 'business',
    coverage: 0.7, variationRate: 0.8, phoneFormat: 'dash',
    latency: latency(300, 0.5), limits: perSecond(8, 20), pushBack: 'ratelimit-headers', faultiness: 0,
  },
  {
    id: 'cylex-usa.com', name: 'Cylex USA', layout: 'articles', skin: 'cx', searchPath: '/s', detailPath: 'company',
    coverage: 0.6, variationRate: 1.2, phoneFormat: 'paren',
    latency: latency(1100, 0.4), limits: perSecond(2, 5), pushBack: 'retry-after', faultiness: 1.5,
  },
  {
    id: 'brownbook.net', name: 'Brownbook', layout: 'json-array', skin: 'bb', searchPath: '/api/search', detailPath: 'business',
    coverage: 0.35, variationRate: 1.6, phoneFormat: 'intl',
    latency: latency(750, 0.55), limits: perSecond(2, 5), pushBack: 'ratelimit-headers', faultiness: 1,
  },
  {
    id: 'showmelocal.com', name: 'ShowMeLocal', layout: 'table', skin: 'sml', searchPath: '/search.aspx', detailPath: 'profile',
    coverage: 0.5, variationRate: 1.4, phoneFormat: 'dot',
    latency: latency(520, 0.5), limits: perSecond(4, 8), pushBack: 'retry-after', faultiness: 0.5,
  },
  {
    id: 'localstack.com', name: 'LocalStack', layout: 'microdata', skin: 'ls', searchPath: '/search', detailPath: 'biz',
    coverage: 0.3, variationRate: 0.9, phoneFormat: 'dash',
    latency: latency(1200, 0.4), limits: perSecond(3, 10), pushBack: 'unavailable', faultiness: 1,
  },
  {
    id: 'foursquare.com', name: 'Foursquare', layout: 'json-results', skin: 'fsq', searchPath: '/v3/places/search', detailPath: 'v',
    coverage: 0.9, variationRate: 0.6, phoneFormat: 'paren',
    latency: latency(180, 0.45), limits: perSecond(8, 20), pushBack: 'retry-after', faultiness: 0,
  },
  {
    id: 'cataloxy.us', name: 'Cataloxy', layout: 'cards', skin: 'ctx', searchPath: '/search', detailPath: 'firms',
    coverage: 0.4, variationRate: 1.5, phoneFormat: 'dot',
    latency: latency(850, 0.6), limits: perSecond(5, 12), pushBack: 'retry-after', faultiness: 2,
  },
  // Twenty-two more directories.
  {
    id: 'hotfrog.com', name: 'Hotfrog', layout: 'json-ld', skin: 'hf', searchPath: '/search', detailPath: 'company',
    coverage: 0.55, variationRate: 1.0, phoneFormat: 'paren',
    latency: latency(600, 0.5), limits: perSecond(3, 6), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'manta.com', name: 'Manta', layout: 'paginated', skin: 'mt', searchPath: '/search', detailPath: 'c',
    coverage: 0.75, variationRate: 1.1, phoneFormat: 'dash',
    latency: latency(800, 0.45), limits: { concurrency: 2, requests: 30, perMs: 10_000 }, pushBack: 'ratelimit-headers', faultiness: 1,
  },
  {
    id: 'merchantcircle.com', name: 'MerchantCircle', layout: 'data-attributes', skin: 'mc', searchPath: '/search', detailPath: 'business',
    coverage: 0.45, variationRate: 1.3, phoneFormat: 'dot',
    latency: latency(950, 0.5), limits: perSecond(2, 5), pushBack: 'unavailable', faultiness: 1.5,
  },
  {
    id: 'chamberofcommerce.com', name: 'ChamberofCommerce.com', layout: 'articles', skin: 'coc', searchPath: '/search', detailPath: 'united-states',
    coverage: 0.6, variationRate: 0.9, phoneFormat: 'paren',
    latency: latency(700, 0.5), limits: { concurrency: 4, requests: 30, perMs: 10_000 }, pushBack: 'ratelimit-headers', faultiness: 0.5,
  },
  {
    id: 'yellowbot.com', name: 'YellowBot', layout: 'legacy', skin: 'ybt', searchPath: '/search', detailPath: 'biz',
    coverage: 0.4, variationRate: 1.5, phoneFormat: 'dash',
    latency: latency(1000, 0.5), limits: perSecond(2, 5), pushBack: 'retry-after', faultiness: 1.5,
  },
  {
    id: 'n49.com', name: 'n49', layout: 'json-hal', skin: 'n49', searchPath: '/api/v2/businesses', detailPath: 'biz',
    coverage: 0.35, variationRate: 1.0, phoneFormat: 'intl',
    latency: latency(350, 0.5), limits: perSecond(6, 15), pushBack: 'ratelimit-headers', faultiness: 0.5,
  },
  {
    id: 'citysquares.com', name: 'CitySquares', layout: 'cards', skin: 'csq', searchPath: '/search', detailPath: 'b',
    coverage: 0.5, variationRate: 1.2, phoneFormat: 'dot',
    latency: latency(550, 0.5), limits: perSecond(3, 8), pushBack: 'captcha', faultiness: 1,
  },
  {
    id: 'tupalo.com', name: 'Tupalo', layout: 'microdata', skin: 'tup', searchPath: '/en/search', detailPath: 'en/place',
    coverage: 0.3, variationRate: 1.2, phoneFormat: 'intl',
    latency: latency(1150, 0.45), limits: perSecond(2, 5), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'ezlocal.com', name: 'EZlocal', layout: 'paginated', skin: 'ez', searchPath: '/search', detailPath: 'listing',
    coverage: 0.65, variationRate: 1.0, phoneFormat: 'paren',
    latency: latency(480, 0.5), limits: perSecond(4, 10), pushBack: 'retry-after', faultiness: 0.5,
  },
  {
    id: 'opendi.us', name: 'Opendi', layout: 'json-ld', skin: 'od', searchPath: '/search', detailPath: 'firma',
    coverage: 0.4, variationRate: 1.1, phoneFormat: 'dash',
    latency: latency(880, 0.5), limits: perSecond(3, 6), pushBack: 'block', faultiness: 1,
  },
  {
    id: 'golocal247.com', name: 'GoLocal247', layout: 'table', skin: 'gl', searchPath: '/search', detailPath: 'biz',
    coverage: 0.5, variationRate: 1.3, phoneFormat: 'dot',
    latency: latency(400, 0.5), limits: perSecond(4, 10), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'storeboard.com', name: 'Storeboard', layout: 'data-attributes', skin: 'sb', searchPath: '/directory/search', detailPath: 'companies',
    coverage: 0.35, variationRate: 1.2, phoneFormat: 'paren',
    latency: latency(1050, 0.5), limits: { concurrency: 2, requests: 100, perMs: 60_000 }, pushBack: 'ratelimit-headers', faultiness: 1,
  },
  {
    id: 'fyple.com', name: 'Fyple', layout: 'json-geojson', skin: 'fy', searchPath: '/api/search', detailPath: 'company',
    coverage: 0.45, variationRate: 1.1, phoneFormat: 'e164',
    latency: latency(260, 0.5), limits: perSecond(5, 12), pushBack: 'retry-after', faultiness: 0,
  },
  {
    id: 'bizhwy.com', name: 'Bizhwy', layout: 'legacy', skin: 'bh', searchPath: '/search.php', detailPath: 'company',
    coverage: 0.3, variationRate: 1.6, phoneFormat: 'dash',
    latency: latency(1200, 0.4), limits: perSecond(2, 5), pushBack: 'unavailable', faultiness: 2,
  },
  {
    id: 'tuugo.us', name: 'Tuugo', layout: 'json-solr', skin: 'tg', searchPath: '/api/search', detailPath: 'Companies',
    coverage: 0.4, variationRate: 1.2, phoneFormat: 'dot',
    latency: latency(700, 0.5), limits: perSecond(3, 8), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'cybo.com', name: 'Cybo', layout: 'cards', skin: 'cyb', searchPath: '/search', detailPath: 'US-biz',
    coverage: 0.6, variationRate: 1.0, phoneFormat: 'intl',
    latency: latency(330, 0.5), limits: perSecond(4, 10), pushBack: 'retry-after', faultiness: 0.5,
  },
  {
    id: 'infobel.com', name: 'Infobel', layout: 'json-solr', skin: 'ib', searchPath: '/en/usa/search', detailPath: 'en/usa',
    coverage: 0.5, variationRate: 0.9, phoneFormat: 'paren',
    latency: latency(620, 0.5), limits: { concurrency: 3, requests: 20, perMs: 2000 }, pushBack: 'ratelimit-headers', faultiness: 0.5,
  },
  {
    id: 'hub.biz', name: 'Hub.biz', layout: 'articles', skin: 'hb', searchPath: '/search', detailPath: 'business',
    coverage: 0.45, variationRate: 1.1, phoneFormat: 'dash',
    latency: latency(500, 0.5), limits: perSecond(3, 6), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'find-us-here.com', name: 'Find Us Here', layout: 'microdata', skin: 'fuh', searchPath: '/businesses/search', detailPath: 'businesses',
    coverage: 0.4, variationRate: 1.3, phoneFormat: 'paren',
    latency: latency(780, 0.5), limits: perSecond(2, 5), pushBack: 'unavailable', faultiness: 1,
  },
  {
    id: 'cityfos.com', name: 'Cityfos', layout: 'paginated', skin: 'cf', searchPath: '/search', detailPath: 'company',
    coverage: 0.55, variationRate: 1.2, phoneFormat: 'dot',
    latency: latency(680, 0.5), limits: perSecond(3, 8), pushBack: 'retry-after', faultiness: 1,
  },
  {
    id: 'yalwa.com', name: 'Yalwa', layout: 'json-ld', skin: 'yw', searchPath: '/search', detailPath: 'ad',
    coverage: 0.35, variationRate: 1.4, phoneFormat: 'dash',
    latency: latency(940, 0.45), limits: perSecond(2, 5), pushBack: 'retry-after', faultiness: 1.5,
  },
  {
    id: 'lacartes.com', name: 'Lacartes', layout: 'json-hal', skin: 'lc', searchPath: '/api/search', detailPath: 'business',
    coverage: 0.5, variationRate: 1.0, phoneFormat: 'paren',
    latency: latency(430, 0.5), limits: perSecond(4, 10), pushBack: 'retry-after', faultiness: 0.5,
  },
  {
    id: 'callupcontact.com', name: 'CallUpContact', layout: 'legacy', skin: 'cuc', searchPath: '/search', detailPath: 'b',
    coverage: 0.3, variationRate: 1.5, phoneFormat: 'dash',
    latency: latency(1100, 0.45), limits: perSecond(2, 5), pushBack: 'retry-after', faultiness: 1,
  },
];

/** Per-attempt timeout announced to sitescan: above the latency cap, so a healthy answer never times out. */
const TIMEOUT_MS = 4000;

/**
 * The site definition sitescan uses for a sandbox site served at `baseUrl`, announcing `limits`
 * (default: the spec's; the sandbox passes its profile's).
 */
export function siteDefinitionFor(spec: SandboxSiteSpec, baseUrl: string, limits: RateLimits = spec.limits): DeclarativeSiteDefinitionInput {
  const common = {
    id: spec.id,
    name: spec.name,
    search: { url: `${baseUrl}/${spec.id}${spec.searchPath}?q={name}&where={location}` },
    limits: { concurrency: limits.concurrency, requests: limits.requests, perMs: limits.perMs },
    timeoutMs: TIMEOUT_MS,
    retries: 2,
    sandbox: true,
  };
  const layout = LAYOUTS[spec.layout];
  return layout.kind === 'html'
    ? { ...common, kind: 'html', extract: layout.extract(spec.skin) }
    : { ...common, kind: 'json', extract: layout.extract(spec.skin) };
}
