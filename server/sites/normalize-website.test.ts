import { describe, expect, it } from 'vitest';
import { normalizeWebsite } from './normalize-website';

describe('normalizeWebsite', () => {
  it.each([
    ['https://www.smithsonsplumbing.com', 'smithsonsplumbing.com'],
    ['smithsonsplumbing.com/contact', 'smithsonsplumbing.com'],
    ['HTTP://Shop.SmithSonsPlumbing.com:8080/a?b#c', 'smithsonsplumbing.com'],
    ['www.roseandcrown.co.uk', 'roseandcrown.co.uk'],
    ['https://menu.roseandcrown.co.uk/food', 'roseandcrown.co.uk'],
    ['https://joespizza.wixsite.com/home', 'joespizza.wixsite.com'],
    ['https://www.facebook.com/joespizza/about', 'facebook.com/joespizza'],
    ['http://192.168.1.10/shop', '192.168.1.10'],
  ])('%s → %s', (text, expected) => {
    expect(normalizeWebsite(text)).toBe(expected);
  });

  it.each(['', 'n/a', 'joe@joespizza.com', 'mailto:joe@joespizza.com'])('%j is no website', (text) => {
    expect(normalizeWebsite(text)).toBeUndefined();
  });
});
