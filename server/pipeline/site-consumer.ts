/**
 * A site consumer runs one site's jobs within that site's limits.
 *
 *   dispatcher ──jobs (≤ demand)──▶ [ site consumer: p-queue(concurrency, sliding window) ] ──▶ site
 *        ▲                                        │
 *        └────── demand: 1 per freed slot ────────┘
 *
 * Example: a site allows 2 in flight and 5 requests per second. The consumer asks for 2; both
 * start at once. When one answers, its slot frees and the consumer asks for 1 more, which starts
 * at once unless 5 requests already started in the last second, in which case p-queue holds it
 * until the window lets it through.
 *
 * Invariants:
 * - Jobs held here (waiting + running) plus slots lent to hedges MUST NOT exceed `concurrency`:
 *   everything else waits in the dispatcher, where fairness applies. A slot is lent only from
 *   demand the dispatcher could not meet (no job waits), so a hedge never delays a job.
 * - Starts in any window of `perMs + RATE_MARGIN_MS` MUST NOT exceed `requests` (p-queue's strict
 *   sliding window; its default fixed window lets 2x the cap through at a window edge).
 * - A running job's slot comes back only when its `run` returns, even when its search ends
 *   meanwhile: the site counts the request until it is torn down (see site-requester.ts).
 * - Demand is asked for only when a slot frees; nothing polls. Slots freed in one turn of the
 *   event loop are asked for together at the end of that turn (one `setImmediate`): answers that
 *   come back at once (cache, coalescing, an instant site) would otherwise chain job after job in
 *   microtasks and starve timers and I/O — measured: a saturated run of 100,000 instant jobs
 *   never let a timer fire nor the store's writer thread answer.
 * - Push-back (429/503, `RateLimit-Remaining: 0`) MUST pause the site until the time it gave, and
 *   lowers its rate: multiplicative decrease on push-back, additive increase on each success, back
 *   up to the configured limit (AIMD). Below the configured rate, starts are paced by one timer
 *   per start, never by polling.
 */
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { SiteLimits } from '../sites/site-definition';
import type { SchedulerSiteStats, SiteRateFeedback, SpareSlot } from './scheduler';
import type { SiteJob } from './site-job';

/**
 * Added to a site's rate window on starts. Late sends (event-loop and connection delays, up to
 * 110 ms measured in a busy moment) are handled by the send window (`send-window.ts`), so this
 * margin only absorbs timer jitter: 25 ms costs 2.4% of a 1 s window's throughput.
 * `npm run bench:pipeline` counts the violations the sites saw.
 */
export const RATE_MARGIN_MS = 25;

/** Multiplicative decrease of the adaptive rate on push-back. */
export const RATE_DECREASE = 0.5;
/** Additive increase per successful attempt, as a share of the configured rate. */
export const RATE_INCREASE = 0.05;
/** The adaptive rate never drops below this share of the configured rate. */
export const RATE_FLOOR = 0.05;

/** Options of a site consumer. */
export interface SiteConsumerOptions {
  readonly siteId: string;
  readonly limits: SiteLimits;
  /** Asks the dispatcher for `count` more jobs. */
  readonly ask: (count: number) => void;
  /** Runs one job's attempt; called when p-queue starts it. Must not reject. */
  readonly run: (job: SiteJob) => Promise<void>;
  /** Where a `run` that breaks its promise not to reject is reported. */
  readonly logger: Logger;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Live figures of one site's consumer: the scheduler's, but for the jobs still in the dispatcher. */
export type SiteConsumerStats = Omit<SchedulerSiteStats, 'buffered'>;

/** Runs one site's jobs within its concurrency and rate limit. */
export class SiteConsumer implements SiteRateFeedback {
  readonly siteId: string;
  private readonly queue: PQueue;
  private readonly options: SiteConsumerOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly configuredPerSec: number;
  private held = 0;
  /** Slots lent to optional requests (hedges), each withdrawn from the dispatcher's demand. */
  private lent = 0;
  private adaptivePerSec: number;
  /** Until when the site asked to be left alone (push-back, a spent window). */
  #pausedUntil = 0;
  private lastStart = -Infinity;
  /** The queue is held (pause or pacing) until `heldUntil`, when this timer starts it again. */
  private resumeTimer?: NodeJS.Timeout;
  private heldUntil = 0;
  private draining = false;
  /** Slots freed this turn, asked for at its end. */
  private freed = 0;
  private askTimer?: NodeJS.Immediate;

  constructor(options: SiteConsumerOptions) {
    this.options = options;
    this.siteId = options.siteId;
    this.logger = options.logger.child({ module: 'site-consumer', siteId: options.siteId });
    this.now = options.now ?? Date.now;
    const { concurrency, requests, perMs } = options.limits;
    this.configuredPerSec = (requests * 1000) / perMs;
    this.adaptivePerSec = this.configuredPerSec;
    this.queue = new PQueue({
      concurrency,
      intervalCap: requests,
      interval: perMs + RATE_MARGIN_MS,
      strict: true,
    });
    this.queue.on('active', () => {
      this.lastStart = this.now();
      if (this.adaptivePerSec < this.configuredPerSec) this.holdUntil(this.lastStart + 1000 / this.adaptivePerSec);
    });
  }

  /** Pauses the queue until `until` (ms since epoch); of two holds, the later one wins. */
  private holdUntil(until: number): void {
    if (until <= this.now()) return;
    this.queue.pause();
    if (this.resumeTimer && until <= this.heldUntil) return;
    clearTimeout(this.resumeTimer);
    this.heldUntil = until;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (!this.draining) this.queue.start();
    }, until - this.now());
  }

  /**
   * The site pushed back (429, 503 + Retry-After): pause until it said (or one window) and halve
   * the rate kept.
   */
  pushBack(retryAfterMs: number | undefined): void {
    const floor = this.configuredPerSec * RATE_FLOOR;
    this.adaptivePerSec = Math.max(floor, this.adaptivePerSec * RATE_DECREASE);
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + (retryAfterMs ?? this.options.limits.perMs));
    this.holdUntil(this.#pausedUntil);
  }

  /** Until when (ms since epoch) the site asked to be left alone; in the past when it did not. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** The site says its window is used up (`RateLimit-Remaining: 0`): wait for its reset. */
  windowExhausted(resetMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + resetMs);
    this.holdUntil(this.#pausedUntil);
  }

  /** An attempt succeeded: the kept rate grows back towards the configured one. */
  succeeded(): void {
    if (this.adaptivePerSec >= this.configuredPerSec) return;
    this.adaptivePerSec = Math.min(this.configuredPerSec, this.adaptivePerSec + this.configuredPerSec * RATE_INCREASE);
  }

  /** Asks for the first jobs: one per slot. */
  start(): void {
    this.options.ask(this.options.limits.concurrency);
  }

  /** Receives jobs the dispatcher hands over (never more than asked for). */
  handleEvents(jobs: readonly SiteJob[]): void {
    for (const job of jobs) {
      this.held++;
      if (this.held + this.lent > this.options.limits.concurrency) {
        // A dispatcher bug, not a site fault: fail loudly rather than break a site's limit.
        throw new Error(
          `${this.siteId} received more jobs than it asked for (${this.held} held, ${this.lent} lent, concurrency ${this.options.limits.concurrency})`,
        );
      }
      // p-queue races a running task against the signal it was given and frees the slot the
      // moment it aborts, while the request is still being torn down (and counted by the site).
      // In `npm run bench:tail` sites of concurrency 2 saw 3 requests in flight, hedging on or
      // off, until this changed. So the queue gets a signal that aborts only while the job still waits; once it runs, its
      // slot comes back when `run` returns.
      const whileWaiting = new AbortController();
      let started = false;
      const onEnded = () => {
        if (!started) whileWaiting.abort(job.abort.signal.reason);
      };
      job.abort.signal.addEventListener('abort', onEnded, { once: true });
      if (job.abort.signal.aborted) onEnded();
      this.queue
        .add(
          () => {
            started = true;
            return this.options.run(job);
          },
          { signal: whileWaiting.signal },
        )
        .catch((error: unknown) => {
          // The search ended (cancel, deadline) before the job started: the pipeline has
          // recorded the end, only the slot comes back.
          if (whileWaiting.signal.aborted && error === whileWaiting.signal.reason) {
            this.logger.trace({ searchId: job.searchId }, 'job dropped from the queue: its search ended');
            return;
          }
          this.logger.error({ err: error, searchId: job.searchId }, 'a job run rejected; its slot is given back');
        })
        .finally(() => {
          job.abort.signal.removeEventListener('abort', onEnded);
          this.held--;
          this.slotFreed();
        });
    }
  }

  private slotFreed(): void {
    this.freed++;
    this.askTimer ??= setImmediate(() => this.askForFreed());
  }

  /**
   * Whether a slot the dispatcher holds as unmet demand may be lent to an optional request now:
   * the site is neither paused nor paced, and no job waits in the queue for its rate window.
   */
  canLend(): boolean {
    return !this.draining && !this.queue.isPaused && this.queue.size === 0;
  }

  /**
   * Lends one slot (its demand already withdrawn from the dispatcher) until `release`, which asks
   * for it again like any freed slot.
   */
  lend(): SpareSlot {
    this.lent++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.lent--;
        this.slotFreed();
      },
    };
  }

  private askForFreed(): void {
    this.askTimer = undefined;
    const count = this.freed;
    this.freed = 0;
    if (count > 0) this.options.ask(count);
  }

  stats(): SiteConsumerStats {
    return {
      queued: this.queue.size,
      inFlight: this.queue.pending + this.lent,
      adaptiveLimitPerSec: this.adaptivePerSec,
      ...(this.#pausedUntil > this.now() ? { pausedUntil: this.#pausedUntil } : {}),
    };
  }

  /**
   * Shutdown, first step: starts nothing new and resolves when the requests in flight have
   * ended. Held jobs stay queued; the pipeline ends them.
   */
  async drain(): Promise<void> {
    this.draining = true;
    clearTimeout(this.resumeTimer);
    this.queue.pause();
    await this.queue.onPendingZero();
  }

  /** Stops the resume timer (shutdown). */
  close(): void {
    clearTimeout(this.resumeTimer);
    if (this.askTimer) clearImmediate(this.askTimer);
    this.askTimer = undefined;
  }
}
