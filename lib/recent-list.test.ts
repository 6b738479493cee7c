import { describe, expect, it } from 'vitest';
import type { SearchListItem } from './types';
import { mergeRecent } from './recent-list';

function item(id: string, createdAt: number, open: number, status: SearchListItem['status'] = 'running'): SearchListItem {
  return {
    id,
    query: { name: id },
    status,
    createdAt,
    summary: { total: 10, found: 10 - open, partial: 0, notFound: 0, failed: 0, skipped: 0, cancelled: 0, open },
  };
}

describe('mergeRecent', () => {
  it('puts a new search on top and keeps at most `limit`, newest first', () => {
    const current = [item('B', 2, 0, 'completed'), item('A', 1, 0, 'completed')];
    const merged = mergeRecent(current, [item('C', 3, 10)], 2);
    expect(merged.map((line) => line.id)).toEqual(['C', 'B']);
  });

  it('replaces a line with a copy further along, never with an older one', () => {
    const current = [item('A', 1, 12)];
    expect(mergeRecent(current, [item('A', 1, 20)], 8)[0]!.summary.open).toBe(12);
    expect(mergeRecent(current, [item('A', 1, 5)], 8)[0]!.summary.open).toBe(5);
    const ended = mergeRecent(current, [item('A', 1, 3, 'cancelled')], 8);
    expect(ended[0]!.status).toBe('cancelled');
    // A running copy read before the end never brings it back, even with fewer open.
    expect(mergeRecent(ended, [item('A', 1, 0)], 8)[0]!.status).toBe('cancelled');
  });

  it('lists each search once and returns the same list when nothing came', () => {
    const current = [item('A', 1, 4)];
    expect(mergeRecent(current, [], 8)).toBe(current);
    expect(mergeRecent(current, [item('A', 1, 4), item('A', 1, 2)], 8)).toEqual([item('A', 1, 2)]);
  });
});
