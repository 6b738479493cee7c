import { describe, expect, it } from 'vitest';
import { estimateRemainingMs, napAccuracy } from './search-metrics';
import type { SiteResult } from './types';

const result = (fields?: SiteResult['fields']): SiteResult => ({
  siteId: 'a.com',
  siteName: 'A',
  sandbox: true,
  status: 'done',
  attempts: 1,
  ...(fields ? { outcome: 'partial', listing: { name: 'Blue Door' }, fields } : { outcome: 'not_found' }),
});

describe('napAccuracy', () => {
  it('is the share of matching field verdicts over the listings found', () => {
    const accuracy = napAccuracy([
      result({ name: 'match', phone: 'match' }),
      result({ name: 'match', phone: 'match' }),
      result({ name: 'match', phone: 'mismatch' }),
      result(),
    ]);
    expect(accuracy).toEqual({ matched: 5, compared: 6, listings: 3, score: 5 / 6 });
  });

  it('counts a missing field against the score and has none before any listing', () => {
    expect(napAccuracy([result({ name: 'match', address: 'missing' })]).score).toBe(0.5);
    expect(napAccuracy([result()]).score).toBeUndefined();
  });
});

describe('estimateRemainingMs', () => {
  it('divides the open jobs by the live rate', () => {
    // 4 of 10 answered in 2 s → 2 per s → 6 open take 3 s.
    expect(estimateRemainingMs({ total: 10, open: 6, startedAt: 0, now: 2000 })).toBe(3000);
  });

  it('never runs past the deadline, and knows only the deadline before any answer', () => {
    expect(estimateRemainingMs({ total: 10, open: 6, startedAt: 0, now: 2000, deadlineAt: 4000 })).toBe(2000);
    expect(estimateRemainingMs({ total: 10, open: 10, startedAt: 0, now: 1000, deadlineAt: 5000 })).toBe(4000);
    expect(estimateRemainingMs({ total: 10, open: 10, startedAt: 0, now: 1000 })).toBeUndefined();
    expect(estimateRemainingMs({ total: 10, open: 0, startedAt: 0, now: 1000 })).toBe(0);
  });
});
