/**
 * The coverage of a bulk run: each business on each site, and per site how many of the
 * businesses it lists — what an agency reads first ("found on 83% of your businesses").
 *
 *   rows (one per search, file order) × columns (sites, in the order the searches list them)
 *     cell = found · partial · not_found · failed · skipped · cancelled · open (still running)
 *   column total: listed = found + partial, out of the cells that answered (found, partial, not found)
 *
 * Example: four businesses; yelp answered found, partial and not found for three and the fourth
 * is still running → yelp's total says 2 of 3 (67%). A failed or skipped cell does not count
 * either way: the site said nothing about that business.
 *
 * Invariants: pure; a site appears once, where a search first listed it; a row of a search with
 * no state yet is all `open`.
 */
import type { Outcome, SiteResult } from './types';

/** What one cell of the matrix shows. */
export type CoverageCell = Outcome | 'failed' | 'skipped' | 'cancelled' | 'open';

/** A column of the matrix. */
export interface CoverageSite {
  readonly siteId: string;
  readonly siteName: string;
}

/** A column's total. */
export interface SiteCoverage {
  /** Found or found with possible errors. */
  readonly listed: number;
  /** Answered at all: found, possible errors or not found. */
  readonly answered: number;
  /** listed / answered, 0–1; undefined before any answer. */
  readonly share?: number;
}

/** The cell a site result shows. */
export function cellOf(result: SiteResult | undefined): CoverageCell {
  if (!result) return 'open';
  switch (result.status) {
    case 'done':
      return result.outcome ?? 'not_found';
    case 'failed':
    case 'skipped':
    case 'cancelled':
      return result.status;
    default:
      return 'open';
  }
}

/** The columns: every site any row lists, once, in first-seen order. */
export function coverageSites(rows: readonly (readonly SiteResult[])[]): CoverageSite[] {
  const sites = new Map<string, CoverageSite>();
  for (const results of rows) {
    for (const { siteId, siteName } of results) if (!sites.has(siteId)) sites.set(siteId, { siteId, siteName });
  }
  return [...sites.values()];
}

/** Each column's total over the rows. */
export function coverageTotals(rows: readonly (readonly SiteResult[])[], sites: readonly CoverageSite[]): Map<string, SiteCoverage> {
  const counts = new Map(sites.map((site) => [site.siteId, { listed: 0, answered: 0 }]));
  for (const results of rows) {
    for (const result of results) {
      const count = counts.get(result.siteId);
      if (!count || result.status !== 'done') continue;
      count.answered++;
      if (result.outcome === 'found' || result.outcome === 'partial') count.listed++;
    }
  }
  return new Map(
    [...counts].map(([siteId, { listed, answered }]) => [siteId, answered === 0 ? { listed, answered } : { listed, answered, share: listed / answered }]),
  );
}
