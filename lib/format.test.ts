import { describe, expect, it } from 'vitest';
import { describeEvent, formatPercent, formatRemaining } from './format';

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
