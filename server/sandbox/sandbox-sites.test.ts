import { describe, expect, it } from 'vitest';
import { siteDefinitionListSchema } from '../sites/site-definition';
import { latencyQuantileMs, sampleLatencyMs } from './latency';
import { LAYOUTS } from './layouts';
import { createRng } from './rng';
import { LATENCY_CAP_MS, SANDBOX_SITES, siteDefinitionFor } from './sandbox-sites';

describe('SANDBOX_SITES', () => {
  it('are the ten sites of the original system', () => {
    expect(SANDBOX_SITES.map((s) => s.id).sort()).toEqual(
      [
        'yasabe.com', 'yellowyello.com', 'uscity.net', 'elocal.com', 'cylex-usa.com', 'brownbook.net',
        'showmelocal.com', 'localstack.com', 'foursquare.com', 'cataloxy.us',
      ].sort(),
    );
  });

  it.each(SANDBOX_SITES)('$id: coverage, limits and latency are in the agreed ranges', (site) => {
    expect(site.coverage).toBeGreaterThanOrEqual(0.3);
    expect(site.coverage).toBeLessThanOrEqual(0.9);
    expect(site.limits.concurrency).toBeGreaterThanOrEqual(2);
    expect(site.limits.concurrency).toBeLessThanOrEqual(8);
    expect(site.limits.requests).toBeGreaterThanOrEqual(5);
    expect(site.limits.requests).toBeLessThanOrEqual(20);
    expect(site.limits.perMs).toBe(1000);
    expect(site.latency.medianMs).toBeGreaterThanOrEqual(150);
    expect(site.latency.medianMs).toBeLessThanOrEqual(1200);
    expect(site.latency.sigma).toBeGreaterThanOrEqual(0.4);
    expect(site.latency.sigma).toBeLessThanOrEqual(0.6);
    expect(site.latency.capMs).toBeLessThanOrEqual(3000);
  });

  it('use distinct markup: three or more HTML layouts, two or more JSON shapes, no shared skin', () => {
    const kinds = (kind: string) => new Set(SANDBOX_SITES.filter((s) => LAYOUTS[s.layout].kind === kind).map((s) => s.layout));
    expect(kinds('html').size).toBeGreaterThanOrEqual(3);
    expect(kinds('json').size).toBeGreaterThanOrEqual(2);
    expect(new Set(SANDBOX_SITES.map((s) => s.skin)).size).toBe(SANDBOX_SITES.length);
  });
});

describe('siteDefinitionFor', () => {
  const definitions = SANDBOX_SITES.map((spec) => siteDefinitionFor(spec, 'http://127.0.0.1:4010'));

  it('validates with the site definition schema', () => {
    const result = siteDefinitionListSchema.safeParse(definitions);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('announces the enforced limits, the sandbox flag and a search URL on the sandbox', () => {
    for (const [i, definition] of definitions.entries()) {
      const spec = SANDBOX_SITES[i]!;
      expect(definition.limits).toEqual(spec.limits);
      expect(definition.sandbox).toBe(true);
      expect(definition.kind).toBe(LAYOUTS[spec.layout].kind);
      expect(definition.search.url).toBe(`http://127.0.0.1:4010/${spec.id}${spec.searchPath}?q={name}&where={location}`);
      expect(definition.timeoutMs).toBeGreaterThan(LATENCY_CAP_MS);
    }
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
