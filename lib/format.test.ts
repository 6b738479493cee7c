import { describe, expect, it } from 'vitest';
import { formatPercent, formatRemaining, safeHref } from './format';

describe('safeHref', () => {
  it('links only absolute http(s) URLs', () => {
    expect(safeHref('https://brownbook.net/business/1')).toBe('https://brownbook.net/business/1');
    expect(safeHref('http://x.test/a b')).toBe('http://x.test/a%20b');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>', '/relative', '', undefined, 'vbscript:x']) {
      expect(safeHref(bad)).toBeUndefined();
    }
  });
});

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
