/**
 * Takes the samples of the live charts on `/sites`: once a second, what this instance did and
 * how every site is doing, kept for five minutes so a browser that opens `/sites` draws them at
 * once.
 *
 *   event log ──search:created──────────▶ searches this second ┐
 *             ──site:done / site:failed─▶ site jobs this second ├─every second─▶ ChartSample ──▶ kept (300)
 *   hub ──pushed(event.at)──────────────▶ push lateness        ┘        ▲              └──▶ onSample listeners
 *   sites() ──requests/s, kept limit, latency p95 per site─────────────┘
 *
 * Rates are averaged over the last `rateWindowMs` (10 s, the window the sites' own requests/s
 * use), from one count per interval and the time each interval really took, so a late timer
 * does not read as a burst. Push latency is the p95 of (push time − event time) over the
 * interval: how long an event waited between being appended and being handed to the sockets.
 *
 * Example, interval 1 s, rate window 3 s: 2, 0 and 1 searches in the last three seconds give
 * searchesPerSec 1; a fourth second with none drops the 2, giving 1/3 → 0.33.
 *
 * Invariants:
 * - sampling never throws: a `sites()` that fails gives a sample without sites, logged once per
 *   failure, and a listener that throws is logged and the others still hear the sample;
 * - the timer never keeps the process alive and runs whether or not anyone watches: the history
 *   must exist when the first operator opens the page; a sample is one read of the sites'
 *   figures (`pipeline.sites()`, the read the table's pushes make) and a few sums;
 * - at most `maxPushSamples` latencies are held per interval (a reservoir), however busy it is.
 */
import type { Logger } from 'pino';
import { nearestRank, round } from '../lib/figures';
import { CHART_INTERVAL_MS, CHART_WINDOW_MS, ChartWindow, type ChartHistory, type ChartSample, type SiteSample } from '../lib/chart-samples';
import type { SiteInfo } from '../lib/types';
import type { EventSource } from './metrics';

/** Options of a {@link ChartSampler}. */
export interface ChartSamplerOptions {
  /** Every event this process appends. */
  readonly events: EventSource;
  /** Every site with its live figures (`() => pipeline.sites()`). */
  readonly sites: () => readonly SiteInfo[];
  readonly logger: Logger;
  /** `node` in a cluster: the counts are this node's. */
  readonly scope: ChartHistory['scope'];
  /** Time between two samples, ms. Default {@link CHART_INTERVAL_MS}; 50–60,000. */
  readonly intervalMs?: number;
  /** Time the rates are averaged over, ms; a multiple of the interval. Default 10,000. */
  readonly rateWindowMs?: number;
  /** Samples kept. Default: five minutes' worth. */
  readonly keep?: number;
  /** Latencies held per interval for the p95. Default 10,000. */
  readonly maxPushSamples?: number;
  /** The clock, ms since epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Draws the reservoir's replacements, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** One interval's counts, and how long it really lasted. */
interface Bucket {
  readonly searches: number;
  readonly siteJobs: number;
  readonly ms: number;
}

/** p95 of `values` (nearest rank), `null` when empty. Sorts `values` in place. */
export function p95(values: number[]): number | null {
  return nearestRank(values.sort((a, b) => a - b), 95) ?? null;
}

/** The charts' sampler of one sitescan process. */
export class ChartSampler {
  readonly intervalMs: number;
  readonly rateWindowMs: number;
  readonly maxPushSamples: number;
  private readonly window: ChartWindow;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly listeners = new Set<(sample: ChartSample) => void>();
  private readonly stopListening: () => void;
  private readonly buckets: Bucket[] = [];
  private searches = 0;
  private siteJobs = 0;
  private lateness: number[] = [];
  /** Latencies offered this interval, kept or not (the reservoir's denominator). */
  private offered = 0;
  private intervalStart: number;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: ChartSamplerOptions) {
    this.intervalMs = options.intervalMs ?? CHART_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs < 50 || this.intervalMs > 60_000) {
      throw new TypeError(`Expected \`intervalMs\` to be a number from 50 to 60000, got ${String(options.intervalMs)}`);
    }
    this.rateWindowMs = options.rateWindowMs ?? 10_000;
    const bucketsPerWindow = this.rateWindowMs / this.intervalMs;
    if (!Number.isInteger(bucketsPerWindow) || bucketsPerWindow < 1) {
      throw new TypeError(`Expected \`rateWindowMs\` to be a multiple of intervalMs (${this.intervalMs}), got ${String(options.rateWindowMs)}`);
    }
    this.maxPushSamples = options.maxPushSamples ?? 10_000;
    if (!Number.isInteger(this.maxPushSamples) || this.maxPushSamples < 1) {
      throw new TypeError(`Expected \`maxPushSamples\` to be an integer >= 1, got ${String(options.maxPushSamples)}`);
    }
    this.window = new ChartWindow(options.keep ?? Math.round(CHART_WINDOW_MS / this.intervalMs));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.intervalStart = this.now();
    this.stopListening = options.events.onEvent((_searchId, event) => {
      if (event.type === 'search:created') this.searches++;
      else if (event.type === 'site:done' || event.type === 'site:failed') this.siteJobs++;
    });
  }

  /** Records that an event appended at `eventAt` (ms since epoch) was handed to the sockets now. */
  pushed(eventAt: number): void {
    const late = Math.max(0, this.now() - eventAt);
    this.offered++;
    if (this.lateness.length < this.maxPushSamples) {
      this.lateness.push(late);
      return;
    }
    // Reservoir sampling: every latency of the interval has the same chance to be held.
    const slot = Math.floor(this.random() * this.offered);
    if (slot < this.maxPushSamples) this.lateness[slot] = late;
  }

  /** Closes the interval now: takes its sample, keeps it and tells the listeners. */
  sample(): ChartSample {
    const at = this.now();
    this.buckets.push({ searches: this.searches, siteJobs: this.siteJobs, ms: Math.max(1, at - this.intervalStart) });
    const held = this.rateWindowMs / this.intervalMs;
    if (this.buckets.length > held) this.buckets.splice(0, this.buckets.length - held);
    const totalMs = this.buckets.reduce((sum, bucket) => sum + bucket.ms, 0);
    // Two decimals: enough for a chart, and they keep the pushes small.
    const perSec = (count: number) => round((count * 1000) / totalMs, 2);
    const sample: ChartSample = {
      at,
      searchesPerSec: perSec(this.buckets.reduce((sum, bucket) => sum + bucket.searches, 0)),
      siteJobsPerSec: perSec(this.buckets.reduce((sum, bucket) => sum + bucket.siteJobs, 0)),
      pushP95Ms: p95(this.lateness),
      sites: this.readSites(),
    };
    this.searches = 0;
    this.siteJobs = 0;
    this.lateness = [];
    this.offered = 0;
    this.intervalStart = at;
    this.window.push(sample);
    for (const listener of this.listeners) {
      try {
        listener(sample);
      } catch (error) {
        this.options.logger.error({ err: error }, 'a chart sample listener failed');
      }
    }
    return sample;
  }

  private readSites(): Record<string, SiteSample> {
    const sites: Record<string, SiteSample> = {};
    let infos: readonly SiteInfo[];
    try {
      infos = this.options.sites();
    } catch (error) {
      this.options.logger.error({ err: error }, 'reading the site figures for the charts failed');
      return sites;
    }
    for (const { id, stats } of infos) {
      if (!stats) continue;
      const latency = stats.latencyP95Ms === undefined ? null : Math.round(stats.latencyP95Ms);
      sites[id] = [round(stats.requestsPerSec, 2), round(stats.adaptiveLimitPerSec, 2), latency];
    }
    return sites;
  }

  /** The samples kept, oldest first, and how they are taken: the answer to `charts:subscribe`. */
  history(): ChartHistory {
    return { intervalMs: this.intervalMs, rateWindowMs: this.rateWindowMs, scope: this.options.scope, samples: this.window.samples.slice() };
  }

  /** Calls `listener` with every sample taken from now on; returns the function that stops it. */
  onSample(listener: (sample: ChartSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts sampling every interval. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.intervalStart = this.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling and listening to the events. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopListening();
    this.listeners.clear();
  }
}
