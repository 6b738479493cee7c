import { describe, expect, it } from 'vitest';
import { siteDefinitionListSchema } from '../sites/site-definition';
import { latencyQuantileMs, sampleLatencyMs } from './latency';
import { LAYOUTS } from './layouts';
import { createRng } from './rng';
import { LATENCY_CAP_MS, SANDBOX_SITES, siteDefinitionFor } from './sandbox-sites';

const ORIGINAL_TEN = [
  'yasabe.com', 'yellowyello.com', 'uscity.net', 'elocal.com', 'cylex-usa.com', 'brownbook.net',
  'showmelocal.com', 'localstack.com', 'foursquare.com', 'cataloxy.us',
];

describe('SANDBOX_SITES', () => {
  it('are the ten sites of the original system and twenty more, with unique ids and skins', () => {
    const ids = SANDBOX_SITES.map((s) => s.id);
    expect(ids.slice(0, 10)).toEqual(ORIGINAL_TEN);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(SANDBOX_SITES.map((s) => s.skin)).size).toBe(SANDBOX_SITES.length);
  });

  it.each(SANDBOX_SITES)('$id: coverage, limits, latency and faultiness are in the agreed ranges', (site) => {
    expect(site.coverage).toBeGreaterThanOrEqual(0.3);
    expect(site.coverage).toBeLessThanOrEqual(0.9);
    expect(site.limits.concurrency).toBeGreaterThanOrEqual(2);
    expect(site.limits.concurrency).toBeLessThanOrEqual(8);
    // 5–20 requests a second on average, whatever the window.
    const perSecond = (site.limits.requests * 1000) / site.limits.perMs;
    expect(perSecond).toBeGreaterThanOrEqual(1.5);
    expect(perSecond).toBeLessThanOrEqual(20);
    expect(site.latency.medianMs).toBeGreaterThanOrEqual(150);
    expect(site.latency.medianMs).toBeLessThanOrEqual(1200);
    expect(site.latency.sigma).toBeGreaterThanOrEqual(0.4);
    expect(site.latency.sigma).toBeLessThanOrEqual(0.6);
    expect(site.latency.capMs).toBeLessThanOrEqual(3000);
    // p95 under ~2.5 s: the slowest site still answers a search well inside the 5 s promise.
    expect(latencyQuantileMs(site.latency, 0.95)).toBeLessThanOrEqual(2520);
    expect(site.faultiness).toBeGreaterThanOrEqual(0);
    expect(site.faultiness).toBeLessThanOrEqual(2);
  });

  it('use distinct markup: five or more HTML layouts, four or more JSON shapes', () => {
    const kinds = (kind: string) => new Set(SANDBOX_SITES.filter((s) => LAYOUTS[s.layout].kind === kind).map((s) => s.layout));
    expect(kinds('html').size).toBeGreaterThanOrEqual(5);
    expect(kinds('json').size).toBeGreaterThanOrEqual(4);
    expect(new Set(SANDBOX_SITES.map((s) => s.layout))).toEqual(new Set(Object.keys(LAYOUTS)));
  });

  it('push back in every style: mostly 429, some RateLimit headers, some 503, one captcha, one block', () => {
    const count = (style: string) => SANDBOX_SITES.filter((s) => s.pushBack === style).length;
    expect(count('retry-after')).toBeGreaterThan(SANDBOX_SITES.length / 2);
    expect(count('ratelimit-headers')).toBeGreaterThanOrEqual(3);
    expect(count('unavailable')).toBeGreaterThanOrEqual(2);
    expect(count('captcha')).toBe(1);
    expect(count('block')).toBe(1);
  });

  it('vary in phone formats, windows and faultiness', () => {
    expect(new Set(SANDBOX_SITES.map((s) => s.phoneFormat)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(SANDBOX_SITES.map((s) => s.limits.perMs)).size).toBeGreaterThanOrEqual(3);
    expect(SANDBOX_SITES.some((s) => s.faultiness === 0)).toBe(true);
    expect(SANDBOX_SITES.some((s) => s.faultiness >= 1.5)).toBe(true);
  });

  it('answer a search of all of them within the latency cap: the slowest of 33 is ~2–3 s, never more than 3 s', () => {
    const rng = createRng('all-sites');
    const searches = Array.from({ length: 2000 }, () => Math.max(...SANDBOX_SITES.map((site) => sampleLatencyMs(site.latency, rng)))).sort((a, b) => a - b);
    expect(searches.at(-1)).toBeLessThanOrEqual(LATENCY_CAP_MS);
    expect(searches[1000]).toBeLessThan(2600);
  });
});

describe('siteDefinitionFor', () => {
  const definitions = SANDBOX_SITES.map((spec) => siteDefinitionFor(spec, 'http://127.0.0.1:4010'));

  it('validates with the site definition schema', () => {
    const result = siteDefinitionListSchema.safeParse(definitions);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('announces the spec’s limits (or the ones given), the sandbox flag and a search URL on the sandbox', () => {
    for (const [i, definition] of definitions.entries()) {
      const spec = SANDBOX_SITES[i]!;
      expect(definition.limits).toEqual(spec.limits);
      expect(definition.sandbox).toBe(true);
      expect(definition.kind).toBe(LAYOUTS[spec.layout].kind);
      expect(definition.search.url).toBe(`http://127.0.0.1:4010/${spec.id}${spec.searchPath}?q={name}&where={location}`);
      expect(definition.timeoutMs).toBeGreaterThan(LATENCY_CAP_MS);
    }
    const raised = { concurrency: 40, requests: 200, perMs: 1000 };
    expect(siteDefinitionFor(SANDBOX_SITES[0]!, 'http://x.test', raised).limits).toEqual(raised);
  });
});

describe('sampleLatencyMs', () => {
  const profile = { medianMs: 400, sigma: 0.5, capMs: 1000 };

  it('is log-normal around the median, capped, and replayed by the same seed', () => {
    const rng = createRng('latency');
    const samples = Array.from({ length: 4000 }, () => sampleLatencyMs(profile, rng)).sort((a, b) => a - b);
    expect(samples[2000]).toBeGreaterThan(370);
    expect(samples[2000]).toBeLessThan(430);
    expect(samples.at(-1)).toBe(1000);
    expect(samples[0]).toBeGreaterThan(0);
    const replay = createRng('latency');
    expect(Array.from({ length: 4000 }, () => sampleLatencyMs(profile, replay)).sort((a, b) => a - b)).toEqual(samples);
  });

  it('gives quantiles of the distribution', () => {
    expect(latencyQuantileMs(profile, 0.5)).toBeCloseTo(400, 6);
    expect(latencyQuantileMs(profile, 0.95)).toBeCloseTo(400 * Math.exp(0.5 * 1.6448536), 2);
    expect(latencyQuantileMs(profile, 0.9999)).toBe(1000);
  });
});
