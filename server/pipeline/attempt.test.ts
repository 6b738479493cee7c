import { describe, expect, it } from 'vitest';
import { SiteRateLimitedError, SiteTimeoutError, TransientSiteError, UnrecoverableSiteError } from '../errors';
import { BACKOFF_BASE_MS, MIN_ATTEMPT_MS, planRetry } from './attempt';

const base = { retries: 2, now: 1_000, deadlineAt: 60_000, random: () => 0.5 };

describe('planRetry', () => {
  it('retries timeouts, network errors and 5xx with growing backoff', () => {
    const first = planRetry(new SiteTimeoutError('x', 4000), { ...base, attempts: 1 });
    const second = planRetry(new TransientSiteError('x', 'answered 502'), { ...base, attempts: 2 });
    expect(first).toMatchObject({ retry: true, rateLimited: false });
    expect(second).toMatchObject({ retry: true });
    if (!first.retry || !second.retry) throw new Error('expected retries');
    expect(first.delayMs).toBe(BACKOFF_BASE_MS * 0.75);
    expect(second.delayMs).toBe(BACKOFF_BASE_MS * 2 * 0.75);
  });

  it('gives up when the retries are used', () => {
    const decision = planRetry(new SiteTimeoutError('x', 4000), { ...base, attempts: 3 });
    expect(decision).toEqual({ retry: false, reason: 'timeout after 4000 ms; no retries left' });
  });

  it('never retries an unrecoverable answer', () => {
    const decision = planRetry(new UnrecoverableSiteError('x', 'answered 404'), { ...base, attempts: 1 });
    expect(decision).toEqual({ retry: false, reason: 'x: answered 404' });
  });

  it('waits at least as long as Retry-After says', () => {
    const decision = planRetry(new SiteRateLimitedError('x', 429, 2_000), { ...base, attempts: 1 });
    expect(decision).toMatchObject({ retry: true, delayMs: 2_000, rateLimited: true });
  });

  it('plans no retry that cannot start before the deadline', () => {
    const decision = planRetry(new SiteRateLimitedError('x', 429, 2_000), {
      ...base,
      attempts: 1,
      deadlineAt: base.now + 2_000 + MIN_ATTEMPT_MS - 1,
    });
    expect(decision).toEqual({ retry: false, reason: 'rate limited (429); no time left for a retry' });
  });
});
