/**
 * What to do after an attempt failed: retry (after how long) or give up, planned within the
 * search's deadline so no retry starts that cannot finish in time.
 */
import {
  PageNotRecognisedError,
  SiteBlockedError,
  SiteRateLimitedError,
  SiteTimeoutError,
  TransientSiteError,
  UnrecoverableSiteError,
} from '../errors';

/** First backoff step; each retry doubles it (full jitter). */
export const BACKOFF_BASE_MS = 200;
/** Longest single backoff. */
export const BACKOFF_MAX_MS = 5_000;
/** A retry needs at least this much time before the deadline to be worth starting. */
export const MIN_ATTEMPT_MS = 250;

/** The decision after a failed attempt. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: string; readonly rateLimited: boolean }
  | { readonly retry: false; readonly reason: string };

/** Inputs of the decision. */
export interface RetryContext {
  /** Attempts made so far, the failed one included. */
  readonly attempts: number;
  /** Retries the site allows after the first attempt. */
  readonly retries: number;
  readonly now: number;
  readonly deadlineAt: number;
  /** Random number in [0, 1), for jitter. */
  readonly random?: () => number;
}

/** Reason of a job that met a bot wall (see `server/sites/bot-walls.ts`). */
export const BLOCKED_REASON = 'blocked (captcha)';
/** Reason of a job whose page the site definition did not recognise. */
export const PAGE_NOT_RECOGNISED_REASON = 'page not recognised (layout changed?)';

/** A short reason for the log and the result table. */
export function describeFailure(error: unknown): string {
  if (error instanceof SiteTimeoutError) return `timeout after ${error.timeoutMs} ms`;
  // Before SiteRateLimitedError: a wall is push-back, but the table must say it was a wall.
  if (error instanceof SiteBlockedError) return BLOCKED_REASON;
  if (error instanceof PageNotRecognisedError) return PAGE_NOT_RECOGNISED_REASON;
  if (error instanceof SiteRateLimitedError) return `rate limited (${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Decides whether and when to retry after `error`. */
export function planRetry(error: unknown, context: RetryContext): RetryDecision {
  const reason = describeFailure(error);
  const retryable =
    error instanceof SiteTimeoutError || error instanceof TransientSiteError || error instanceof SiteRateLimitedError;
  if (!retryable || error instanceof UnrecoverableSiteError) return { retry: false, reason };
  if (context.attempts > context.retries) return { retry: false, reason: `${reason}; no retries left` };

  const random = context.random ?? Math.random;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (context.attempts - 1));
  let delayMs = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  if (error instanceof SiteRateLimitedError && error.retryAfterMs !== undefined) {
    // The site said when: waiting less only earns another 429.
    delayMs = Math.max(delayMs, error.retryAfterMs);
  }
  if (context.now + delayMs + MIN_ATTEMPT_MS > context.deadlineAt) {
    return { retry: false, reason: `${reason}; no time left for a retry` };
  }
  return { retry: true, delayMs, reason, rateLimited: error instanceof SiteRateLimitedError };
}
