/**
 * Named errors that drive control flow. The HTTP responder maps them to statuses; the pipeline
 * maps site errors to retry / fail decisions. Each sets `name` so logs say what happened.
 */

/** Input that breaks a rule: a bad body, payload, cursor or config value. → 400 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code: string = 'invalid_request';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** An id that names nothing. → 404 */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code: string = 'not_found';
}

/** sitescan is full and refuses new work rather than grow without bound. → 429 + Retry-After */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  readonly code: string = 'overloaded';
  constructor(
    message: string,
    /** Estimate of when to try again, in ms. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** sitescan is shutting down and takes no new work. → 503 + Retry-After */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  readonly code: string = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** A request that conflicts with the current state (cancelling a finished search). → 409 */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly code: string = 'conflict';
}

/** A site attempt that ran out of time. Retryable. */
export class SiteTimeoutError extends Error {
  override readonly name = 'SiteTimeoutError';
  constructor(
    readonly siteId: string,
    readonly timeoutMs: number,
  ) {
    super(`${siteId} timed out after ${timeoutMs} ms`);
  }
}

/** A site that pushed back (429, or 503 with Retry-After). Retryable after `retryAfterMs`. */
export class SiteRateLimitedError extends Error {
  override readonly name = 'SiteRateLimitedError';
  constructor(
    readonly siteId: string,
    readonly status: number,
    /** How long the site asked us to wait, when it said. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${siteId} answered ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`);
  }
}

/** A transient site fault: network error, 5xx. Retryable. */
export class SiteUnavailableError extends Error {
  override readonly name = 'SiteUnavailableError';
  constructor(
    readonly siteId: string,
    message: string,
  ) {
    super(`${siteId}: ${message}`);
  }
}

/**
 * The query lacks what this site needs to be searched (Overpass needs a city to bound the area,
 * Yelp a location or a phone). Not a fault of the site: the job ends `skipped` with this reason,
 * and the site's circuit does not count it.
 */
export class QueryNotSupportedError extends Error {
  override readonly name = 'QueryNotSupportedError';
  constructor(
    readonly siteId: string,
    readonly reason: string,
  ) {
    super(`${siteId}: ${reason}`);
  }
}

/** A site answer that retrying will not fix: 4xx, an unparseable page, a redirect off-site. */
export class UnrecoverableSiteError extends Error {
  override readonly name = 'UnrecoverableSiteError';
  constructor(
    readonly siteId: string,
    message: string,
  ) {
    super(`${siteId}: ${message}`);
  }
}
