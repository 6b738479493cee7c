/**
 * The hedge policy of one site: how long an attempt may take, and when a slow request earns a
 * second request (a hedge) — from the site's latency model, within a budget, never against its
 * will.
 *
 *   request sent ──(hedge delay: max(p90, 2 × p50))──▶ still no answer? ──decide──▶ hedge / no
 *        │                                                        budget · push-back · time left
 *        └──(attempt timeout: max(2 × p99, 1 s), ≤ timeoutMs, leaving a retry its p95,
 *            ≤ time left)──▶ SiteTimeoutError
 *
 * A search waits for its slowest site, and one request in forty that hangs decides what the user
 * waits for (the tail at scale). The answer known from large systems: when a request has run past
 * the site's usual latency, send one more and take whichever answers first. The second request is
 * real — the requester sends it only through the site's own concurrency slot and send window, so
 * the site never sees more than its limit — and this policy keeps it rare and polite.
 *
 * Why p90 and 15%, not the p95 and 10% of "The Tail at Scale": a hedge has to be sent early
 * enough that an ordinary answer to it still lands before the search counts as slow. On a site
 * with a median of 500 ms, a log-normal spread of 0.8 and 3% of requests that hang, 7% of
 * requests are still out at 2 s; a hedge sent at the p95 (1.9 s) cannot pull them under 2 s, and
 * search p95 stays at 2.1–2.3 s (`npm run bench:tail`, December 2026). Sent at the p90 (1.4 s),
 * a typical second answer lands by 1.9 s. About 13% of that site's requests then earn one, so
 * the budget is 15%; the site's own limits still bound every request.
 *
 * Example: a directory answers in 500 ms at the median, 1.4 s at p90, 1.9 s at p95 and 3.2 s at
 * p99, and allows 20 requests a second. Its attempts get min(4 s, max(2 × 3.2 s, 1 s)) = 4 s (its
 * definition's timeoutMs caps the model); a first attempt of a 5 s search that may be retried gets
 * 2.9 s, so that a retry after a hang still has 1.9 s + 200 ms of backoff to answer. A request
 * still unanswered after 1.4 s gets a hedge if the budget holds one (each request sent earns 0.15
 * of a hedge, at most 30 kept: 15% of the 200 requests it allows in 10 s), the site has not
 * pushed back in the last 30 s, and at least the site's median (500 ms) is left before the
 * deadline. The first answer is kept; the other request is aborted.
 *
 * Invariants:
 * - A site whose definition says `hedge: false` (or with hedging off) is never hedged.
 * - Nothing is hedged before the latency model is ready; until then attempts get `timeoutMs`.
 * - Hedges MUST NOT exceed HEDGE_BUDGET of the requests sent plus the bank: each request sent
 *   earns HEDGE_BUDGET of a hedge, each hedge spends one, and at most `bank` are kept in hand.
 * - No hedge within PUSH_BACK_QUIET_MS of the site's last push-back (429, 503 + Retry-After, a
 *   spent window): a site that asks for less gets no extra requests.
 * - An attempt's timeout never exceeds the definition's `timeoutMs` nor the time left; a timeout
 *   cut by the deadline says so (`cutByDeadline`), so the job fails for the deadline, not the site.
 * - Pure: the clock is injected; nothing here sends, waits or sets a timer.
 */
import type { SiteLimits } from '../sites/site-definition';
import type { LatencyModel } from './latency-model';

/** A request slower than this quantile of the site's answers earns a hedge. */
export const HEDGE_QUANTILE = 0.9;
/** …but never sooner than this many times the site's median. */
export const HEDGE_MIN_MEDIANS = 2;
/** Hedges allowed per request sent: at most 15% extra requests. */
export const HEDGE_BUDGET = 0.15;
/**
 * Hedges kept in hand: HEDGE_BUDGET of what the site allows in this long (at least 2). Slow
 * requests come in bursts — a hang and a slow answer a second apart — and a bank of one window's
 * 10% (2 on a 20/s site) left 11 of 13 searches over 3 s unhedged in `npm run bench:tail`. A
 * hedge still goes only through window room it finds free, so a fuller bank cannot take another
 * search's turn.
 */
export const HEDGE_BANK_MS = 10_000;
/** Credit one request sent earns, and what a hedge costs, in whole units (no float drift): 3 and 20. */
const CREDIT_PER_REQUEST = Math.round(HEDGE_BUDGET * 20);
const CREDIT_PER_HEDGE = 20;
/** The quantile of the site's answers a retry is given time for. */
export const RETRY_QUANTILE = 0.95;
/** No hedges for this long after the site pushed back. */
export const PUSH_BACK_QUIET_MS = 30_000;
/** An attempt gets this many times the site's p99… */
export const TIMEOUT_P99_FACTOR = 2;
/** …and never less than this. */
export const TIMEOUT_FLOOR_MS = 1_000;
/**
 * What a retry needs besides its own answer time: its backoff (the first is at most 200 ms,
 * see `attempt.ts`). An attempt that may be retried ends early enough to leave the retry the
 * site's p95 plus this before the deadline.
 */
export const RETRY_RESERVE_MS = 200;

/** Options of a site's hedge policy. */
export interface HedgePolicyOptions {
  readonly model: LatencyModel;
  /** The site may be hedged: its definition's `hedge`, and hedging on. */
  readonly allowed: boolean;
  /** The definition's `timeoutMs`: the seed before the model is ready, and the cap after. */
  readonly timeoutMs: number;
  readonly limits: SiteLimits;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
}

/** The time an attempt gets, and whether the deadline (not the site's model) set it. */
export interface AttemptTimeout {
  readonly timeoutMs: number;
  readonly cutByDeadline: boolean;
}

/** Whether a slow request gets its hedge now. */
export type HedgeDecision = { readonly hedge: true } | { readonly hedge: false; readonly reason: string };

/** When one site's attempts time out and when its slow requests are hedged. */
export class HedgePolicy {
  private readonly model: LatencyModel;
  private readonly allowed: boolean;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** Most hedges kept in hand: max(2, HEDGE_BUDGET of the requests allowed in HEDGE_BANK_MS). */
  readonly bank: number;
  /** Credit earned by requests sent and not yet spent on a hedge, at most `bank × CREDIT_PER_HEDGE`. */
  private credit = 0;
  private lastPushBackAt = -Infinity;
  /** Requests sent that were not hedges, hedges sent, and hedges that answered first. */
  requests = 0;
  hedges = 0;
  wins = 0;
  /** Slow requests that got no hedge, by why (this policy's reasons and the requester's). */
  readonly declined: Record<string, number> = {};

  constructor(options: HedgePolicyOptions) {
    this.model = options.model;
    this.allowed = options.allowed;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
    const allowed = (options.limits.requests * HEDGE_BANK_MS) / options.limits.perMs;
    this.bank = Math.max(2, Math.floor(HEDGE_BUDGET * allowed));
  }

  /** Whether this site is ever hedged. */
  get hedgeable(): boolean {
    return this.allowed;
  }

  /**
   * The time an attempt starting now gets, with `timeLeftMs` left before its deadline. When it
   * may be retried (`canRetry`), it also leaves the retry time to answer: the site's p95 plus
   * RETRY_RESERVE_MS — but never cuts below the site's p95 nor the floor, or it would abandon
   * answers that are merely slow.
   */
  attemptTimeout(timeLeftMs: number, canRetry = false): AttemptTimeout {
    const p99 = this.model.quantile(0.99);
    let modelled = p99 === undefined ? this.timeoutMs : Math.min(this.timeoutMs, Math.max(TIMEOUT_FLOOR_MS, TIMEOUT_P99_FACTOR * p99));
    const p95 = this.model.quantile(RETRY_QUANTILE);
    if (canRetry && p95 !== undefined) {
      const leavingTimeForRetry = timeLeftMs - p95 - RETRY_RESERVE_MS;
      modelled = Math.min(modelled, Math.max(p95, TIMEOUT_FLOOR_MS, Math.floor(leavingTimeForRetry)));
    }
    const left = Math.max(1, Math.floor(timeLeftMs));
    return left < modelled ? { timeoutMs: left, cutByDeadline: true } : { timeoutMs: modelled, cutByDeadline: false };
  }

  /** How long a request may run before it gets a hedge; undefined when the site gets none. */
  hedgeDelayMs(): number | undefined {
    if (!this.allowed) return undefined;
    const slow = this.model.quantile(HEDGE_QUANTILE);
    const p50 = this.model.quantile(0.5);
    if (slow === undefined || p50 === undefined) return undefined;
    return Math.max(slow, HEDGE_MIN_MEDIANS * p50);
  }

  /** A request (not a hedge) was sent: it earns HEDGE_BUDGET of a hedge. */
  requestSent(): void {
    this.requests++;
    this.credit = Math.min(this.bank * CREDIT_PER_HEDGE, this.credit + CREDIT_PER_REQUEST);
  }

  /** The site pushed back: no hedges for PUSH_BACK_QUIET_MS. */
  pushedBack(): void {
    this.lastPushBackAt = this.now();
  }

  /**
   * A request has run past the hedge delay with `timeLeftMs` left before its deadline: may it
   * get a hedge? (The requester then still needs a free slot and room in the send window.)
   */
  decide(timeLeftMs: number): HedgeDecision {
    const decision = this.decision(timeLeftMs);
    if (!decision.hedge) this.decline(decision.reason);
    return decision;
  }

  /** Counts a slow request that got no hedge, and why. */
  decline(reason: string): void {
    this.declined[reason] = (this.declined[reason] ?? 0) + 1;
  }

  private decision(timeLeftMs: number): HedgeDecision {
    if (!this.allowed) return { hedge: false, reason: 'not hedged' };
    const p50 = this.model.quantile(0.5);
    if (p50 === undefined) return { hedge: false, reason: 'latency model not ready' };
    if (this.now() - this.lastPushBackAt < PUSH_BACK_QUIET_MS) return { hedge: false, reason: 'pushed back recently' };
    if (this.credit < CREDIT_PER_HEDGE) return { hedge: false, reason: 'budget spent' };
    if (timeLeftMs < p50) return { hedge: false, reason: 'too little time left' };
    return { hedge: true };
  }

  /** A hedge was sent: it spends what 1 / HEDGE_BUDGET requests earned. */
  hedged(): void {
    this.credit -= CREDIT_PER_HEDGE;
    this.hedges++;
  }

  /** The hedge answered before the request it copied. */
  hedgeWon(): void {
    this.wins++;
  }

  /** Hedges as a share of every request sent, 0–1. */
  get hedgeShare(): number {
    const sent = this.requests + this.hedges;
    return sent === 0 ? 0 : this.hedges / sent;
  }
}
