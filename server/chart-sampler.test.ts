import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SearchEvent, SiteInfo, SiteLiveStats } from '../lib/types';
import { ChartSampler, p95, type ChartSamplerOptions } from './chart-sampler';

/** An event source the test drives by hand. */
function fakeEvents() {
  const listeners = new Set<(searchId: string, event: SearchEvent) => void>();
  return {
    onEvent(listener: (searchId: string, event: SearchEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(type: string, count = 1) {
      for (let i = 0; i < count; i++) for (const listener of listeners) listener('s1', { type } as SearchEvent);
    },
    get listening() {
      return listeners.size;
    },
  };
}

const stats = (figures: Partial<SiteLiveStats>): SiteLiveStats => ({ requestsPerSec: 0, adaptiveLimitPerSec: 2, ...figures }) as SiteLiveStats;
const site = (id: string, figures?: Partial<SiteLiveStats>): SiteInfo => ({ id, ...(figures ? { stats: stats(figures) } : {}) }) as SiteInfo;

function setup(options: Partial<ChartSamplerOptions> = {}) {
  let clock = 1_000_000;
  const events = fakeEvents();
  const lines: string[] = [];
  const sampler = new ChartSampler({
    events,
    sites: () => [],
    logger: pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }),
    scope: 'process',
    intervalMs: 1_000,
    rateWindowMs: 3_000,
    now: () => clock,
    ...options,
  });
  const advance = (ms: number) => (clock += ms);
  return { sampler, events, lines, advance, now: () => clock };
}

afterEach(() => vi.useRealTimers());

describe('ChartSampler', () => {
  it('averages searches and site jobs over the rate window, by the time the intervals really took', () => {
    const { sampler, events, advance } = setup();
    const seconds: [number, number][] = [];
    for (const searches of [2, 0, 1, 0]) {
      events.emit('search:created', searches);
      events.emit('site:done', searches * 10);
      events.emit('site:failed', searches);
      events.emit('site:running', 5); // not an answer: not counted
      advance(1_000);
      const sample = sampler.sample();
      seconds.push([sample.searchesPerSec, sample.siteJobsPerSec]);
    }
    // 2/1 s, 2/2 s, 3/3 s, then the first second leaves the window: 1/3 s.
    expect(seconds).toEqual([[2, 22], [1, 11], [1, 11], [0.33, 3.67]]);
  });

  it('reads a late interval as slower, not as a burst', () => {
    const { sampler, events, advance } = setup({ rateWindowMs: 1_000 });
    events.emit('search:created', 4);
    advance(2_000);
    expect(sampler.sample().searchesPerSec).toBe(2);
  });

  it('gives the p95 of how late events were pushed in the interval, null when none was', () => {
    const { sampler, advance, now } = setup();
    for (let late = 1; late <= 100; late++) sampler.pushed(now() - late);
    advance(1_000);
    expect(sampler.sample().pushP95Ms).toBe(95);
    advance(1_000);
    expect(sampler.sample().pushP95Ms).toBeNull();
  });

  it('holds at most maxPushSamples latencies however busy the interval', () => {
    const draws = [0.1, 0.9];
    const { sampler, advance, now } = setup({ maxPushSamples: 2, random: () => draws.shift() ?? 0.99 });
    sampler.pushed(now() - 10);
    sampler.pushed(now() - 20);
    // Third: slot floor(0.1 × 3) = 0 replaces the 10; fourth: slot floor(0.9 × 4) = 3 is dropped.
    sampler.pushed(now() - 30);
    sampler.pushed(now() - 40);
    advance(1_000);
    expect(sampler.sample().pushP95Ms).toBe(30);
  });

  it('keeps each running site as [requests/s, kept limit, latency p95], rounded', () => {
    const sites = [site('a', { requestsPerSec: 1.234, adaptiveLimitPerSec: 2, latencyP95Ms: 420.6 }), site('b', { requestsPerSec: 0.5 }), site('skipped')];
    const { sampler } = setup({ sites: () => sites });
    expect(sampler.sample().sites).toEqual({ a: [1.23, 2, 421], b: [0.5, 2, null] });
  });

  it('never throws: failing site figures give a sample without sites, a failing listener is logged', () => {
    const { sampler, lines, advance } = setup({
      sites: () => {
        throw new Error('registry gone');
      },
    });
    const heard: number[] = [];
    sampler.onSample(() => {
      throw new Error('listener broke');
    });
    sampler.onSample((sample) => heard.push(sample.at));
    advance(1_000);
    const sample = sampler.sample();
    expect(sample.sites).toEqual({});
    expect(heard).toEqual([sample.at]);
    expect(lines.join('\n')).toContain('reading the site figures for the charts failed');
    expect(lines.join('\n')).toContain('a chart sample listener failed');
  });

  it('keeps the last samples for a new watcher, oldest first', () => {
    const { sampler, advance } = setup({ keep: 2, scope: 'node' });
    for (let i = 0; i < 3; i++) {
      advance(1_000);
      sampler.sample();
    }
    const history = sampler.history();
    expect(history).toMatchObject({ intervalMs: 1_000, rateWindowMs: 3_000, scope: 'node' });
    expect(history.samples.map((s) => s.at)).toEqual([1_002_000, 1_003_000]);
  });

  it('samples every interval once started, and stops hearing events once closed', () => {
    vi.useFakeTimers();
    const { sampler, events } = setup();
    const heard: number[] = [];
    sampler.onSample((sample) => heard.push(sample.searchesPerSec));
    sampler.start();
    sampler.start();
    events.emit('search:created', 3);
    vi.advanceTimersByTime(3_000);
    // The test's clock stands still: each interval counts as 1 ms long, the rate is per window.
    expect(heard).toHaveLength(3);
    sampler.close();
    expect(events.listening).toBe(0);
    vi.advanceTimersByTime(3_000);
    expect(heard).toHaveLength(3);
  });

  it('refuses options it cannot honour, naming them', () => {
    expect(() => setup({ intervalMs: 10 })).toThrow('`intervalMs`');
    expect(() => setup({ rateWindowMs: 2_500 })).toThrow('`rateWindowMs`');
    expect(() => setup({ maxPushSamples: 0 })).toThrow('`maxPushSamples`');
  });
});

describe('p95', () => {
  it('is the nearest-rank 95th percentile', () => {
    expect(p95([])).toBeNull();
    expect(p95([7])).toBe(7);
    expect(p95([5, 1, 3, 2, 4])).toBe(5);
    expect(p95(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
  });
});
