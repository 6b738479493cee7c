/**
 * Shared by the pipeline's tests against the in-process sandbox network: the ten directories of
 * the original system, waiting for a search's end, and what every ended search's log must be.
 */
import { expect } from 'vitest';
import { isSearchEndEvent, isSiteEndEvent, isTerminalStatus, type SearchSnapshot } from '../../lib/types';
import type { TestSitescan } from '../test-support';

/** The ten directories of the original system. */
export const ORIGINAL_SITES = [
  'brownbook.net',
  'cataloxy.us',
  'cylex-usa.com',
  'elocal.com',
  'foursquare.com',
  'localstack.com',
  'showmelocal.com',
  'uscity.net',
  'yasabe.com',
  'yellowyello.com',
];

export const ended = (app: TestSitescan, id: string): Promise<SearchSnapshot> => app.services.searches.whenEnded(id);

export function expectWellFormed(snapshot: SearchSnapshot): void {
  const seqs = snapshot.events.map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(snapshot.events[0]!.type).toBe('search:created');
  expect(isSearchEndEvent(snapshot.events.at(-1)!)).toBe(true);
  for (const result of snapshot.results) {
    expect(isTerminalStatus(result.status)).toBe(true);
    const terminal = snapshot.events.filter(
      (e) => e.siteId === result.siteId && isSiteEndEvent(e),
    );
    expect(terminal, `${result.siteId} ends exactly once`).toHaveLength(1);
  }
}
