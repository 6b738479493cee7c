import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SiteLimiter, type SiteLimiterOptions } from './limiter';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const limiter = (options: Partial<SiteLimiterOptions> = {}) =>
  new SiteLimiter({ concurrency: 2, requests: 5, perMs: 1000, toleranceMs: 50, now: () => Date.now(), ...options });

/** Admits and at once releases: a request that completes instantly. */
const hit = (l: SiteLimiter) => {
  const admission = l.admit();
  if (admission.admitted) admission.release();
  return admission;
};

describe('SiteLimiter: rate (sliding window of arrivals)', () => {
  it('admits `requests` arrivals per window, then refuses until the oldest leaves the window', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) {
      expect(hit(l)).toMatchObject({ admitted: true, remaining: 4 - i });
      vi.advanceTimersByTime(10);
    }
    // t = 50: the window (950 ms with the tolerance) holds arrivals 0..40.
    expect(hit(l)).toEqual({ admitted: false, reason: 'rate', retryAfterMs: 900 });
    vi.advanceTimersByTime(899);
    expect(hit(l)).toMatchObject({ admitted: false, reason: 'rate', retryAfterMs: 1 });
    vi.advanceTimersByTime(1); // t = 950: the arrival at 0 has left
    expect(hit(l)).toMatchObject({ admitted: true, remaining: 0 });
    expect(l.stats()).toMatchObject({ requests: 8, rateLimited: 2, rateLimitedFor: { rate: 2, concurrency: 0 } });
  });

  it('does not count refused arrivals toward the admitted window', () => {
    const l = limiter({ requests: 2 });
    hit(l);
    hit(l);
    vi.advanceTimersByTime(500);
    expect(hit(l).admitted).toBe(false); // t = 500, refused
    vi.advanceTimersByTime(450); // t = 950: both admitted arrivals have left; the refused one does not hold a place
    expect(hit(l).admitted).toBe(true);
    expect(hit(l).admitted).toBe(true);
  });

  it('reports a client spaced at the limit as compliant', () => {
    const l = limiter({ requests: 5 });
    for (let i = 0; i < 40; i++) {
      expect(hit(l).admitted).toBe(true);
      vi.advanceTimersByTime(200);
    }
    expect(l.stats()).toMatchObject({ requests: 40, rateLimited: 0, maxArrivalsInWindow: 5, exceeded: false });
  });

  it('forgives arrival jitter up to the tolerance', () => {
    const l = limiter({ requests: 1, toleranceMs: 50 });
    expect(hit(l).admitted).toBe(true);
    vi.advanceTimersByTime(960); // a start 1000 ms later that arrived 40 ms early
    expect(hit(l).admitted).toBe(true);
    vi.advanceTimersByTime(900);
    expect(hit(l).admitted).toBe(false);
    expect(l.stats()).toMatchObject({ maxArrivalsInWindow: 2, exceeded: true });
  });
});

describe('SiteLimiter: exact measurement, tolerant enforcement', () => {
  it('measures arrivals on the exact announced window even when enforcement forgives them', () => {
    const l = limiter({ requests: 1, toleranceMs: 50 });
    expect(hit(l).admitted).toBe(true);
    vi.advanceTimersByTime(999); // 1 ms inside the announced window, 49 ms outside the enforced one
    expect(hit(l).admitted).toBe(true);
    expect(l.stats()).toMatchObject({ rateLimited: 0, maxArrivalsInWindow: 2, exceeded: true });
  });

  it('treats the window as half-open: an arrival exactly perMs later is in a new window', () => {
    const l = limiter({ requests: 1, toleranceMs: 0 });
    hit(l);
    vi.advanceTimersByTime(1000);
    expect(hit(l).admitted).toBe(true);
    expect(l.stats()).toMatchObject({ maxArrivalsInWindow: 1, exceeded: false });
  });

  it('never reports a client that keeps a margin on each window, and sees it use the whole window', () => {
    const l = limiter({ concurrency: 5, requests: 5, toleranceMs: 0 });
    for (let window = 0; window < 10; window++) {
      for (let i = 0; i < 5; i++) expect(hit(l).admitted).toBe(true);
      vi.advanceTimersByTime(1000 + 25);
    }
    expect(l.stats()).toMatchObject({ requests: 50, rateLimited: 0, maxArrivalsInWindow: 5, exceeded: false });
  });

  it('enforces lower real limits while measuring against the announced ones', () => {
    const l = new SiteLimiter({
      concurrency: 3, requests: 5, perMs: 1000,
      enforced: { concurrency: 1, requests: 2, perMs: 1000 },
      toleranceMs: 0,
      now: () => Date.now(),
    });
    expect(l.enforced).toEqual({ concurrency: 1, requests: 2, perMs: 1000 });
    expect(hit(l).admitted).toBe(true);
    expect(hit(l).admitted).toBe(true);
    expect(hit(l)).toMatchObject({ admitted: false, reason: 'rate', retryAfterMs: 1000 });
    vi.advanceTimersByTime(1000);
    const held = l.admit();
    expect(l.admit()).toMatchObject({ admitted: false, reason: 'concurrency' });
    if (held.admitted) held.release();
    // Refused for the real limits, yet within the announced ones: the client broke nothing it was told.
    expect(l.stats()).toMatchObject({ rateLimitedFor: { rate: 1, concurrency: 1 }, maxArrivalsInWindow: 3, maxConcurrency: 2, exceeded: false });
  });

  it('names a bad enforced limit', () => {
    expect(() => limiter({ enforced: { concurrency: 1, requests: 0, perMs: 1000 } })).toThrow('Expected `enforced.requests` to be an integer >= 1, got 0');
  });
});

describe('SiteLimiter: concurrency', () => {
  it('admits `concurrency` requests in flight and refuses the next until one is released', () => {
    const l = limiter({ concurrency: 2, requests: 100 });
    const first = l.admit();
    const second = l.admit();
    expect(first.admitted && second.admitted).toBe(true);
    expect(l.admit()).toEqual({ admitted: false, reason: 'concurrency', retryAfterMs: 1000 });
    expect(l.stats()).toMatchObject({ inFlight: 2, maxConcurrency: 3, exceeded: true, rateLimitedFor: { concurrency: 1, rate: 0 } });
    if (first.admitted) {
      first.release();
      first.release(); // idempotent: one slot freed, not two
    }
    expect(l.stats().inFlight).toBe(1);
    expect(l.admit().admitted).toBe(true);
    expect(l.admit().admitted).toBe(false);
  });

  it('does not count a refused request toward concurrency', () => {
    const l = limiter({ concurrency: 1, requests: 100 });
    const held = l.admit();
    expect(l.admit().admitted).toBe(false);
    expect(l.admit().admitted).toBe(false);
    expect(l.stats().inFlight).toBe(1);
    if (held.admitted) held.release();
    expect(l.stats().inFlight).toBe(0);
    expect(l.admit().admitted).toBe(true);
  });

  it('reports a client that keeps within concurrency as compliant', () => {
    const l = limiter({ concurrency: 2, requests: 100 });
    for (let i = 0; i < 10; i++) {
      const a = l.admit();
      const b = l.admit();
      if (a.admitted) a.release();
      if (b.admitted) b.release();
      vi.advanceTimersByTime(100);
    }
    expect(l.stats()).toMatchObject({ maxConcurrency: 2, exceeded: false, rateLimited: 0 });
  });
});

describe('SiteLimiter: reset and options', () => {
  it('reset zeroes the counters and the window but keeps requests in flight', () => {
    const l = limiter({ concurrency: 1, requests: 1 });
    const held = l.admit();
    l.admit();
    expect(l.stats().exceeded).toBe(true);
    l.reset();
    expect(l.stats()).toEqual({
      requests: 0,
      rateLimited: 0,
      rateLimitedFor: { concurrency: 0, rate: 0 },
      inFlight: 1,
      maxConcurrency: 0,
      maxArrivalsInWindow: 0,
      exceeded: false,
    });
    if (held.admitted) held.release();
    expect(l.admit().admitted).toBe(true); // the window was forgotten
  });

  it('defaults the tolerance to min(100 ms, perMs / 10)', () => {
    expect(new SiteLimiter({ concurrency: 1, requests: 1, perMs: 1000 }).toleranceMs).toBe(100);
    expect(new SiteLimiter({ concurrency: 1, requests: 1, perMs: 200 }).toleranceMs).toBe(20);
    expect(new SiteLimiter({ concurrency: 1, requests: 1, perMs: 60_000 }).toleranceMs).toBe(100);
  });

  it('names the bad option and the value it got', () => {
    expect(() => limiter({ concurrency: 0 })).toThrow('Expected `concurrency` to be an integer >= 1, got 0');
    expect(() => limiter({ requests: 1.5 })).toThrow('Expected `requests` to be an integer >= 1, got 1.5');
    expect(() => limiter({ perMs: Number.NaN })).toThrow('Expected `perMs` to be a finite number > 0, got NaN');
    expect(() => limiter({ toleranceMs: 1000 })).toThrow(/toleranceMs/);
  });
});
