/**
 * Limit violations as a site counts them: requests over the limit in its fullest window, plus
 * requests in flight over its concurrency, both measured by the site on arrival (the sandbox's
 * limiter, exact windows, no tolerance).
 */
import type { RateLimits } from '../../server/sandbox/limiter';

/** What a site reports about the limits it was held to. */
export interface LimitCounts {
  readonly maxArrivalsInWindow: number;
  readonly maxConcurrency: number;
}

/** Requests over the limits: over the rate in the fullest window plus over the concurrency at the busiest moment; 0 when both held. */
export function limitViolations(counts: LimitCounts, limits: RateLimits): number {
  return Math.max(0, counts.maxArrivalsInWindow - limits.requests) + Math.max(0, counts.maxConcurrency - limits.concurrency);
}
