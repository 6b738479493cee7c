import { describe, expect, it } from 'vitest';
import { nearestRank, percentile, round } from './figures';

describe('nearestRank', () => {
  it('is the smallest value with at least p % of them at or below it', () => {
    const sorted = [10, 20, 30, 40];
    expect(nearestRank(sorted, 50)).toBe(20);
    expect(nearestRank(sorted, 51)).toBe(30);
    expect(nearestRank(sorted, 99)).toBe(40);
    expect(nearestRank(sorted, 100)).toBe(40);
    expect(nearestRank(sorted, 0)).toBe(10);
  });

  it('is undefined with no values', () => {
    expect(nearestRank([], 50)).toBeUndefined();
  });
});

describe('percentile', () => {
  it('sorts a copy and leaves the values as they were', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 50)).toBe(20);
    expect(values).toEqual([40, 10, 30, 20]);
  });

  it('is NaN with no values', () => {
    expect(percentile([], 99)).toBeNaN();
  });
});

describe('round', () => {
  it('keeps one decimal unless told otherwise', () => {
    expect(round(12.345)).toBe(12.3);
    expect(round(12.345, 2)).toBe(12.35);
    expect(round(0.9996, 3)).toBe(1);
  });
});
