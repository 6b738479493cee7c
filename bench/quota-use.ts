/**
 * How much of a site's allowed rate a run used, from the arrivals the site counted: shared by the
 * benchmarks so that the one-process pipeline and the cluster are judged by the same figure.
 */

/**
 * Achieved rate / allowed rate: admitted arrivals over the span they took, per window. 1.0 is
 * every window full from the first arrival to the last; NaN when there are fewer than two
 * windows' worth of arrivals (too few to tell a rate).
 *
 * Example: 5 requests per 1000 ms and 55 arrivals from t = 0 to t = 10,500 ms. After the first
 * burst of 5, the other 50 need 10 full windows (10,000 ms) at the allowed rate: 10,000 / 10,500
 * ≈ 0.95.
 */
export function quotaUse(arrivalTimes: readonly number[], limits: { readonly requests: number; readonly perMs: number }): number {
  if (arrivalTimes.length < limits.requests * 2) return Number.NaN;
  const span = arrivalTimes.at(-1)! - arrivalTimes[0]!;
  // n arrivals at the full rate need (n - requests) / requests windows after the first burst.
  const ideal = ((arrivalTimes.length - limits.requests) / limits.requests) * limits.perMs;
  return ideal / span;
}
