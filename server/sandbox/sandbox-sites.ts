/**
 * The sites of the sandbox network: the ten directories of the original system, each with its
 * own coverage, layout, latency, limits and listing quality. Add a site by adding a spec here.
 */
import type { DeclarativeSiteDefinitionInput } from '../sites/site-definition';
import type { DatasetSite, PhoneFormat } from './dataset';
import type { LatencyProfile } from './latency';
import { LAYOUTS, type LayoutId } from './layouts';

/** No response at speed 1 takes longer than this: sitescan's interactive deadline is 5 s. */
export const LATENCY_CAP_MS = 3000;

/** Everything the sandbox simulates about one site. */
export interface SandboxSiteSpec extends DatasetSite {
  /** Site id, also the first path segment: `/yasabe.com/search`. */
  readonly id: string;
  readonly name: string;
  readonly layout: LayoutId;
  /** Class-name prefix of the site's markup. */
  readonly skin: string;
  /** Search path under the site's segment; answers `?q=&where=`. */
  readonly searchPath: string;
  readonly latency: LatencyProfile;
  /** Server-enforced limits; the site definition announces exactly these. */
  readonly limits: { readonly concurrency: number; readonly requests: number; readonly perMs: number };
}

const latency = (medianMs: number, sigma: number): LatencyProfile => ({ medianMs, sigma, capMs: LATENCY_CAP_MS });

/** The built-in sandbox sites. */
export const SANDBOX_SITES: readonly SandboxSiteSpec[] = [
  {
    id: 'yasabe.com', name: 'YaSabe', layout: 'cards', skin: 'ysb', searchPath: '/search', detailPath: 'biz',
    coverage: 0.55, variationRate: 1.0, phoneFormat: 'paren',
    latency: latency(420, 0.5), limits: { concurrency: 4, requests: 10, perMs: 1000 },
  },
  {
    id: 'yellowyello.com', name: 'YellowYello', layout: 'table', skin: 'yy', searchPath: '/find', detailPath: 'listing',
    coverage: 0.8, variationRate: 1.3, phoneFormat: 'dash',
    latency: latency(650, 0.45), limits: { concurrency: 2, requests: 5, perMs: 1000 },
  },
  {
    id: 'uscity.net', name: 'USCity.net', layout: 'microdata', skin: 'usc', searchPath: '/listings/search', detailPath: 'listing',
    coverage: 0.45, variationRate: 1.1, phoneFormat: 'paren',
    latency: latency(900, 0.4), limits: { concurrency: 3, requests: 6, perMs: 1000 },
  },
  {
    id: 'elocal.com', name: 'eLocal', layout: 'json-listings', skin: 'el', searchPath: '/api/v1/search', detailPath: 'business',
    coverage: 0.7, variationRate: 0.8, phoneFormat: 'dash',
    latency: latency(300, 0.5), limits: { concurrency: 8, requests: 20, perMs: 1000 },
  },
  {
    id: 'cylex-usa.com', name: 'Cylex USA', layout: 'articles', skin: 'cx', searchPath: '/s', detailPath: 'company',
    coverage: 0.6, variationRate: 1.2, phoneFormat: 'paren',
    latency: latency(1100, 0.4), limits: { concurrency: 2, requests: 5, perMs: 1000 },
  },
  {
    id: 'brownbook.net', name: 'Brownbook', layout: 'json-array', skin: 'bb', searchPath: '/api/search', detailPath: 'business',
    coverage: 0.35, variationRate: 1.6, phoneFormat: 'intl',
    latency: latency(750, 0.55), limits: { concurrency: 2, requests: 5, perMs: 1000 },
  },
  {
    id: 'showmelocal.com', name: 'ShowMeLocal', layout: 'table', skin: 'sml', searchPath: '/search.aspx', detailPath: 'profile',
    coverage: 0.5, variationRate: 1.4, phoneFormat: 'dot',
    latency: latency(520, 0.5), limits: { concurrency: 4, requests: 8, perMs: 1000 },
  },
  {
    id: 'localstack.com', name: 'LocalStack', layout: 'microdata', skin: 'ls', searchPath: '/search', detailPath: 'biz',
    coverage: 0.3, variationRate: 0.9, phoneFormat: 'dash',
    latency: latency(1200, 0.4), limits: { concurrency: 3, requests: 10, perMs: 1000 },
  },
  {
    id: 'foursquare.com', name: 'Foursquare', layout: 'json-results', skin: 'fsq', searchPath: '/v3/places/search', detailPath: 'v',
    coverage: 0.9, variationRate: 0.6, phoneFormat: 'paren',
    latency: latency(180, 0.45), limits: { concurrency: 8, requests: 20, perMs: 1000 },
  },
  {
    id: 'cataloxy.us', name: 'Cataloxy', layout: 'cards', skin: 'ctx', searchPath: '/search', detailPath: 'firms',
    coverage: 0.4, variationRate: 1.5, phoneFormat: 'dot',
    latency: latency(850, 0.6), limits: { concurrency: 5, requests: 12, perMs: 1000 },
  },
];

/** Per-attempt timeout announced to sitescan: above the latency cap, so a healthy answer never times out. */
const TIMEOUT_MS = 4000;

/** The site definition sitescan uses for a sandbox site served at `baseUrl`. */
export function siteDefinitionFor(spec: SandboxSiteSpec, baseUrl: string): DeclarativeSiteDefinitionInput {
  const common = {
    id: spec.id,
    name: spec.name,
    search: { url: `${baseUrl}/${spec.id}${spec.searchPath}?q={name}&where={location}` },
    limits: { ...spec.limits },
    timeoutMs: TIMEOUT_MS,
    retries: 2,
    sandbox: true,
  };
  const layout = LAYOUTS[spec.layout];
  return layout.kind === 'html'
    ? { ...common, kind: 'html', extract: layout.extract(spec.skin) }
    : { ...common, kind: 'json', extract: layout.extract(spec.skin) };
}
