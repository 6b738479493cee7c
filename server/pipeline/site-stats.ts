/**
 * Rolling figures of one site's attempts, for the operations view: request rate, error rate and
 * the last error (latency percentiles are the latency model's, `latency-model.ts`). Bounded
 * memory: a ring of the last attempts' outcomes and the starts of the last rate window.
 */

/** Attempts kept for the error rate. */
export const STATS_SAMPLE = 200;
/** Window over which the request rate is measured. */
export const RATE_WINDOW_MS = 10_000;

/** Rolling attempt statistics of one site. */
export class SiteStats {
  private readonly failures: boolean[] = [];
  private readonly starts: number[] = [];
  private next = 0;
  attempts = 0;
  lastError?: { at: number; message: string };

  /** Records an attempt's start. */
  started(at: number): void {
    this.starts.push(at);
    this.prune(at);
  }

  /** Records an attempt's end and, when it failed, why. */
  finished(at: number, error?: string): void {
    this.attempts++;
    this.failures[this.next] = error !== undefined;
    this.next = (this.next + 1) % STATS_SAMPLE;
    if (error !== undefined) this.lastError = { at, message: error };
  }

  private prune(now: number): void {
    while (this.starts.length > 0 && this.starts[0]! <= now - RATE_WINDOW_MS) this.starts.shift();
  }

  /** Starts per second over the last RATE_WINDOW_MS. */
  requestsPerSec(now: number): number {
    this.prune(now);
    return this.starts.length / (RATE_WINDOW_MS / 1000);
  }

  /** Share of recent attempts that failed, 0–1. */
  errorRate(): number {
    if (this.failures.length === 0) return 0;
    return this.failures.filter(Boolean).length / this.failures.length;
  }
}
