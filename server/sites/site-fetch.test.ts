import { describe, expect, it } from 'vitest';
import { parseRetryAfter, rateWindowFromHeaders, retryAfterFromHeaders } from './site-fetch';

const now = Date.parse('2026-11-27T12:00:00Z');
const wait = (headers: Record<string, string>) => retryAfterFromHeaders(new Headers(headers), now);

describe('retryAfterFromHeaders', () => {
  it('prefers Retry-After, in seconds or as an HTTP date', () => {
    expect(wait({ 'retry-after': '7', 'ratelimit-reset': '30' })).toBe(7000);
    expect(wait({ 'retry-after': new Date(now + 90_000).toUTCString() })).toBe(90_000);
  });

  it('reads RateLimit-Reset as seconds to wait (IETF draft), or as epoch seconds when it is one', () => {
    expect(wait({ 'ratelimit-reset': '3' })).toBe(3000);
    expect(wait({ 'ratelimit-reset': String(now / 1000 + 20) })).toBe(20_000);
  });

  it('reads X-RateLimit-Reset and Mapbox’s X-Rate-Limit-Reset (epoch seconds)', () => {
    expect(wait({ 'x-ratelimit-reset': String(now / 1000 + 5) })).toBe(5000);
    expect(wait({ 'x-rate-limit-reset': String(now / 1000 + 45) })).toBe(45_000);
  });

  it('reads Yelp’s RateLimit-ResetTime (ISO 8601), never a negative wait', () => {
    expect(wait({ 'ratelimit-resettime': '2026-11-28T00:00:00+00:00' })).toBe(12 * 3_600_000);
    expect(wait({ 'ratelimit-resettime': '2026-11-27T00:00:00+00:00' })).toBe(0);
  });

  it('is undefined when no header says, or says nonsense', () => {
    expect(wait({})).toBeUndefined();
    expect(wait({ 'retry-after': 'soon', 'ratelimit-reset': '-1', 'ratelimit-resettime': 'tomorrow' })).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('rateWindowFromHeaders', () => {
  const window = (headers: Record<string, string>) => rateWindowFromHeaders(new Headers(headers), now);

  it('reads what is left and when it frees: IETF RateLimit-*, X-RateLimit-*, Yelp’s daily quota', () => {
    expect(window({ 'ratelimit-remaining': '0', 'ratelimit-reset': '3' })).toEqual({ remaining: 0, resetMs: 3000 });
    expect(window({ 'x-ratelimit-remaining': '4' })).toEqual({ remaining: 4 });
    expect(window({ 'ratelimit-remaining': '0', 'ratelimit-resettime': '2026-11-28T00:00:00+00:00' })).toEqual({ remaining: 0, resetMs: 12 * 3_600_000 });
  });

  it('is undefined when the site says nothing usable', () => {
    expect(window({})).toBeUndefined();
    expect(window({ 'ratelimit-remaining': 'many' })).toBeUndefined();
    expect(window({ 'ratelimit-remaining': '-1' })).toBeUndefined();
    expect(window({ 'ratelimit-remaining': '2.5' })).toBeUndefined();
  });
});
