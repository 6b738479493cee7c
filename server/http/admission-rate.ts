/**
 * How many new searches per second the process takes: a token bucket whose rate follows the
 * event loop's delay — cut by a factor when the loop lags, raised by a share when it is calm and
 * demand used the whole rate — and that never runs far ahead of the demand it has seen.
 *
 *   POST /api/searches ──take()──▶ token? ──yes──▶ admitted
 *                                     └──no───▶ 429 + Retry-After
 *   every window: adjust(loop delay p99) ── above target (2nd window in a row) ─▶ rate × DECREASE
 *                                         ├ well below, and the bucket ran dry ─▶ rate × (1 + INCREASE)
 *                                         └ bucket never ran dry ─▶ rate ≤ max(idle ceiling, 2 × demand)
 *
 * Why not only refuse while the loop lags: that let everything in until a window measured the
 * lag, then nothing — a window's worth of searches (30 site jobs each) started at once, the
 * loop fell a second behind, and `/api/health` p99 was ~1 s under overload. A rate lets new
 * searches in as evenly as they come, at what the process was last seen to keep up with.
 *
 * Hand-written: the libraries for adaptive limits limit concurrency of calls one awaits, not an
 * admission rate steered by a loop-delay histogram.
 *
 * Example: 20 searches/s for a minute keep the rate at 40 (twice the demand). Then 100/s come
 * in, to a process that keeps up with ~35: 40 are taken in the first second instead of 100, the
 * loop lags two windows, the rate falls 40 → 28, climbs back by 20% a calm window, and settles in a sawtooth
 * around what the process takes; the rest get 429 at once.
 */

/** Options of an admission rate. */
export interface AdmissionRateOptions {
  /** Starting rate, searches per second. Default 100. */
  readonly initialPerSec?: number;
  /** Lowest rate. Default 1. */
  readonly minPerSec?: number;
  /** Highest rate. Default 1,000. */
  readonly maxPerSec?: number;
  /** Loop delay p99 (ms) above which the rate is cut. Default 50. */
  readonly targetLagMs?: number;
  /**
   * Loop delay p99 (ms) that means overload rather than a busy moment: below it a cut stops at
   * the idle ceiling, above it the rate may fall to `minPerSec`. Default 100 (the shedder's limit).
   */
  readonly overloadLagMs?: number;
  /** Seconds of the rate the bucket holds: the largest burst taken at once. Default 0.25. */
  readonly burstSeconds?: number;
  /**
   * The bucket holds at least this many searches, so an idle server takes a client's handful of
   * parallel searches at once (20 searches are ~600 site jobs: tens of ms, not a second). Default 20.
   */
  readonly minBurst?: number;
  /**
   * While demand stays below the rate, the rate is held to max(this, twice the demand seen), so a
   * sudden surge meets a rate near the last demand, not the highest ever reached. Default 25.
   */
  readonly idleCeilingPerSec?: number;
  /** Clock, ms. Default `performance.now`. */
  readonly now?: () => number;
}

/** Multiplicative decrease when the loop lags. */
export const ADMISSION_DECREASE = 0.7;
/** Increase per calm window in which demand used the whole rate, as a share of the rate (at least 1/s). */
export const ADMISSION_INCREASE = 0.2;

/** A token bucket for new searches whose rate adapts to the event loop's delay. */
export class AdmissionRate {
  private readonly minPerSec: number;
  private readonly maxPerSec: number;
  private readonly targetLagMs: number;
  private readonly overloadLagMs: number;
  private readonly burstSeconds: number;
  private readonly minBurst: number;
  private readonly idleCeilingPerSec: number;
  private readonly now: () => number;
  private rate: number;
  private tokens: number;
  private refilledAt: number;
  /** Whether a search was refused (or the bucket emptied) since the last adjustment. */
  private ranDry = false;
  /** Windows in a row that ended lagging with work in hand. */
  private laggingWindows = 0;
  /** Searches taken since the last adjustment, and when it was. */
  private taken = 0;
  private adjustedAt: number;

  constructor(options: AdmissionRateOptions = {}) {
    this.minPerSec = options.minPerSec ?? 1;
    this.maxPerSec = options.maxPerSec ?? 1_000;
    this.targetLagMs = options.targetLagMs ?? 50;
    this.overloadLagMs = options.overloadLagMs ?? 100;
    this.burstSeconds = options.burstSeconds ?? 0.25;
    this.minBurst = options.minBurst ?? 20;
    this.idleCeilingPerSec = options.idleCeilingPerSec ?? 25;
    this.now = options.now ?? (() => performance.now());
    const initial = options.initialPerSec ?? 100;
    for (const [name, value] of Object.entries({ minPerSec: this.minPerSec, maxPerSec: this.maxPerSec, initialPerSec: initial, targetLagMs: this.targetLagMs, overloadLagMs: this.overloadLagMs, burstSeconds: this.burstSeconds, minBurst: this.minBurst, idleCeilingPerSec: this.idleCeilingPerSec })) {
      if (!Number.isFinite(value) || value <= 0) throw new TypeError(`Expected \`${name}\` to be a finite number > 0, got ${value}`);
    }
    if (this.minPerSec > this.maxPerSec) throw new TypeError(`Expected \`minPerSec\` (${this.minPerSec}) to be at most \`maxPerSec\` (${this.maxPerSec})`);
    this.rate = Math.min(this.maxPerSec, Math.max(this.minPerSec, initial));
    this.tokens = this.capacity;
    this.refilledAt = this.now();
    this.adjustedAt = this.refilledAt;
  }

  /** The rate taken now, searches per second. */
  get perSec(): number {
    return this.rate;
  }

  private get capacity(): number {
    return Math.max(this.minBurst, this.rate * this.burstSeconds);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }

  /** Takes a token for one new search; false when the rate is used up (refuse it). */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) {
      this.ranDry = true;
      return false;
    }
    this.tokens -= 1;
    this.taken++;
    if (this.tokens < 1) this.ranDry = true;
    return true;
  }

  /** Time until the next token, ms: what a refused client should wait. */
  retryAfterMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /**
   * Steers the rate by the loop delay p99 of the window that just ended: cut while it is above
   * target two windows in a row with work in hand (`busy`: a lone spike of an idle process — a first render — is not
   * the searches' doing); raised only while well below target *and* demand used the whole rate
   * (an idle process learns nothing about its capacity).
   */
  adjust(lagMs: number, busy = true): void {
    const now = this.now();
    const demandPerSec = (this.taken * 1000) / Math.max(1, now - this.adjustedAt);
    const lagging = lagMs > this.targetLagMs && busy;
    this.laggingWindows = lagging ? this.laggingWindows + 1 : 0;
    if (lagging) {
      // One slow window is a busy moment (a GC, a burst of answers, the machine's other
      // processes), not overload: cutting on it refused 4 of 12,000 searches in a 10-minute run
      // at 20/s. Cut from the second in a row, and short of overload lag hold the idle ceiling.
      if (this.laggingWindows >= 2) {
        const floor = lagMs > this.overloadLagMs ? this.minPerSec : Math.min(this.rate, this.idleCeilingPerSec);
        this.rate = Math.max(floor, this.rate * ADMISSION_DECREASE);
      }
    } else if (!this.ranDry) {
      this.rate = Math.min(this.rate, Math.max(this.idleCeilingPerSec, 2 * demandPerSec));
    } else if (lagMs < this.targetLagMs / 2) {
      this.rate = this.rate + Math.max(1, this.rate * ADMISSION_INCREASE);
    }
    this.rate = Math.min(this.maxPerSec, Math.max(this.minPerSec, this.rate));
    this.tokens = Math.min(this.tokens, this.capacity);
    this.ranDry = false;
    this.taken = 0;
    this.adjustedAt = now;
  }
}
