/**
 * The quota-use columns of a site in the benchmarks' tables, named once so that the pipeline's and
 * the cluster's tables read alike.
 */

/** A site's quota figures, as both benchmarks take them from what the site counted. */
export interface QuotaFigures {
  /** Achieved rate / allowed rate (see `quotaUse`). */
  readonly quotaUse: number;
  /** Requests over the limit in the fullest window; 0 when the limit held. */
  readonly violations: number;
  /** Requests the site refused (429). */
  readonly refused: number;
  readonly maxInWindow: number;
}

/** The table columns of `site`'s quota figures. */
export function quotaColumns(site: QuotaFigures): Record<string, number> {
  return {
    'achieved/allowed': site.quotaUse,
    'violations (over limit in a window)': site.violations,
    '429s': site.refused,
    'max in a window': site.maxInWindow,
  };
}
