import { describe, expect, it } from 'vitest';
import { LatencyModel, MIN_SAMPLES, WINDOW_SAMPLES } from './latency-model';

describe('LatencyModel', () => {
  it('says nothing until MIN_SAMPLES answers are in', () => {
    const model = new LatencyModel();
    for (let i = 1; i < MIN_SAMPLES; i++) model.observe(100);
    expect(model.ready).toBe(false);
    expect(model.quantile(0.5)).toBeUndefined();
    model.observe(100);
    expect(model.ready).toBe(true);
    expect(model.quantile(0.5)).toBeCloseTo(100, -1);
  });

  it('reads quantiles within the sketch accuracy (2%)', () => {
    const model = new LatencyModel();
    // 1..100 ms, twice: p50 ≈ 50, p95 ≈ 95, p99 ≈ 99.
    for (let round = 0; round < 2; round++) for (let ms = 1; ms <= 100; ms++) model.observe(ms);
    expect(model.quantile(0.5)! / 50).toBeCloseTo(1, 1);
    expect(model.quantile(0.95)! / 95).toBeCloseTo(1, 1);
    expect(model.quantile(0.99)! / 99).toBeCloseTo(1, 1);
  });

  it('forgets answers older than two windows, so it follows a site that slows down', () => {
    const model = new LatencyModel();
    for (let i = 0; i < WINDOW_SAMPLES * 2; i++) model.observe(200);
    expect(model.quantile(0.5)! / 200).toBeCloseTo(1, 1);
    for (let i = 0; i < WINDOW_SAMPLES * 2; i++) model.observe(900);
    expect(model.quantile(0.05)! / 900).toBeCloseTo(1, 1);
    expect(model.samples).toBeLessThanOrEqual(WINDOW_SAMPLES * 2);
  });

  it('ignores values that are not latencies', () => {
    const model = new LatencyModel();
    model.observe(Number.NaN);
    model.observe(-5);
    model.observe(Number.POSITIVE_INFINITY);
    expect(model.samples).toBe(0);
  });
});
