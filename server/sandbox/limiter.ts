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
 * Worked example (concurrency 2, 5 per 1000 ms, default tolerance 100 ms): arrivals at 0, 10, 20,
 * 30, 40 ms, each finishing at once, are admitted; one at 50 ms is refused with a retry after
 * 850 ms (the 0 ms arrival leaves the 900 ms window then); one at 1000 ms is admitted again.
 *
 * Invariants: an admitted request MUST be released exactly once (extra calls are ignored); a
 * refused request MUST NOT count toward concurrency or the admitted window. `exceeded` turns true
 * when the client broke a limit — an arrival that, counting every arrival (refused ones too),
 * made the window or the in-flight count go over — and stays true until reset().
 *
 * The window is shortened by `toleranceMs` because arrival times carry jitter the client cannot
 * see: a client that spaces its starts exactly `perMs` apart can arrive closer together when its
 * first request waited for a new connection or an event-loop stall (client and sandbox often
 * share one process) and a later one went out on a warm connection. With 50 ms, the compliant
 * p-queue client of sandbox-server.test.ts was refused once in about twenty runs on a loaded
 * 2-core machine; 10% of the window is the sandbox's benefit of the doubt. A client off by less
 * than that goes unreported.
 */

/** Options of a {@link SiteLimiter}. */
export interface SiteLimiterOptions {
  /** Admitted requests in flight at once. Integer ≥ 1. */
  readonly concurrency: number;
  /** Admitted arrivals per window. Integer ≥ 1. */
  readonly requests: number;
  /** Window length in ms. Finite, > 0. */
  readonly perMs: number;
  /** Clock in ms (monotonic). Default `performance.now`. */
  readonly now?: () => number;
  /** Arrival jitter forgiven, in ms. Default min(100, perMs / 10); 0 ≤ toleranceMs < perMs. */
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
      /** Ends the request's hold on a concurrency slot. Idempotent. */
      release(): void;
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
  /** Arrivals refused (answered 429). */
  readonly rateLimited: number;
  readonly rateLimitedFor: { readonly concurrency: number; readonly rate: number };
  /** Admitted requests in flight now. */
  readonly inFlight: number;
  /** Most requests the client had in flight at once, counting the arriving one (refused ones too). */
  readonly maxConcurrency: number;
  /** Most arrivals (refused ones too) in any window. */
  readonly maxArrivalsInWindow: number;
  /** The client broke a limit: maxConcurrency > concurrency or maxArrivalsInWindow > requests. */
  readonly exceeded: boolean;
}

/** Retry-After for a concurrency refusal: the server cannot know when a slot frees. */
const CONCURRENCY_RETRY_MS = 1000;

/** Concurrency and sliding-window rate limits of one site, with the stats that prove compliance. */
export class SiteLimiter {
  readonly concurrency: number;
  readonly requests: number;
  readonly perMs: number;
  readonly toleranceMs: number;
  readonly #now: () => number;
  readonly #windowMs: number;

  /** Arrival times of admitted requests still in the window, oldest first. */
  #admitted: number[] = [];
  /** Arrival times of all requests still in the window, oldest first. */
  #arrivals: number[] = [];
  #inFlight = 0;
  #requests = 0;
  #refusedForConcurrency = 0;
  #refusedForRate = 0;
  #maxConcurrency = 0;
  #maxArrivalsInWindow = 0;

  constructor(options: SiteLimiterOptions) {
    const { concurrency, requests, perMs } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer >= 1, got ${concurrency}`);
    }
    if (!Number.isInteger(requests) || requests < 1) {
      throw new TypeError(`Expected \`requests\` to be an integer >= 1, got ${requests}`);
    }
    if (!Number.isFinite(perMs) || perMs <= 0) {
      throw new TypeError(`Expected \`perMs\` to be a finite number > 0, got ${perMs}`);
    }
    const toleranceMs = options.toleranceMs ?? Math.min(100, perMs / 10);
    if (!Number.isFinite(toleranceMs) || toleranceMs < 0 || toleranceMs >= perMs) {
      throw new TypeError(`Expected \`toleranceMs\` to be a finite number in [0, perMs), got ${toleranceMs}`);
    }
    this.concurrency = concurrency;
    this.requests = requests;
    this.perMs = perMs;
    this.toleranceMs = toleranceMs;
    this.#windowMs = perMs - toleranceMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Records an arrival and decides: admitted (hold a slot until release) or refused. */
  admit(): Admission {
    const now = this.#now();
    this.#prune(now);
    this.#requests++;
    this.#arrivals.push(now);
    this.#maxArrivalsInWindow = Math.max(this.#maxArrivalsInWindow, this.#arrivals.length);
    this.#maxConcurrency = Math.max(this.#maxConcurrency, this.#inFlight + 1);

    if (this.#inFlight >= this.concurrency) {
      this.#refusedForConcurrency++;
      return { admitted: false, reason: 'concurrency', retryAfterMs: CONCURRENCY_RETRY_MS };
    }
    if (this.#admitted.length >= this.requests) {
      this.#refusedForRate++;
      return { admitted: false, reason: 'rate', retryAfterMs: Math.max(1, this.#admitted[0]! + this.#windowMs - now) };
    }

    this.#admitted.push(now);
    this.#inFlight++;
    let released = false;
    return {
      admitted: true,
      remaining: this.requests - this.#admitted.length,
      resetMs: this.#admitted[0]! + this.#windowMs - now,
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
   * Zeroes the counters and forgets the window. Requests in flight stay in flight (they are real)
   * and are released as usual.
   */
  reset(): void {
    this.#admitted = [];
    this.#arrivals = [];
    this.#requests = 0;
    this.#refusedForConcurrency = 0;
    this.#refusedForRate = 0;
    this.#maxConcurrency = 0;
    this.#maxArrivalsInWindow = 0;
  }

  #prune(now: number): void {
    // The window is (now - windowMs, now]: an arrival exactly windowMs ago has left it.
    const start = now - this.#windowMs;
    while (this.#admitted.length > 0 && this.#admitted[0]! <= start) this.#admitted.shift();
    while (this.#arrivals.length > 0 && this.#arrivals[0]! <= start) this.#arrivals.shift();
  }
}
