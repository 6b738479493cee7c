import { afterEach, describe, expect, it } from 'vitest';
import type { SearchEvent } from '../lib/types';
import { Metrics, type EventSource } from './metrics';
import type { SearchRunner } from './search-runner';

/** An event log the test appends to by hand. */
class FakeEventLog implements EventSource {
  private readonly listeners = new Set<(searchId: string, event: SearchEvent) => void>();

  onEvent(listener: (searchId: string, event: SearchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(searchId: string, event: SearchEvent): void {
    for (const listener of this.listeners) listener(searchId, event);
  }
}

/** A runner with no sites and nothing running: the gauges have nothing to read. */
const idleRunner: SearchRunner = {
  submit: () => {
    throw new Error('not used by the metrics');
  },
  cancel: () => false,
  siteStats: () => undefined,
  sites: () => [],
  load: () => ({ runningSearches: 0, bufferedJobs: 0 }),
  close: async () => {},
};

let metrics: Metrics | undefined;
afterEach(() => {
  metrics?.close();
  metrics = undefined;
});

describe('Metrics', () => {
  it('counts hedges per site from site:hedged events', async () => {
    const log = new FakeEventLog();
    metrics = new Metrics(log, idleRunner);
    const hedged = (seq: number, siteId: string): SearchEvent => ({ seq, at: 1000 + seq, type: 'site:hedged', siteId, data: { attempt: 1, delayMs: 1900 } });
    log.append('s1', hedged(3, 'brownbook.net'));
    log.append('s1', hedged(4, 'yasabe.com'));
    log.append('s2', hedged(7, 'brownbook.net'));
    log.append('s2', { seq: 8, at: 1008, type: 'site:started', siteId: 'elocal.com', data: { attempt: 1 } });

    const { text } = await metrics.scrape();
    expect(text).toMatch(/^# HELP sitescan_site_hedges_total Hedges sent at a site/m);
    expect(text).toMatch(/^# TYPE sitescan_site_hedges_total counter$/m);
    expect(text).toMatch(/^sitescan_site_hedges_total\{site="brownbook\.net"\} 2$/m);
    expect(text).toMatch(/^sitescan_site_hedges_total\{site="yasabe\.com"\} 1$/m);
    expect(text).not.toMatch(/^sitescan_site_hedges_total\{site="elocal\.com"\}/m);
  });

  it('stops counting once closed', async () => {
    const log = new FakeEventLog();
    metrics = new Metrics(log, idleRunner);
    metrics.close();
    log.append('s1', { seq: 3, at: 1003, type: 'site:hedged', siteId: 'brownbook.net', data: { attempt: 1, delayMs: 900 } });
    expect((await metrics.scrape()).text).not.toMatch(/^sitescan_site_hedges_total\{/m);
  });
});
