/**
 * A site's circuit breaker (opossum): after a run of failed attempts the site is left alone —
 * its jobs end `skipped` (reason `circuit open`) without a request — until a probe after
 * `resetTimeout` succeeds.
 *
 * Only faults of the site count: push-back (429/503) is handled by the limiter, and aborts
 * (cancel, deadline, the loser of a hedged pair) are ours. A bot wall is push-back too, but it
 * counts: a site that walls us answers nothing usable, and leaving it alone a while is what its
 * protection asks.
 */
import CircuitBreaker from 'opossum';
import type { CircuitState } from '../../lib/types';
import {
  CircuitOpenError,
  JobEndedError,
  QueryNotSupportedError,
  RequestSupersededError,
  SiteBlockedError,
  SiteRateLimitedError,
} from '../errors';

/** Options of a site circuit. */
export interface SiteCircuitOptions {
  /** Attempts in the rolling window before the circuit may open. Default 5. */
  readonly volumeThreshold?: number;
  /** Failure percentage that opens it. Default 50. */
  readonly errorThresholdPercentage?: number;
  /** Rolling window, ms. Default 10,000. */
  readonly rollingCountTimeout?: number;
  /** Time open before a probe is let through, ms. Default 5,000. */
  readonly resetTimeout?: number;
}

/** Runs a site's attempts through a circuit breaker. */
export class SiteCircuit {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly resetTimeoutMs: number;

  constructor(options: SiteCircuitOptions = {}) {
    this.resetTimeoutMs = options.resetTimeout ?? 5_000;
    this.breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      // Timeouts are the pipeline's (per attempt, within the deadline), not opossum's.
      timeout: false,
      volumeThreshold: options.volumeThreshold ?? 5,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      rollingCountTimeout: options.rollingCountTimeout ?? 10_000,
      resetTimeout: this.resetTimeoutMs,
      // true = "not a failure of the site".
      errorFilter: (error: unknown) =>
        (error instanceof SiteRateLimitedError && !(error instanceof SiteBlockedError)) ||
        error instanceof QueryNotSupportedError ||
        error instanceof JobEndedError ||
        error instanceof RequestSupersededError ||
        // A signal aborted without a reason rejects with the platform's DOMException.
        (error instanceof Error && error.name === 'AbortError'),
    });
  }

  /** Open: jobs are skipped without a request. Half-open lets the next attempt through as a probe. */
  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Runs one attempt through the breaker; throws `CircuitOpenError` when it is not let through. */
  async run<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(attempt)) as T;
    } catch (error) {
      // opossum's only sign of a refusal is this code; it is translated here, once.
      if ((error as { code?: unknown } | undefined)?.code === 'EOPENBREAKER') {
        throw new CircuitOpenError('circuit open', { cause: error });
      }
      throw error;
    }
  }

  /** Calls `listener` when the circuit opens (with how long it stays open, ms) or closes again. */
  onChange(listener: (state: 'open' | 'closed', openForMs: number) => void): void {
    this.breaker.on('open', () => listener('open', this.resetTimeoutMs));
    this.breaker.on('close', () => listener('closed', 0));
  }

  /** Stops the breaker's timers. */
  close(): void {
    this.breaker.shutdown();
  }
}
