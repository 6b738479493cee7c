import { describe, expect, it } from 'vitest';
import { changeClauses, compareScans, previousSiteResults, siteChange, SITE_CHANGES, type PreviousSiteResult } from './scan-changes';
import type { SiteResult } from './types';

const done = (siteId: string, outcome: SiteResult['outcome'], fields: SiteResult['fields'] = {}): SiteResult => ({
  siteId,
  siteName: siteId,
  sandbox: true,
  status: 'done',
  outcome,
  attempts: 1,
  fields,
});
const was = (outcome: PreviousSiteResult['outcome'], wrong: PreviousSiteResult['wrong'] = []): PreviousSiteResult => ({ siteId: 'x', outcome, wrong });

describe('siteChange', () => {
  it.each([
    ['found', 'found', 'same'],
    ['found', 'partial', 'worse'],
    ['found', 'not_found', 'lost'],
    ['partial', 'found', 'fixed'],
    ['partial', 'not_found', 'lost'],
    ['not_found', 'found', 'new'],
    ['not_found', 'partial', 'new'],
    ['not_found', 'not_found', 'same'],
  ] as const)('%s then %s is %s', (before, now, change) => {
    expect(siteChange(was(before), done('x', now))).toStrictEqual({ change, before });
  });

  it('tells a partial listing with other wrong fields from one with the same ones', () => {
    expect(siteChange(was('partial', ['phone']), done('x', 'partial', { name: 'match', phone: 'mismatch' })).change).toBe('same');
    expect(siteChange(was('partial', ['phone']), done('x', 'partial', { phone: 'match', address: 'missing' })).change).toBe('changed');
  });

  it('does not compare a site that did not answer in either scan, and waits for one still running', () => {
    expect(siteChange(undefined, done('x', 'found'))).toStrictEqual({ change: 'unknown' });
    expect(siteChange({ siteId: 'x', wrong: [] }, done('x', 'found'))).toStrictEqual({ change: 'unknown' });
    expect(siteChange(was('found'), { ...done('x', undefined), status: 'failed' })).toStrictEqual({ change: 'unknown', before: 'found' });
    expect(siteChange(was('found'), { ...done('x', undefined), status: 'running' })).toStrictEqual({ change: 'pending', before: 'found' });
  });
});

describe('compareScans', () => {
  it('gives every current site one change and counts them (the module example)', () => {
    const previous = previousSiteResults([
      done('yelp', 'found'),
      done('bbb', 'partial', { phone: 'mismatch' }),
      done('foursquare', 'not_found'),
      done('manta', 'found'),
      { ...done('citysearch', undefined), status: 'failed' },
    ]);
    const current = [done('yelp', 'found'), done('bbb', 'found'), done('foursquare', 'found'), done('manta', 'not_found'), done('citysearch', 'found'), done('newsite', 'found')];

    const changes = compareScans(previous, current);

    expect(Object.fromEntries([...changes.bySite].map(([site, { change }]) => [site, change]))).toStrictEqual({
      yelp: 'same',
      bbb: 'fixed',
      foursquare: 'new',
      manta: 'lost',
      citysearch: 'unknown',
      newsite: 'unknown',
    });
    expect(changes.counts).toStrictEqual({ fixed: 1, new: 1, lost: 1, worse: 0, changed: 0, same: 1, unknown: 2, pending: 0 });
    expect(SITE_CHANGES.reduce((sum, change) => sum + changes.counts[change], 0)).toBe(current.length);
    expect(changeClauses(changes.counts)).toStrictEqual(['1 listing fixed', '1 new', '1 lost']);
  });

  it('says so when no listing changed, and puts the noun on the first clause only', () => {
    const none = compareScans(previousSiteResults([done('yelp', 'found')]), [done('yelp', 'found')]);
    expect(changeClauses(none.counts)).toStrictEqual(['no listing changed']);
    const counts = { fixed: 0, new: 0, lost: 2, worse: 3, changed: 0, same: 0, unknown: 0, pending: 0 };
    expect(changeClauses(counts)).toStrictEqual(['2 listings lost', '3 with new errors']);
  });
});
