/**
 * Named errors that drive control flow. The HTTP error answer (`http/error-answer.ts`) maps them
 * to statuses; the pipeline maps site errors to retry / fail decisions. Each names itself (its
 * prototype's `name`) so logs and stack traces say what happened.
 *
 * Test them with plain `instanceof`, never by `name`: {@link SitescanError} makes `instanceof`
 * hold across the separate copies of this module that Next's bundles load.
 */

/** Key of the brand of a sitescan error; `Symbol.for` keys are one per process, shared by every bundle. */
const CLASSES: unique symbol = Symbol.for('sitescan.error.classes');

/**
 * The base of every sitescan error: `error instanceof NotFoundError` holds for a `NotFoundError`
 * from any copy of this module.
 *
 * Why: route handlers are bundled by Next, so their `NotFoundError` is another class object than
 * the one the pipeline and search service (run by the custom server) throw, and an ordinary
 * `instanceof` says no. So each instance carries a brand — the names of the classes on its
 * prototype chain, under a `Symbol.for` key every copy shares — and `Symbol.hasInstance` accepts
 * an instance whose brand names the class. The names are string literals on the prototypes (not
 * `constructor.name`), so a minifier cannot change them.
 *
 * Invariants: every subclass MUST name itself in a static block (`static { named(this, 'XError') }`)
 * with its own class name; two classes MUST NOT share a name.
 */
export abstract class SitescanError extends Error {
  static {
    named(this, 'SitescanError');
  }

  /** True for an instance of this class from this or any other copy of the module. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const classes = (value as { [CLASSES]?: unknown } | null | undefined)?.[CLASSES];
    // A subclass without a name of its own would otherwise accept every instance of its parent.
    return Array.isArray(classes) && Object.hasOwn(this.prototype, 'name') && classes.includes(this.prototype.name);
  }

  /** The brand: names of the classes this error is an instance of, its own first. */
  get [CLASSES](): readonly string[] {
    const names: string[] = [];
    for (let proto = Reflect.getPrototypeOf(this); proto && proto !== Error.prototype; proto = Reflect.getPrototypeOf(proto)) {
      if (Object.hasOwn(proto, 'name')) names.push((proto as Error).name);
    }
    return names;
  }
}

/** Names a class on its prototype, where stack traces, logs and the brand read it. */
function named(type: abstract new (...args: never[]) => SitescanError, name: string): void {
  Object.defineProperty(type.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** Options of a `ValidationError`. */
export interface ValidationErrorOptions extends ErrorOptions {
  /** What the error answer names as its code. Default `invalid_request`. */
  readonly code?: string;
}

/** Input that breaks a rule: a bad body, payload, cursor or config value. → 400 */
export class ValidationError extends SitescanError {
  static {
    named(this, 'ValidationError');
  }

  readonly code: string;

  constructor(
    message: string,
    readonly details?: unknown,
    options: ValidationErrorOptions = {},
  ) {
    super(message, options);
    this.code = options.code ?? 'invalid_request';
  }
}

/** An id that names nothing. → 404 */
export class NotFoundError extends SitescanError {
  static {
    named(this, 'NotFoundError');
  }

  readonly code: string = 'not_found';
}

/** A request body larger than the API accepts. → 413 */
export class PayloadTooLargeError extends SitescanError {
  static {
    named(this, 'PayloadTooLargeError');
  }

  readonly code: string = 'body_too_large';
}

/** sitescan is full and refuses new work rather than grow without bound. → 429 + Retry-After */
export class OverloadedError extends SitescanError {
  static {
    named(this, 'OverloadedError');
  }

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
export class UnavailableError extends SitescanError {
  static {
    named(this, 'UnavailableError');
  }

  readonly code: string = 'unavailable';

  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * A request the client may not make: a change to a search it does not own, a state-changing
 * request from another site (CSRF). → 403
 */
export class ForbiddenError extends SitescanError {
  static {
    named(this, 'ForbiddenError');
  }

  constructor(
    message: string,
    readonly code: string = 'forbidden',
  ) {
    super(message);
  }
}

/** A request that conflicts with the current state (cancelling a finished search). → 409 */
export class ConflictError extends SitescanError {
  static {
    named(this, 'ConflictError');
  }

  readonly code: string = 'conflict';
}

/** A site attempt that ran out of time. Retryable. */
export class SiteTimeoutError extends SitescanError {
  static {
    named(this, 'SiteTimeoutError');
  }

  constructor(
    readonly siteId: string,
    readonly timeoutMs: number,
  ) {
    super(`${siteId} timed out after ${timeoutMs} ms`);
  }
}

/** A site that pushed back (429, or 503 with Retry-After). Retryable after `retryAfterMs`. */
export class SiteRateLimitedError extends SitescanError {
  static {
    named(this, 'SiteRateLimitedError');
  }

  constructor(
    readonly siteId: string,
    readonly status: number,
    /** How long the site asked us to wait, when it said. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${siteId} answered ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`);
  }
}

/**
 * A site that answered with a bot wall instead of its page: a captcha, a JavaScript challenge, an
 * "access denied" interstitial. Push-back like a 429 (retried within the deadline, the site
 * slowed), but unlike a 429 it counts against the site's circuit: a site that walls every
 * request is as unusable as one that fails.
 */
export class SiteBlockedError extends SiteRateLimitedError {
  static {
    named(this, 'SiteBlockedError');
  }

  constructor(
    siteId: string,
    status: number,
    /** Which wall was recognised (`recaptcha`, `cloudflare`, `marker` …), for the log. */
    readonly wall: string,
  ) {
    super(siteId, status, undefined);
    this.message = `${siteId}: blocked by a bot wall (${wall})`;
  }
}

/** A transient site fault: network error, 5xx. Retryable. */
export class TransientSiteError extends SitescanError {
  static {
    named(this, 'TransientSiteError');
  }

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
export class QueryNotSupportedError extends SitescanError {
  static {
    named(this, 'QueryNotSupportedError');
  }

  constructor(
    readonly siteId: string,
    readonly reason: string,
  ) {
    super(`${siteId}: ${reason}`);
  }
}

/** A site answer that retrying will not fix: 4xx, an unparseable page, a redirect off-site. */
export class UnrecoverableSiteError extends SitescanError {
  static {
    named(this, 'UnrecoverableSiteError');
  }

  constructor(
    readonly siteId: string,
    message: string,
  ) {
    super(`${siteId}: ${message}`);
  }
}

/**
 * A 2xx page that is neither the site's results page, its "no results" page nor a wall: the
 * definition no longer fits the site (a redesign). Never read as "not listed"; not retried, since
 * the same page would come back.
 */
export class PageNotRecognisedError extends UnrecoverableSiteError {
  static {
    named(this, 'PageNotRecognisedError');
  }

  constructor(
    siteId: string,
    /** What was looked for and not found, for the log and `site:check`. */
    readonly detail: string,
  ) {
    super(siteId, `page not recognised (layout changed?): ${detail}`);
  }
}

/**
 * Why a job's attempt was ended from outside it (`cancel`, `deadline`, `shutdown`, or
 * `elsewhere`: another node of a cluster ended its search): the reason its search's abort
 * signal carries. Not a fault of the site.
 */
export class JobEndedError extends SitescanError {
  static {
    named(this, 'JobEndedError');
  }

  constructor(readonly why: 'deadline' | 'cancel' | 'shutdown' | 'elsewhere') {
    super(`search ended: ${why}`);
  }
}

/**
 * One of a hedged pair of requests lost: the other answered first, so this one was aborted.
 * Not a fault of the site.
 */
export class RequestSupersededError extends SitescanError {
  static {
    named(this, 'RequestSupersededError');
  }

  constructor() {
    super('request aborted: its hedged copy answered first');
  }
}

/** A site's circuit is open (or its probe is out): the attempt was not made. */
export class CircuitOpenError extends SitescanError {
  static {
    named(this, 'CircuitOpenError');
  }
}
