import { describe, expect, it } from 'vitest';
import { describeEvent, formatLongQuota, formatPercent, formatRemaining } from './format';

describe('formatPercent and formatRemaining', () => {
  it('say what a person would', () => {
    expect(formatPercent(5 / 6)).toBe('83 %');
    expect(formatPercent(undefined)).toBe('—');
    expect(formatRemaining(undefined)).toBe('—');
    expect(formatRemaining(400)).toBe('under 1 s');
    expect(formatRemaining(2_100)).toBe('about 3 s');
    expect(formatRemaining(125_000)).toBe('about 2 min 5 s');
  });
});

describe('describeEvent', () => {
  it('says a hedge went out and how long the first request had run', () => {
    expect(describeEvent({ seq: 4, at: 1000, type: 'site:hedged', siteId: 'brownbook.net', data: { attempt: 1, delayMs: 1900 } })).toBe(
      'request slower than usual: hedge sent after 1.90 s',
    );
    expect(describeEvent({ seq: 9, at: 2000, type: 'site:hedged', siteId: 'brownbook.net', data: { attempt: 2, delayMs: 640 } })).toBe(
      'request slower than usual: hedge sent after 640 ms',
    );
  });

  it('joins a retry reason and its wait', () => {
    expect(
      describeEvent({ seq: 5, at: 1500, type: 'site:retrying', siteId: 'brownbook.net', data: { attempt: 1, delayMs: 250, reason: 'timeout' } }),
    ).toBe('timeout · next try in 250 ms');
  });
});

describe('formatLongQuota', () => {
  it('tells a quota over a long window in its own terms', () => {
    expect(formatLongQuota({ requests: 10_000, perMs: 86_400_000 })).toBe('10,000 a day');
    expect(formatLongQuota({ requests: 600, perMs: 60_000 })).toBe('600 a minute');
    expect(formatLongQuota({ requests: 50, perMs: 3_600_000 })).toBe('50 an hour');
    expect(formatLongQuota({ requests: 30, perMs: 30_000 })).toBe('30 per 30 s');
  });

  it('leaves a window of 10 s or less to requests/s', () => {
    expect(formatLongQuota({ requests: 5, perMs: 1_000 })).toBeUndefined();
    expect(formatLongQuota({ requests: 20, perMs: 10_000 })).toBeUndefined();
  });
});
