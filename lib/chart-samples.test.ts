import { describe, expect, it } from 'vitest';
import { ChartWindow, overallSeries, seriesFigures, siteSeries, type ChartSample } from './chart-samples';

const sample = (at: number, sites: ChartSample['sites'] = {}, pushP95Ms: number | null = null): ChartSample => ({
  at,
  searchesPerSec: at / 1000,
  siteJobsPerSec: (at / 1000) * 10,
  pushP95Ms,
  sites,
});

describe('ChartWindow', () => {
  it('keeps the newest samples up to its capacity, oldest first', () => {
    const window = new ChartWindow(3);
    for (const at of [1000, 2000, 3000, 4000, 5000]) expect(window.push(sample(at))).toBe(true);
    expect(window.samples.map((s) => s.at)).toEqual([3000, 4000, 5000]);
  });

  it('drops a sample that is not newer than the last one', () => {
    const window = new ChartWindow(5);
    window.push(sample(2000));
    expect(window.push(sample(2000))).toBe(false);
    expect(window.push(sample(1000))).toBe(false);
    expect(window.samples.map((s) => s.at)).toEqual([2000]);
  });

  it('replaces everything with a history, keeping its newest samples', () => {
    const window = new ChartWindow(2);
    window.push(sample(9000));
    window.replace([sample(1000), sample(2000), sample(3000)]);
    expect(window.samples.map((s) => s.at)).toEqual([2000, 3000]);
    // A push from before the history arrived is late now: dropped.
    expect(window.push(sample(2500))).toBe(false);
  });

  it('refuses a capacity that is not a positive integer, naming it', () => {
    expect(() => new ChartWindow(0)).toThrow('`capacity`');
    expect(() => new ChartWindow(1.5)).toThrow('`capacity`');
  });
});

describe('series', () => {
  const samples = [sample(1000, { a: [1, 2, 300] }), sample(2000, { b: [5, 5, null] }), sample(3000, { a: [1.5, 2, null] }, 4)];

  it('gives a site one value per sample, null where the sample lacks it', () => {
    const { rate, latency } = siteSeries(samples, 'a');
    expect(rate).toEqual([[1, 2, 3], [1, null, 1.5], [2, null, 2]]);
    expect(latency).toEqual([[1, 2, 3], [300, null, null]]);
  });

  it('gives the overall figures aligned on the same seconds', () => {
    const { searches, siteJobs, push } = overallSeries(samples);
    expect(searches).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(siteJobs).toEqual([[1, 2, 3], [10, 20, 30]]);
    expect(push).toEqual([[1, 2, 3], [null, null, 4]]);
  });
});

describe('seriesFigures', () => {
  it('tells the last value, the peak and the mean, skipping gaps', () => {
    expect(seriesFigures([2, null, 6, 1])).toEqual({ last: 1, peak: 6, mean: 3 });
  });

  it('is undefined for a series with no value', () => {
    expect(seriesFigures([])).toBeUndefined();
    expect(seriesFigures([null, null])).toBeUndefined();
  });
});
