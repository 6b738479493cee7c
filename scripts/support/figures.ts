/**
 * Numbers a benchmark or a load run reports: nearest-rank percentiles and rounding to a few
 * digits. Shared by bench/ and scripts/ so that every figure is taken the same way; the
 * percentile and rounding rules themselves are lib/figures.ts's, which the server's figures use too.
 */
import { nearestRank, round } from '../../lib/figures';

export { nearestRank, round };

/** The nearest-rank `p`th percentile (0–100) of values in any order; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  return nearestRank([...values].sort((a, b) => a - b), p) ?? Number.NaN;
}

