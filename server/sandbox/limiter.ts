/**
 * Server-side limits of one sandbox site, and the record of whether a client kept them.
 *
 *   request arrives ──► admit() ──► admitted: in flight until release()
 *                          │
 *                          └──────► refused: 429 + Retry-After (not in flight, not in the window)
 *
 * Two limits, as sitescan's site consumers keep them (p-queue `concurrency` and a strict sliding
 * window of `requests` per `perMs`):
 * - concurrency: at most `concurrency` admitted requests in flight;
 * - rate: at most `requests` admitted ARRIVALS in any window of `perMs` ms.
 *
 * Two sets of limits, two jobs:
 * - MEASUREMENT uses the announced limits (the ones the site definition tells sitescan) on their
 *   EXACT window: `maxArrivalsInWindow` is the most arrivals (refused ones too) in any half-open
 *   window (t - perMs, t], and `exceeded` turns true when that count or the in-flight count ever
 *   went over the announced limits. A test reads these to prove that sitescan kept every limit.
 * - ENFORCEMENT uses the `enforced` limits (default: the announced ones; lower in tests of "a
 *   site whose real limit is lower than it says") on a window shortened by `toleranceMs`.
 *
 * The enforcement window is shortened because arrival times carry jitter the client cannot see:
 * a client that spaces its starts exactly `perMs` apart can arrive closer together when its first
 * request waited for a new connection or an event-loop stall (client and sandbox often share one
 * process). The measurement forgives nothing: sitescan keeps its own margin on each window
 * (RATE_MARGIN_MS in the site consumer) so that its arrivals stay inside the exact window.
 *
 * Worked example (announced = enforced = concurrency 2, 5 per 1000 ms, tolerance 100 ms):
 * arrivals at 0, 10, 20, 30, 40 ms, each finishing at once, are admitted; one at 50 ms is refused
 * with a retry after 850 ms (the 0 ms arrival leaves the 900 ms enforcement window then) and
 * `exceeded` is true (6 arrivals in 1000 ms); an arrival at 950 ms is admitted by enforcement but
 * still counted: `maxArrivalsInWindow` 7.
 *
 * Invariants: an admitted request MUST be released exactly once (extra calls are ignored); a
 * refused request MUST NOT count toward concurrency or the admitted window; `exceeded` stays true
 * until reset().
 */

/** Concurrency and a sliding-window rate, as in a site definition. */
export interface RateLimits {
  /** Requests in flight at once. Integer ≥ 1. */
  readonly concurrency: number;
  /** Arrivals per window. Integer ≥ 1. */
  readonly requests: number;
  /** Window length in ms. Finite, > 0. */
  readonly perMs: number;
}

/** Options of a {@link SiteLimiter}: the announced limits, measured exactly. */
export interface SiteLimiterOptions extends RateLimits {
  /** Limits the site really enforces. Default: the announced ones. */
  readonly enforced?: RateLimits;
  /** Clock in ms (monotonic). Default `performance.now`. */
  readonly now?: () => number;
  /**
   * Arrival jitter forgiven by enforcement (never by the measurement), in ms.
   * Default min(100, enforced.perMs / 10); 0 ≤ toleranceMs < enforced.perMs.
   */
  readonly toleranceMs?: number;
}

/** The answer to one arrival. */
export type Admission =
  | {
      readonly admitted: true;
      /** Admitted arrivals still allowed in the current window. */
      readonly remaining: number;
      /** ms until the oldest admitted arrival leaves the window. */
      readonly resetMs: number;
      /** Ends the request's hold on a concurrency slot. Idempotent; needs no `this`, so it may be passed on. */
      readonly release: () => void;
    }
  | {
      readonly admitted: false;
      readonly reason: 'concurrency' | 'rate';
      /** How long the client should wait, in ms (> 0). */
      readonly retryAfterMs: number;
    };

/** What a limiter saw since it was created or reset. */
export interface LimiterStats {
  /** Arrivals, admitted or not. */
  readonly requests: number;
  /** Arrivals refused by enforcement (answered with the site's push-back). */
  readonly rateLimited: number;
  /** Refusals by cause; `rate` is the enforcement's refusals for rate (tolerance applied). */
  readonly rateLimitedFor: { readonly concurrency: number; readonly rate: number };
  /** Admitted requests in flight now. */
  readonly inFlight: number;
  /** Most requests the client had in flight at once, counting the arriving one (refused ones too). */
  readonly maxConcurrency: number;
  /** Most arrivals (refused ones too) in any exact window of the announced `perMs`. */
  readonly maxArrivalsInWindow: number;
  /** The client broke an announced limit: maxConcurrency > concurrency or maxArrivalsInWindow > requests. */
  readonly exceeded: boolean;
}

/** Retry-After for a concurrency refusal: the server cannot know when a slot frees. */
const CONCURRENCY_RETRY_MS = 1000;

/** Concurrency and sliding-window rate limits of one site, with the stats that prove compliance. */
export class SiteLimiter {
  /** Announced limits: what the measurement holds the client to. */
  readonly concurrency: number;
  readonly requests: number;
  readonly perMs: number;
  /** Limits the site enforces. */
  readonly enforced: RateLimits;
  readonly toleranceMs: number;
  readonly #now: () => number;
  /** Enforcement window: `enforced.perMs - toleranceMs`. */
  readonly #windowMs: number;

  /** Arrival times of admitted requests still in the enforcement window, oldest first. */
  readonly #admitted = new TimeQueue();
  /** Arrival times of all requests still in the exact announced window, oldest first. */
  readonly #arrivals = new TimeQueue();
  #inFlight = 0;
  #requests = 0;
  #refusedForConcurrency = 0;
  #refusedForRate = 0;
  #maxConcurrency = 0;
  #maxArrivalsInWindow = 0;

  constructor(options: SiteLimiterOptions) {
    validateLimits(options, '');
    const enforced = options.enforced ?? options;
    if (options.enforced) validateLimits(enforced, 'enforced.');
    const toleranceMs = options.toleranceMs ?? Math.min(100, enforced.perMs / 10);
    if (!Number.isFinite(toleranceMs) || toleranceMs < 0 || toleranceMs >= enforced.perMs) {
      throw new TypeError(`Expected \`toleranceMs\` to be a finite number in [0, perMs), got ${toleranceMs}`);
    }
    this.concurrency = options.concurrency;
    this.requests = options.requests;
    this.perMs = options.perMs;
    this.enforced = { concurrency: enforced.concurrency, requests: enforced.requests, perMs: enforced.perMs };
    this.toleranceMs = toleranceMs;
    this.#windowMs = enforced.perMs - toleranceMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Records an arrival and decides: admitted (hold a slot until release) or refused. */
  admit(): Admission {
    const now = this.#now();
    // Windows are half-open, (now - length, now]: an arrival exactly `length` ago has left.
    this.#arrivals.dropUntil(now - this.perMs);
    this.#admitted.dropUntil(now - this.#windowMs);
    this.#requests++;
    this.#arrivals.push(now);
    this.#maxArrivalsInWindow = Math.max(this.#maxArrivalsInWindow, this.#arrivals.size);
    this.#maxConcurrency = Math.max(this.#maxConcurrency, this.#inFlight + 1);

    if (this.#inFlight >= this.enforced.concurrency) {
      this.#refusedForConcurrency++;
      return { admitted: false, reason: 'concurrency', retryAfterMs: CONCURRENCY_RETRY_MS };
    }
    if (this.#admitted.size >= this.enforced.requests) {
      this.#refusedForRate++;
      return { admitted: false, reason: 'rate', retryAfterMs: Math.max(1, this.#admitted.oldest! + this.#windowMs - now) };
    }

    this.#admitted.push(now);
    this.#inFlight++;
    let released = false;
    return {
      admitted: true,
      remaining: this.enforced.requests - this.#admitted.size,
      resetMs: this.#admitted.oldest! + this.#windowMs - now,
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
      },
    };
  }

  /** Counters since creation or the last reset. */
  stats(): LimiterStats {
    return {
      requests: this.#requests,
      rateLimited: this.#refusedForConcurrency + this.#refusedForRate,
      rateLimitedFor: { concurrency: this.#refusedForConcurrency, rate: this.#refusedForRate },
      inFlight: this.#inFlight,
      maxConcurrency: this.#maxConcurrency,
      maxArrivalsInWindow: this.#maxArrivalsInWindow,
      exceeded: this.#maxConcurrency > this.concurrency || this.#maxArrivalsInWindow > this.requests,
    };
  }

  /**
   * Zeroes the counters and forgets the windows. Requests in flight stay in flight (they are real)
   * and are released as usual.
   */
  reset(): void {
    this.#admitted.clear();
    this.#arrivals.clear();
    this.#requests = 0;
    this.#refusedForConcurrency = 0;
    this.#refusedForRate = 0;
    this.#maxConcurrency = 0;
    this.#maxArrivalsInWindow = 0;
  }
}

function validateLimits(limits: RateLimits, prefix: string): void {
  const { concurrency, requests, perMs } = limits;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`Expected \`${prefix}concurrency\` to be an integer >= 1, got ${concurrency}`);
  }
  if (!Number.isInteger(requests) || requests < 1) {
    throw new TypeError(`Expected \`${prefix}requests\` to be an integer >= 1, got ${requests}`);
  }
  if (!Number.isFinite(perMs) || perMs <= 0) {
    throw new TypeError(`Expected \`${prefix}perMs\` to be a finite number > 0, got ${perMs}`);
  }
}

/**
 * Times in arrival order, dropped from the front. An array with a head index: a day-long window
 * (Overpass) holds thousands of arrivals, and `shift()` on each would be quadratic.
 */
class TimeQueue {
  #items: number[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  get oldest(): number | undefined {
    return this.#items[this.#head];
  }

  push(time: number): void {
    this.#items.push(time);
  }

  /** Drops every time ≤ `limit`. */
  dropUntil(limit: number): void {
    while (this.#head < this.#items.length && this.#items[this.#head]! <= limit) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
