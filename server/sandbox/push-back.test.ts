import { describe, expect, it } from 'vitest';
import { AbuseBlocker, rateLimitFields, retryAfterSeconds } from './push-back';

const clock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('AbuseBlocker', () => {
  it('blocks for 30 s after more than 3 violations within 10 s', () => {
    const time = clock();
    const blocker = new AbuseBlocker({ now: time.now });
    for (let i = 0; i < 3; i++) {
      blocker.recordViolation();
      time.advance(3000);
    }
    expect(blocker.blockedForMs()).toBe(0); // 3 violations: tolerated
    blocker.recordViolation(); // the 4th, 9 s after the 1st
    expect(blocker.blockedForMs()).toBe(30_000);
    expect(blocker.blocks).toBe(1);
    time.advance(29_999);
    expect(blocker.blockedForMs()).toBe(1);
    time.advance(1);
    expect(blocker.blockedForMs()).toBe(0);
  });

  it('forgets violations older than the window', () => {
    const time = clock();
    const blocker = new AbuseBlocker({ now: time.now });
    for (let i = 0; i < 10; i++) {
      blocker.recordViolation();
      time.advance(4000); // never more than 3 within 10 s
    }
    expect(blocker.blockedForMs()).toBe(0);
    expect(blocker.blocks).toBe(0);
  });

  it('reset lifts a block', () => {
    const time = clock();
    const blocker = new AbuseBlocker({ now: time.now, violations: 0, blockMs: 5000 });
    blocker.recordViolation();
    expect(blocker.blockedForMs()).toBe(5000);
    blocker.reset();
    expect(blocker.blockedForMs()).toBe(0);
    expect(blocker.blocks).toBe(0);
  });

  it('rejects a bad threshold', () => {
    expect(() => new AbuseBlocker({ violations: -1 })).toThrow('Expected `violations` to be an integer >= 0, got -1');
  });
});

describe('header helpers', () => {
  it('write the IETF draft RateLimit fields and whole-second Retry-After', () => {
    expect(rateLimitFields({ requests: 5, perMs: 1000 }, 2, 340)).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '2',
      'RateLimit-Reset': '1',
      'RateLimit-Policy': '5;w=1',
    });
    expect(rateLimitFields({ requests: 30, perMs: 10_000 }, -1, 0)['RateLimit-Remaining']).toBe('0');
    expect(retryAfterSeconds(1)).toBe('1');
    expect(retryAfterSeconds(1001)).toBe('2');
    expect(retryAfterSeconds(0)).toBe('1');
  });
});
