import { describe, expect, it } from 'vitest';
import { inView, resultsInView, viewCounts } from './result-views';
import type { SiteResult } from './types';

const site = (siteId: string, status: SiteResult['status'], outcome?: SiteResult['outcome']): SiteResult => ({
  siteId,
  siteName: siteId,
  sandbox: true,
  status,
  attempts: 1,
  ...(outcome ? { outcome } : {}),
});

const RESULTS = [
  site('a-found', 'done', 'found'),
  site('b-missing', 'done', 'not_found'),
  site('c-running', 'running'),
  site('d-wrong', 'done', 'partial'),
  site('e-failed', 'failed'),
  site('f-missing', 'done', 'not_found'),
  site('g-skipped', 'skipped'),
];

describe('result views', () => {
  it('puts what needs attention first: possible errors, not found, failed; then the rest; found last; stable within a group', () => {
    expect(resultsInView(RESULTS, 'all', true).map((r) => r.siteId)).toEqual([
      'd-wrong',
      'b-missing',
      'f-missing',
      'e-failed',
      'c-running',
      'g-skipped',
      'a-found',
    ]);
    expect(resultsInView(RESULTS, 'all', false)).toEqual(RESULTS);
  });

  it('filters by view, and counts each view', () => {
    expect(resultsInView(RESULTS, 'attention', false).map((r) => r.siteId)).toEqual(['b-missing', 'd-wrong', 'e-failed', 'f-missing']);
    expect(resultsInView(RESULTS, 'not_found', true).map((r) => r.siteId)).toEqual(['b-missing', 'f-missing']);
    expect(inView(site('x', 'running'), 'found')).toBe(false);
    expect(viewCounts(RESULTS)).toEqual({ attention: 4, partial: 1, not_found: 2, failed: 1, found: 1, all: 7 });
  });
});
