/**
 * What the generator sends: every search on the same sites (the N active ones with the highest
 * rate limits, so that sitescan rather than the sites is measured) and realistic queries (the
 * sandbox dataset's businesses, from its seed).
 */
import type { SiteInfo } from '../../lib/types';
import { createDataset } from '../../server/sandbox/dataset';

/** One search's query, as POST /api/searches takes it (with the sites added). */
export interface Query {
  readonly name: string;
  readonly location: string;
  readonly phone?: string;
}

/** A site's allowed requests per second. */
export const perSecond = (site: SiteInfo): number => (site.limits.requests * 1000) / site.limits.perMs;

/** The `count` active sites of the server at `url` with the highest rate limits, highest first. */
export async function chooseSites(url: string, count: number): Promise<SiteInfo[]> {
  const { sites: registry } = (await (await fetch(`${url}/api/sites`)).json()) as { sites: SiteInfo[] };
  return registry
    .filter((site) => site.status === 'active')
    .sort((a, b) => perSecond(b) - perSecond(a))
    .slice(0, count);
}

/** An endless round of the dataset's businesses as queries; every other one with its phone. */
export function queriesFrom(seed: number): () => Query {
  const businesses = createDataset({ seed, size: 10_000, sites: [] }).businesses;
  let nextBusiness = 0;
  return (): Query => {
    const business = businesses[nextBusiness++ % businesses.length]!;
    return { name: business.name, location: `${business.city}, ${business.state}`, ...(nextBusiness % 2 ? { phone: business.phone } : {}) };
  };
}
