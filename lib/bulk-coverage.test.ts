import { describe, expect, it } from 'vitest';
import { cellOf, coverageSites, coverageTotals } from './bulk-coverage';
import type { SiteResult } from './types';

const result = (siteId: string, overrides: Partial<SiteResult> = {}): SiteResult => ({
  siteId,
  siteName: siteId.toUpperCase(),
  sandbox: true,
  status: 'done',
  outcome: 'found',
  attempts: 1,
  ...overrides,
});

describe('bulk coverage', () => {
  it('shows each result as its cell: the outcome when done, the end otherwise, open while it runs', () => {
    expect(cellOf(result('a'))).toBe('found');
    expect(cellOf(result('a', { outcome: 'partial' }))).toBe('partial');
    expect(cellOf(result('a', { outcome: 'not_found' }))).toBe('not_found');
    expect(cellOf(result('a', { status: 'failed', outcome: undefined }))).toBe('failed');
    expect(cellOf(result('a', { status: 'skipped', outcome: undefined }))).toBe('skipped');
    expect(cellOf(result('a', { status: 'retrying', outcome: undefined }))).toBe('open');
    expect(cellOf(undefined)).toBe('open');
  });

  it('lists each site once, where a row first lists it', () => {
    const rows = [[result('yelp'), result('here')], [result('here'), result('osm')], []];
    expect(coverageSites(rows)).toEqual([
      { siteId: 'yelp', siteName: 'YELP' },
      { siteId: 'here', siteName: 'HERE' },
      { siteId: 'osm', siteName: 'OSM' },
    ]);
  });

  it('totals a site over the answers it gave: found and possible errors out of found, possible errors and not found', () => {
    const rows = [
      [result('yelp'), result('here', { status: 'failed', outcome: undefined })],
      [result('yelp', { outcome: 'partial' }), result('here', { outcome: 'not_found' })],
      [result('yelp', { outcome: 'not_found' })],
      [result('yelp', { status: 'running', outcome: undefined })],
    ];
    const totals = coverageTotals(rows, coverageSites(rows));
    expect(totals.get('yelp')).toEqual({ listed: 2, answered: 3, share: 2 / 3 });
    // A failure says nothing either way.
    expect(totals.get('here')).toEqual({ listed: 0, answered: 1, share: 0 });
    expect(coverageTotals([[result('osm', { status: 'running', outcome: undefined })]], [{ siteId: 'osm', siteName: 'OSM' }]).get('osm')).toEqual({
      listed: 0,
      answered: 0,
    });
  });
});
