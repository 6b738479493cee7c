/**
 * A socket's event budget: a token bucket that every message from one Socket.IO connection
 * draws on, so that one client cannot make the process answer thousands of messages a second.
 *
 *   refill: perSecond points/s ──▶ [ bucket: at most `burst` points ] ──take(cost)──▶ handled
 *                                                                   └─ too few ──▶ refused (the
 *                                                                      hub then cuts the socket)
 *
 * Worked example (burst 100, perSecond 10): a client sends 100 messages at once — all are taken,
 * the bucket is empty. 50 ms later it holds 0.5 points and a message of cost 1 is refused. A
 * client that sends 10 messages a second forever is never refused; one that sends 11 a second is
 * refused after about 100 s (it gains 10 and spends 11 each second, from 100).
 *
 * Invariants:
 * - the points MUST stay within 0…burst: an idle client does not save up more than one burst;
 * - over any t seconds at most `burst + perSecond × t` points MUST be taken;
 * - a refused take MUST NOT spend any points (a client that backs off recovers);
 * - a clock that goes backwards MUST NOT add points.
 *
 * Written here rather than taken from rate-limiter-flexible (a dependency already): its limiters
 * answer with a promise and keep keyed state with timers, while this decision is made
 * synchronously for each message before its handler runs, and its state is one socket's, gone
 * with the socket. Pure: the clock is injected.
 */

/** Options of a {@link SocketBudget}. */
export interface SocketBudgetOptions {
  /** Largest number of points held, and the bucket's start: a burst allowed at once. At least 1. */
  readonly burst: number;
  /** Points regained per second. More than 0. */
  readonly perSecond: number;
  /** Milliseconds from any fixed origin. Default `performance.now`. */
  readonly now?: () => number;
}

/** One socket's token bucket. */
export class SocketBudget {
  readonly burst: number;
  readonly perSecond: number;
  private readonly now: () => number;
  private held: number;
  private filledAt: number;

  constructor(options: SocketBudgetOptions) {
    const { burst, perSecond } = options;
    if (!Number.isFinite(burst) || burst < 1) {
      throw new TypeError(`Expected \`burst\` to be a finite number >= 1, got ${String(burst)}`);
    }
    if (!Number.isFinite(perSecond) || perSecond <= 0) {
      throw new TypeError(`Expected \`perSecond\` to be a finite number > 0, got ${String(perSecond)}`);
    }
    this.burst = burst;
    this.perSecond = perSecond;
    this.now = options.now ?? (() => performance.now());
    this.held = burst;
    this.filledAt = this.now();
  }

  /** Points held now. */
  get points(): number {
    this.refill();
    return this.held;
  }

  /** Spends `cost` points if the bucket holds them: whether it did. */
  take(cost = 1): boolean {
    if (!Number.isFinite(cost) || cost < 0) throw new TypeError(`Expected \`cost\` to be a finite number >= 0, got ${String(cost)}`);
    this.refill();
    if (this.held < cost) return false;
    this.held -= cost;
    return true;
  }

  private refill(): void {
    const now = this.now();
    const elapsedMs = now - this.filledAt;
    // A clock step backwards: take the new reading as the origin, add nothing.
    this.filledAt = now;
    if (elapsedMs <= 0) return;
    this.held = Math.min(this.burst, this.held + (elapsedMs / 1000) * this.perSecond);
  }
}
