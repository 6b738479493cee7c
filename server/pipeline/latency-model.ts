/**
 * A site's latency model: how long its answers take, learned online from the answers themselves,
 * so that timeouts and hedges follow what the site really does rather than a fixed constant.
 *
 *   answer (ms from send) ──observe──▶ [ current sketch ] ──full──▶ [ previous sketch ]
 *                                          └───── merged ─────┘
 *                                                  ▼
 *                                     quantile(0.5 / 0.95 / 0.99)
 *
 * The quantiles come from DDSketch (`@datadog/sketches-js`): a streaming sketch with a relative
 * accuracy guarantee (2% here) in a few hundred bytes. A sketch never forgets, and a site's
 * latency drifts, so the model keeps two: answers go into the current one; when it holds
 * WINDOW_SAMPLES it becomes the previous one and a new one starts. Quantiles read both, so they
 * always rest on the last WINDOW_SAMPLES to 2 × WINDOW_SAMPLES answers.
 *
 * Example: a directory answers in 480 ms at the median and 1.9 s at its p95. After 20 answers
 * `ready` is true and quantile(0.95) ≈ 1.9 s (± 2%); after 400, the first 200 are gone. If the
 * site slows to 900 ms at the median, the model follows within 200–400 answers.
 *
 * Invariants:
 * - Until MIN_SAMPLES answers are in, the model knows nothing: `quantile` is undefined, and
 *   callers keep the site definition's `timeoutMs` and send no hedge.
 * - Quantiles are read from the last WINDOW_SAMPLES..2 × WINDOW_SAMPLES answers only.
 * - Reading is cheap: the merged sketch is rebuilt only after new answers.
 */
import { DDSketch } from '@datadog/sketches-js';

/** Answers the model needs before it says anything. */
export const MIN_SAMPLES = 20;
/** Answers per sketch: quantiles rest on the last 200–400 answers. */
export const WINDOW_SAMPLES = 200;
/** DDSketch's relative accuracy: a quantile is within 2% of the true value. */
const RELATIVE_ACCURACY = 0.02;

/** The latency of one site's answers, learned online. */
export class LatencyModel {
  private previous?: DDSketch;
  private current = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  private merged?: DDSketch;

  /** Records one answer's latency (ms from the request's send to its answer). */
  observe(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    // DDSketch keeps zero apart from positive values; a 0 ms answer is a 1 ms one for timing.
    this.current.accept(Math.max(1, latencyMs));
    this.merged = undefined;
    if (this.current.count >= WINDOW_SAMPLES) {
      this.previous = this.current;
      this.current = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
    }
  }

  /** Answers the quantiles rest on now. */
  get samples(): number {
    return (this.previous?.count ?? 0) + this.current.count;
  }

  /** Whether the model has enough answers to be used. */
  get ready(): boolean {
    return this.samples >= MIN_SAMPLES;
  }

  /** The latency at quantile `q` (0–1), in whole ms; undefined until the model is ready. */
  quantile(q: number): number | undefined {
    if (!this.ready) return undefined;
    if (!this.merged) {
      const merged = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
      if (this.previous) merged.merge(this.previous);
      merged.merge(this.current);
      this.merged = merged;
    }
    return Math.round(this.merged.getValueAtQuantile(q));
  }
}
