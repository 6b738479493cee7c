/**
 * How a sandbox site pushes back when a client breaks its limits. Real directories differ, so
 * sitescan must cope with each:
 *
 * | style               | refusal                                                     | on every answer   |
 * |---------------------|-------------------------------------------------------------|-------------------|
 * | `retry-after`       | 429 + `Retry-After: <s>`                                     | —                 |
 * | `ratelimit-headers` | 429 + `Retry-After` + `RateLimit-*`                          | `RateLimit-*`     |
 * | `unavailable`       | 503 + `Retry-After: <s>` ("server busy")                     | —                 |
 * | `captcha`           | **200** with a captcha page and no results (see below)       | —                 |
 * | `block`             | 429 + `Retry-After`; more than 3 refusals within 10 s → every request answered 403 for 30 s | — |
 *
 * `RateLimit-*` are the IETF draft's fields: `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (seconds until the window frees a request) and `RateLimit-Policy`
 * (`5;w=1` = 5 requests per 1 s window).
 *
 * A captcha page is an ordinary 200 HTML page, so a client that only reads the results sees
 * "no results" — the trap sitescan must avoid (a blocked search is `failed`, never `not_found`).
 * It is recognisable by: `<title>` starting with "Security check", an element with
 * `data-captcha="required"` (`#captcha`), and a `.g-recaptcha` widget; it never contains the
 * site's result list markup.
 *
 * A `block` is the site's firewall: after sustained abuse it refuses everything with 403 (an
 * "access denied" page) without Retry-After, and forgets after the block ends (or on reset()).
 */

/** A push-back style (see the module comment). */
export type PushBackStyle = 'retry-after' | 'ratelimit-headers' | 'unavailable' | 'captcha' | 'block';

/** Options of an {@link AbuseBlocker}. */
export interface AbuseBlockerOptions {
  /** Refusals tolerated within `withinMs`; one more starts a block. Default 3; integer ≥ 0. */
  readonly violations?: number;
  /** Window in which refusals are counted, in ms. Default 10,000. */
  readonly withinMs?: number;
  /** How long a block lasts, in ms. Default 30,000. */
  readonly blockMs?: number;
  /** Clock in ms (monotonic). Default `performance.now`. */
  readonly now?: () => number;
}

/** The firewall of a `block` site: counts limit violations and blocks the client after too many. */
export class AbuseBlocker {
  readonly violations: number;
  readonly withinMs: number;
  readonly blockMs: number;
  readonly #now: () => number;
  #recent: number[] = [];
  #blockedUntil = Number.NEGATIVE_INFINITY;
  #blocks = 0;

  constructor(options: AbuseBlockerOptions = {}) {
    this.violations = options.violations ?? 3;
    this.withinMs = options.withinMs ?? 10_000;
    this.blockMs = options.blockMs ?? 30_000;
    this.#now = options.now ?? (() => performance.now());
    if (!Number.isInteger(this.violations) || this.violations < 0) {
      throw new TypeError(`Expected \`violations\` to be an integer >= 0, got ${this.violations}`);
    }
  }

  /** Records one refused request; starts a block when there were too many lately. */
  recordViolation(): void {
    const now = this.#now();
    this.#recent = this.#recent.filter((time) => time > now - this.withinMs);
    this.#recent.push(now);
    if (this.#recent.length > this.violations && now >= this.#blockedUntil) {
      this.#blockedUntil = now + this.blockMs;
      this.#blocks++;
      this.#recent = [];
    }
  }

  /** ms left of the current block; 0 when the client is not blocked. */
  blockedForMs(): number {
    return Math.max(0, this.#blockedUntil - this.#now());
  }

  /** Blocks started since creation or the last reset. */
  get blocks(): number {
    return this.#blocks;
  }

  /** Lifts any block and forgets past violations. */
  reset(): void {
    this.#recent = [];
    this.#blockedUntil = Number.NEGATIVE_INFINITY;
    this.#blocks = 0;
  }
}

/** `RateLimit-*` header fields (IETF draft) for a window state. */
export function rateLimitFields(limits: { requests: number; perMs: number }, remaining: number, resetMs: number): Record<string, string> {
  return {
    'RateLimit-Limit': String(limits.requests),
    'RateLimit-Remaining': String(Math.max(0, remaining)),
    'RateLimit-Reset': String(Math.max(0, Math.ceil(resetMs / 1000))),
    'RateLimit-Policy': `${limits.requests};w=${Math.ceil(limits.perMs / 1000)}`,
  };
}

/** `Retry-After` in whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
