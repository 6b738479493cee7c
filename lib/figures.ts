/**
 * The percentile and rounding rules every figure of sitescan is taken by: the server's (the charts' push
 * latency) and the benchmarks' and load runs' (scripts/support/figures.ts).
 */

/**
 * The nearest-rank `p`th percentile (0–100) of values already sorted ascending: the smallest value
 * with at least p % of them at or below it. Undefined when there are none.
 *
 * Example: of [10, 20, 30, 40], p50 is 20 (rank ⌈0.5 × 4⌉ = 2) and p99 is 40.
 */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** `value` to `digits` decimals (default 1), as `toFixed` rounds it. */
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
