import { describe, expect, it } from 'vitest';
import { formatPercent, formatRemaining } from './format';

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
