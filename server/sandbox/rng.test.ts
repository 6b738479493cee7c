import { describe, expect, it } from 'vitest';
import { createRng, unitHash } from './rng';

const draw = (rng: ReturnType<typeof createRng>, n: number) => Array.from({ length: n }, () => rng.next());

describe('createRng', () => {
  it('replays the same stream for the same parts', () => {
    expect(draw(createRng(1, 'yasabe.com', 'b000001'), 50)).toEqual(draw(createRng(1, 'yasabe.com', 'b000001'), 50));
  });

  it('gives a different stream when any part differs', () => {
    const base = draw(createRng(1, 'yasabe.com', 7), 5);
    expect(draw(createRng(2, 'yasabe.com', 7), 5)).not.toEqual(base);
    expect(draw(createRng(1, 'elocal.com', 7), 5)).not.toEqual(base);
    expect(draw(createRng(1, 'yasabe.com', 8), 5)).not.toEqual(base);
    // Parts are separated, not concatenated: ("ab", "c") is not ("a", "bc").
    expect(draw(createRng('ab', 'c'), 5)).not.toEqual(draw(createRng('a', 'bc'), 5));
  });

  it('draws uniform floats in [0, 1) and integers within bounds', () => {
    const rng = createRng('uniform');
    const values = draw(rng, 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const ints = new Set(Array.from({ length: 2000 }, () => rng.int(3, 7)));
    expect([...ints].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws standard normal deviates', () => {
    const rng = createRng('normal');
    const values = Array.from({ length: 20_000 }, () => rng.normal());
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.97);
    expect(sd).toBeLessThan(1.03);
  });

  it('refuses to pick from an empty array', () => {
    expect(() => createRng(1).pick([])).toThrow(/non-empty/);
  });
});

describe('unitHash', () => {
  it('is a fixed draw in [0, 1) per parts', () => {
    expect(unitHash(1, 'lists', 'yasabe.com', 'b000001')).toBe(unitHash(1, 'lists', 'yasabe.com', 'b000001'));
    expect(unitHash(1, 'lists', 'yasabe.com', 'b000001')).not.toBe(unitHash(1, 'lists', 'yasabe.com', 'b000002'));
    const share = Array.from({ length: 10_000 }, (_, i) => unitHash(3, i)).filter((v) => v < 0.3).length / 10_000;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
  });
});
