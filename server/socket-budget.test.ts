import { describe, expect, it } from 'vitest';
import { SocketBudget } from './socket-budget';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) };
}

describe('SocketBudget', () => {
  it('allows a burst at once, then refuses until points come back', () => {
    const clock = fakeClock();
    const budget = new SocketBudget({ burst: 100, perSecond: 10, now: clock.now });
    for (let i = 0; i < 100; i++) expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    clock.advance(50);
    // 0.5 points: not enough for a message of cost 1.
    expect(budget.points).toBeCloseTo(0.5);
    expect(budget.take()).toBe(false);
    clock.advance(50);
    expect(budget.take()).toBe(true);
  });

  it('never refuses a client that stays at the refill rate', () => {
    const clock = fakeClock();
    const budget = new SocketBudget({ burst: 5, perSecond: 10, now: clock.now });
    for (let i = 0; i < 10_000; i++) {
      clock.advance(100);
      expect(budget.take()).toBe(true);
    }
  });

  it('takes at most burst + perSecond × t points over t seconds', () => {
    const clock = fakeClock();
    const budget = new SocketBudget({ burst: 100, perSecond: 10, now: clock.now });
    let taken = 0;
    for (let ms = 0; ms <= 60_000; ms += 7) {
      clock.set(1_000 + ms);
      while (budget.take()) taken++;
    }
    // The last step is at 59,997 ms: 699.97 points came in, the fraction is not a message.
    expect(taken).toBe(699);
    clock.set(61_000);
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
  });

  it('does not save up more than one burst while idle', () => {
    const clock = fakeClock();
    const budget = new SocketBudget({ burst: 3, perSecond: 10, now: clock.now });
    clock.advance(3_600_000);
    expect(budget.points).toBe(3);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });

  it('spends nothing on a refused take: a costly message does not drain what a cheap one needs', () => {
    const clock = fakeClock();
    const budget = new SocketBudget({ burst: 10, perSecond: 1, now: clock.now });
    expect(budget.take(8)).toBe(true);
    expect(budget.take(5)).toBe(false);
    expect(budget.points).toBe(2);
    expect(budget.take(2)).toBe(true);
  });

  it('adds nothing when the clock steps backwards', () => {
    const clock = fakeClock(10_000);
    const budget = new SocketBudget({ burst: 10, perSecond: 10, now: clock.now });
    expect(budget.take(10)).toBe(true);
    clock.set(0);
    expect(budget.points).toBe(0);
    clock.advance(100);
    expect(budget.points).toBeCloseTo(1);
  });

  it('refuses options and costs it cannot work with, naming them', () => {
    expect(() => new SocketBudget({ burst: 0, perSecond: 1 })).toThrow('Expected `burst` to be a finite number >= 1, got 0');
    expect(() => new SocketBudget({ burst: 1, perSecond: 0 })).toThrow('Expected `perSecond` to be a finite number > 0, got 0');
    expect(() => new SocketBudget({ burst: 1, perSecond: Number.NaN })).toThrow('`perSecond`');
    expect(() => new SocketBudget({ burst: 1, perSecond: 1 }).take(-1)).toThrow('Expected `cost` to be a finite number >= 0, got -1');
  });
});
