import { describe, expect, it } from 'vitest';
import { normalizePhone } from './normalize-phone';

describe('normalizePhone', () => {
  it.each([
    ['(512) 555-0134', '+15125550134'],
    ['+1 512-555-0134', '+15125550134'],
    ['512.555.0134', '+15125550134'],
    ['1 512 555 0134', '+15125550134'],
    ['512-555-0134 ext. 12', '+15125550134'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s → %s', (text, expected) => {
    expect(normalizePhone(text)).toBe(expected);
  });

  it('keeps the digits of a number too short to be possible, so equal junk still compares equal', () => {
    expect(normalizePhone('555-0134')).toBe('5550134');
  });

  it('is undefined without digits', () => {
    expect(normalizePhone('call for quote')).toBeUndefined();
  });
});
