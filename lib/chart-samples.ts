/**
 * The samples behind the live charts of `/sites`: one a second, the last five minutes, shared by
 * the server that takes them and the browser that draws them.
 *
 *   every second ──ChartSampler (server)──▶ ChartSample ──kept: last 300──▶ charts:subscribe ack
 *                                                 └──charts:sample──▶ browser ──ChartWindow──▶ uPlot
 *
 * A sample is small on purpose: it is pushed every second to every operator. Each site is a
 * tuple, not an object, and figures have two decimals: with 41 sites a sample is about 1.2 KB on
 * the wire (`npm run bench:sites-push`).
 *
 * Example: the sample taken at 12:00:07 says searches started at 0.4/s and site jobs answered at
 * 16.2/s over the 10 s before it; events reached the browsers' sockets at most 4 ms after they
 * were emitted (p95 of the second); brownbook.net started 1.9 requests/s (its last 10 s) of the
 * 2/s it keeps now, answering in 420 ms at p95:
 *
 *   { at: 1796990407000, searchesPerSec: 0.4, siteJobsPerSec: 16.2, pushP95Ms: 4,
 *     sites: { 'brownbook.net': [1.9, 2, 420], … } }
 *
 * Invariants:
 * - a window holds at most its capacity, oldest first, and MUST NOT go back in time: a sample
 *   not newer than the last one is dropped (a late push after a fresh history);
 * - a series built from a window has one value per sample (`null` where the sample has none),
 *   so uPlot's x and y arrays always line up.
 */

/** A site in a sample: requests/s started (last 10 s), the limit kept now (/s), latency p95 (ms). */
export type SiteSample = readonly [requestsPerSec: number, limitPerSec: number, latencyP95Ms: number | null];

/** The figures of one moment. */
export interface ChartSample {
  /** When it was taken, ms since epoch (the server's clock). */
  readonly at: number;
  /** Searches started per second, over the rate window (10 s). */
  readonly searchesPerSec: number;
  /** Site jobs answered (found, not found or failed) per second, over the rate window. */
  readonly siteJobsPerSec: number;
  /**
   * How late events were pushed to the browsers over the last interval: p95 of (push time −
   * event time), ms; `null` when no event was pushed.
   */
  readonly pushP95Ms: number | null;
  /** Every site that runs, by id. */
  readonly sites: Readonly<Record<string, SiteSample>>;
}

/** Answer to `charts:subscribe`: the samples kept (oldest first) and how they are taken. */
export interface ChartHistory {
  /** Time between two samples, ms. */
  readonly intervalMs: number;
  /** Time the rates are averaged over, ms. */
  readonly rateWindowMs: number;
  /**
   * `node`: searches/s, site jobs/s and push latency are this node's (a cluster node hears only
   * what it runs); the sites' figures are the cluster's either way.
   */
  readonly scope: 'node' | 'process';
  readonly samples: readonly ChartSample[];
}

/** How long the charts look back. */
export const CHART_WINDOW_MS = 5 * 60_000;

/** Time between two samples. */
export const CHART_INTERVAL_MS = 1_000;

/** The last samples, oldest first, at most `capacity`. */
export class ChartWindow {
  private kept: ChartSample[] = [];

  constructor(readonly capacity = Math.round(CHART_WINDOW_MS / CHART_INTERVAL_MS)) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`Expected \`capacity\` to be an integer >= 1, got ${String(capacity)}`);
  }

  /** Adds a sample; false when it is not newer than the last one (and so was dropped). */
  push(sample: ChartSample): boolean {
    const last = this.kept.at(-1);
    if (last && sample.at <= last.at) return false;
    this.kept.push(sample);
    if (this.kept.length > this.capacity) this.kept.splice(0, this.kept.length - this.capacity);
    return true;
  }

  /** Replaces everything with `samples` (a history from the server), keeping the newest. */
  replace(samples: readonly ChartSample[]): void {
    this.kept = [];
    for (const sample of samples) this.push(sample);
  }

  get samples(): readonly ChartSample[] {
    return this.kept;
  }
}

/** One line's values, one per sample, `null` where the sample has none. */
export type Values = (number | null)[];

/** uPlot's data: x in seconds since epoch, then one array per line. */
export type ChartSeries = [xs: number[], ...ys: Values[]];

/** A chart of one line. */
export type OneLine = [xs: number[], ys: Values];

/** A site's requests/s and kept limit, and its latency p95, as two uPlot datasets. */
export function siteSeries(samples: readonly ChartSample[], siteId: string): { rate: [xs: number[], rate: Values, limit: Values]; latency: OneLine } {
  const xs = samples.map((sample) => sample.at / 1000);
  const rate: Values = [];
  const limit: Values = [];
  const latency: Values = [];
  for (const sample of samples) {
    const site = sample.sites[siteId];
    rate.push(site ? site[0] : null);
    limit.push(site ? site[1] : null);
    latency.push(site ? site[2] : null);
  }
  return { rate: [xs, rate, limit], latency: [xs.slice(), latency] };
}

/** The whole instance's searches/s, site jobs/s and push latency p95, as uPlot datasets. */
export function overallSeries(samples: readonly ChartSample[]): { searches: OneLine; siteJobs: OneLine; push: OneLine } {
  const xs = samples.map((sample) => sample.at / 1000);
  return {
    searches: [xs, samples.map((sample) => sample.searchesPerSec)],
    siteJobs: [xs.slice(), samples.map((sample) => sample.siteJobsPerSec)],
    push: [xs.slice(), samples.map((sample) => sample.pushP95Ms)],
  };
}

/** The last value, the peak and the mean of a series, ignoring gaps; undefined when it has none. */
export interface SeriesFigures {
  readonly last: number;
  readonly peak: number;
  readonly mean: number;
}

/** The figures a chart's text alternative tells. */
export function seriesFigures(values: readonly (number | null)[]): SeriesFigures | undefined {
  let last: number | undefined;
  let peak = -Infinity;
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (value === null || !Number.isFinite(value)) continue;
    last = value;
    peak = Math.max(peak, value);
    sum += value;
    count++;
  }
  return last === undefined ? undefined : { last, peak, mean: sum / count };
}
