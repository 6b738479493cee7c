import { describe, expect, it } from 'vitest';
import { ADMISSION_DECREASE, AdmissionRate } from './admission-rate';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('AdmissionRate', () => {
  it('takes a burst of a quarter second of its rate, then one search per 1/rate', () => {
    const time = clock();
    const rate = new AdmissionRate({ initialPerSec: 40, minBurst: 1, now: time.now });
    const taken = Array.from({ length: 12 }, () => rate.take()).filter(Boolean).length;
    expect(taken).toBe(10);
    expect(rate.take()).toBe(false);
    expect(rate.retryAfterMs()).toBe(25);
    time.advance(25);
    expect(rate.take()).toBe(true);
    expect(rate.take()).toBe(false);
  });

  it('takes a client’s handful of parallel searches at once even when the rate is low', () => {
    const rate = new AdmissionRate({ initialPerSec: 5, now: clock().now });
    expect(Array.from({ length: 21 }, () => rate.take()).filter(Boolean)).toHaveLength(20);
  });

  it('is cut while the loop lags with work in hand, not for a lone spike of an idle process', () => {
    const rate = new AdmissionRate({ initialPerSec: 100, targetLagMs: 50, idleCeilingPerSec: 1000, now: clock().now });
    rate.adjust(300, false);
    rate.adjust(300, false);
    expect(rate.perSec).toBe(100);
    rate.adjust(300, true);
    expect(rate.perSec).toBe(100); // one slow window: a busy moment
    rate.adjust(300, true);
    expect(rate.perSec).toBe(100 * ADMISSION_DECREASE);
    rate.adjust(300, true);
    expect(rate.perSec).toBeCloseTo(100 * ADMISSION_DECREASE ** 2);
  });

  it('holds the idle ceiling through busy moments short of overload', () => {
    const rate = new AdmissionRate({ initialPerSec: 40, targetLagMs: 50, overloadLagMs: 100, idleCeilingPerSec: 25, now: clock().now });
    for (let window = 0; window < 5; window++) rate.adjust(80, true);
    expect(rate.perSec).toBe(25);
    rate.adjust(150, true);
    expect(rate.perSec).toBe(25 * ADMISSION_DECREASE);
    // A calm window in between: the next slow one is a busy moment again.
    rate.adjust(10, true);
    rate.adjust(150, true);
    expect(rate.perSec).toBe(25 * ADMISSION_DECREASE);
  });

  it('grows back only while the loop is calm and demand used the whole rate', () => {
    const time = clock();
    const rate = new AdmissionRate({ initialPerSec: 20, targetLagMs: 50, idleCeilingPerSec: 20, now: time.now });
    time.advance(500);
    rate.adjust(5);
    expect(rate.perSec).toBe(20); // nobody asked for more: nothing learnt
    while (rate.take());
    time.advance(500);
    rate.adjust(40); // used up, but not calm enough (above half the target)
    expect(rate.perSec).toBe(20);
    while (rate.take());
    time.advance(500);
    rate.adjust(5);
    expect(rate.perSec).toBe(24);
  });

  it('holds the rate near twice the demand seen, so a surge meets that, not the highest rate ever', () => {
    const time = clock();
    const rate = new AdmissionRate({ initialPerSec: 200, idleCeilingPerSec: 25, now: time.now });
    // 20 searches/s for two windows of 500 ms.
    for (let window = 0; window < 2; window++) {
      for (let i = 0; i < 10; i++) {
        time.advance(50);
        expect(rate.take()).toBe(true);
      }
      rate.adjust(5);
    }
    expect(rate.perSec).toBe(40);
    // Idle: down to the idle ceiling, no lower.
    time.advance(500);
    rate.adjust(0);
    expect(rate.perSec).toBe(25);
  });

  it('settles near what the process keeps up with under a steady overload', () => {
    // A process that lags once more than 40 searches/s come in, offered 100/s.
    const time = clock();
    const rate = new AdmissionRate({ initialPerSec: 100, now: time.now });
    const admittedPerWindow: number[] = [];
    for (let window = 0; window < 60; window++) {
      let admitted = 0;
      for (let i = 0; i < 50; i++) {
        time.advance(10);
        if (rate.take()) admitted++;
      }
      admittedPerWindow.push(admitted * 2);
      rate.adjust(admitted * 2 > 40 ? 150 : 10);
    }
    const settled = admittedPerWindow.slice(30);
    expect(Math.max(...settled)).toBeLessThanOrEqual(50);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(20);
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => new AdmissionRate({ initialPerSec: 0 })).toThrow('Expected `initialPerSec` to be a finite number > 0, got 0');
    expect(() => new AdmissionRate({ minPerSec: 10, maxPerSec: 5 })).toThrow(/minPerSec.*at most.*maxPerSec/);
  });
});
