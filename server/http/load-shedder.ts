/**
 * Sheds new searches when the process is past its capacity, before they cost anything: a
 * saturated event loop (measured by perf_hooks' loop-delay histogram) or too many HTTP requests
 * in progress gets `POST /api/searches` and `POST /api/bulk` a fast 429 + Retry-After from the
 * custom server, ahead of Next, so reads, the share links and /api/health stay responsive.
 *
 * Measured (npm run load --overload at 100 searches/s on 2 cores): without it the server took
 * 48.7/s, queued the rest in its HTTP layer (POST p99 23 s) and /api/health p99 was 1.86 s; the
 * dispatcher's buffer never filled, so admission control there never fired.
 *
 * New interactive searches also pass an adaptive admission rate (`admission-rate.ts`), steered
 * by the same loop-delay windows, so that they come in evenly rather than a window's worth at
 * once; the lag and request limits stay as the hard stop behind it.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { AdmissionRate, type AdmissionRateOptions } from './admission-rate';

/** Options of the load shedder. */
export interface LoadShedderOptions {
  /** Event-loop delay p99 (ms) over the last window above which searches are shed. Default 100. */
  readonly maxLagMs?: number;
  /** HTTP requests in progress above which searches are shed. Default 256. */
  readonly maxRequestsInProgress?: number;
  /** Length of a measurement window, ms. Default 500. */
  readonly windowMs?: number;
  /** Source of the lag of the last window (ms), for tests. Default: the loop-delay histogram. */
  readonly lagSource?: () => number;
  /**
   * Whether the process is busy enough for its loop delay to mean overload. A lone spike (start-up,
   * a first render) must not refuse a user's search. Default: always.
   */
  readonly busy?: () => boolean;
  /** Options of the admission rate of new interactive searches. */
  readonly admission?: AdmissionRateOptions;
}

/** Why a search is refused, and when to try again. */
export interface ShedDecision {
  readonly reason: string;
  readonly retryAfterMs: number;
}

/** Decides whether a new search is taken or shed. */
export class LoadShedder {
  private readonly maxLagMs: number;
  private readonly maxRequestsInProgress: number;
  private readonly histogram?: IntervalHistogram;
  private readonly timer?: NodeJS.Timeout;
  private readonly lagSource?: () => number;
  private readonly busy: () => boolean;
  private lastLagMs = 0;
  /** The rate new interactive searches are admitted at. */
  readonly admission: AdmissionRate;
  /** HTTP requests in progress; the server counts them. */
  requestsInProgress = 0;

  constructor(options: LoadShedderOptions = {}) {
    this.maxLagMs = options.maxLagMs ?? 100;
    this.maxRequestsInProgress = options.maxRequestsInProgress ?? 256;
    this.lagSource = options.lagSource;
    this.busy = options.busy ?? (() => true);
    this.admission = new AdmissionRate({ overloadLagMs: this.maxLagMs, ...options.admission });
    if (!this.lagSource) {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      this.histogram = histogram;
      // A sampler of the measurement, not a poll for work: it only closes a window.
      this.timer = setInterval(() => {
        this.windowEnded(histogram.percentile(99) / 1e6);
        histogram.reset();
      }, options.windowMs ?? 500);
      this.timer.unref();
    }
  }

  /** The event-loop delay p99 of the last window, ms. */
  get lagMs(): number {
    return this.lagSource ? this.lagSource() : this.lastLagMs;
  }

  /** A measurement window ended with loop delay p99 `lagMs`; the timer calls it (tests may). */
  windowEnded(lagMs: number): void {
    this.lastLagMs = lagMs;
    this.admission.adjust(lagMs, this.busy());
  }

  /**
   * Whether a new interactive search is taken: the hard limits of {@link shedReason}, then a
   * token of the admission rate. Undefined when taken.
   */
  admitSearch(): ShedDecision | undefined {
    const hard = this.hardLimit();
    if (hard) return hard;
    if (this.admission.take()) return undefined;
    return {
      reason: `admission rate ${Math.round(this.admission.perSec)} searches/s reached`,
      retryAfterMs: Math.max(1_000, this.admission.retryAfterMs()),
    };
  }

  /**
   * Whether a bulk run is taken: only the hard limits apply, since its searches wait in the
   * dispatcher behind interactive ones. Undefined when taken.
   */
  admitBulk(): ShedDecision | undefined {
    return this.hardLimit();
  }

  private hardLimit(): ShedDecision | undefined {
    const reason = this.shedReason();
    return reason ? { reason, retryAfterMs: 2_000 } : undefined;
  }

  /** Why a new search must be shed now, or undefined when it can be taken. */
  shedReason(): string | undefined {
    const lag = this.lagMs;
    if (lag > this.maxLagMs && this.busy()) return `event loop delay p99 ${Math.round(lag)} ms (limit ${this.maxLagMs} ms)`;
    if (this.requestsInProgress > this.maxRequestsInProgress) {
      return `${this.requestsInProgress} requests in progress (limit ${this.maxRequestsInProgress})`;
    }
    return undefined;
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }
}
