/**
 * Prometheus metrics (prom-client) for `GET /metrics`: counters fed by the event log, gauges read
 * from the pipeline at scrape time, and the process's own figures.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SearchEvent } from '../lib/types';
import type { SearchRunner } from './search-runner';

/** Where the metrics hear events: every event this process appends. */
export interface EventSource {
  onEvent(listener: (searchId: string, event: SearchEvent) => void): () => void;
}

/** Metrics of one sitescan process; `node` labels every series in a cluster. */
export class Metrics {
  readonly registry = new Registry();
  private readonly stopListening: () => void;

  constructor(eventLog: EventSource, pipeline: SearchRunner, node?: string) {
    if (node) this.registry.setDefaultLabels({ node });
    collectDefaultMetrics({ register: this.registry, prefix: 'sitescan_' });
    this.stopListening = this.countEvents(eventLog);
    this.gaugeLive(pipeline);
  }

  /** Counters fed by every event this process appends; returns the function that stops them. */
  private countEvents(eventLog: EventSource): () => void {
    const siteJobs = new Counter({
      name: 'sitescan_site_jobs_total',
      help: 'Site jobs ended, by site and how they ended (done outcome, failed, skipped, cancelled).',
      labelNames: ['site', 'end'],
      registers: [this.registry],
    });
    const attempts = new Counter({
      name: 'sitescan_site_attempts_total',
      help: 'Requests started at a site.',
      labelNames: ['site'],
      registers: [this.registry],
    });
    const pushBacks = new Counter({
      name: 'sitescan_site_push_backs_total',
      help: 'Times a site answered 429/503 and was slowed down.',
      labelNames: ['site'],
      registers: [this.registry],
    });
    const hedges = new Counter({
      name: 'sitescan_site_hedges_total',
      help: 'Hedges sent at a site: second copies of a request that ran past the site\'s usual latency.',
      labelNames: ['site'],
      registers: [this.registry],
    });
    const searches = new Counter({
      name: 'sitescan_searches_total',
      help: 'Searches ended, by final status.',
      labelNames: ['status'],
      registers: [this.registry],
    });
    const searchSeconds = new Histogram({
      name: 'sitescan_search_duration_seconds',
      help: 'Time from a search being created to its end.',
      buckets: [0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 30, 60],
      registers: [this.registry],
    });
    const created = new Map<string, number>();
    return eventLog.onEvent((searchId, event) => {
      switch (event.type) {
        case 'search:created':
          created.set(searchId, event.at);
          break;
        case 'site:started':
          attempts.inc({ site: event.siteId });
          break;
        case 'site:rate_limited':
          pushBacks.inc({ site: event.siteId });
          break;
        case 'site:hedged':
          hedges.inc({ site: event.siteId });
          break;
        case 'site:done':
          siteJobs.inc({ site: event.siteId, end: event.data?.outcome ?? 'not_found' });
          break;
        case 'site:failed':
        case 'site:skipped':
        case 'site:cancelled':
          siteJobs.inc({ site: event.siteId, end: event.type.slice('site:'.length) });
          break;
        case 'search:completed':
        case 'search:cancelled':
        case 'search:interrupted': {
          searches.inc({ status: event.type.slice('search:'.length) });
          const start = created.get(searchId);
          if (start !== undefined) searchSeconds.observe((event.at - start) / 1000);
          created.delete(searchId);
          break;
        }
        default:
      }
    });
  }

  /** Gauges read from the runner at scrape time. */
  private gaugeLive(pipeline: SearchRunner): void {
    const perSite = (name: string, help: string, read: (stats: NonNullable<ReturnType<SearchRunner['siteStats']>>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['site'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const site of pipeline.sites()) if (site.stats) this.set({ site: site.id }, read(site.stats));
        },
      });
    perSite('sitescan_site_in_flight', 'Requests in flight at a site.', (s) => s.inFlight);
    perSite('sitescan_site_queue_depth', 'Jobs waiting for a site (dispatcher + its queue).', (s) => s.buffered + s.queued);
    perSite('sitescan_site_adaptive_limit_per_second', 'The rate kept at a site after push-back.', (s) => s.adaptiveLimitPerSec);
    perSite('sitescan_site_circuit_open', '1 while a site\'s circuit is open or half-open.', (s) => (s.circuit === 'closed' ? 0 : 1));
    new Gauge({
      name: 'sitescan_searches_running',
      help: 'Searches running now.',
      registers: [this.registry],
      collect() {
        this.set(pipeline.load().runningSearches);
      },
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  close(): void {
    this.stopListening();
  }
}
