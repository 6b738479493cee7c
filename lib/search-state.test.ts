import { describe, expect, it } from 'vitest';
import { applyEvent, eventLabel, summarize, toSearchState, type SearchState } from './search-state';
import type { SearchEvent, SiteResult } from './types';

const results: SiteResult[] = [
  { siteId: 'a.com', siteName: 'A', sandbox: true, status: 'pending', attempts: 0 },
  { siteId: 'b.com', siteName: 'B', sandbox: true, status: 'pending', attempts: 0 },
];
const search = {
  id: 'x'.repeat(22),
  query: { name: 'Blue Door' },
  priority: 'interactive' as const,
  status: 'running' as const,
  createdAt: 1000,
  deadlineAt: 6000,
  summary: summarize(results),
};
const empty: SearchState = toSearchState({ search, results: [], events: [] });

/** The state after a log, with the events as a plain array for comparison. */
function play(events: SearchEvent[]) {
  const state = events.reduce(applyEvent, empty);
  return { ...state, events: state.events.toArray() };
}

describe('applyEvent', () => {
  const log: SearchEvent[] = [
    { seq: 1, at: 1000, type: 'search:created', data: { search, results } },
    { seq: 2, at: 1001, type: 'site:scheduled', siteId: 'a.com' },
    { seq: 3, at: 1002, type: 'site:started', siteId: 'a.com', data: { attempt: 1 } },
    { seq: 4, at: 1300, type: 'site:done', siteId: 'a.com', data: { attempt: 1, outcome: 'found', score: 0.97, latencyMs: 298, listing: { name: 'Blue Door' } } },
    { seq: 5, at: 1301, type: 'site:failed', siteId: 'b.com', data: { attempt: 0, reason: 'deadline' } },
    { seq: 6, at: 1302, type: 'search:completed', data: {} },
  ];

  it('builds the whole state from the log', () => {
    const state = play(log);
    expect(state.results).toEqual([
      { ...results[0], status: 'done', outcome: 'found', attempts: 1, latencyMs: 298, listing: { name: 'Blue Door' }, fields: undefined, error: undefined },
      { ...results[1], status: 'failed', error: 'deadline' },
    ]);
    expect(state.search).toMatchObject({ status: 'completed', completedAt: 1302 });
    expect(state.search.summary).toMatchObject({ total: 2, found: 1, failed: 1, open: 0 });
  });

  it('ignores repeated and out-of-order events', () => {
    const replayed = [...log.slice(0, 4), log[2]!, log[3]!, ...log.slice(4)];
    expect(play(replayed)).toEqual(play(log));
    expect(play([log[0]!, log[2]!]).events).toHaveLength(1);
  });

  it('keeps a hedged job running on the same attempt, and logs the hedge', () => {
    const hedged: SearchEvent = { seq: 4, at: 1900, type: 'site:hedged', siteId: 'a.com', data: { attempt: 1, delayMs: 898 } };
    const before = log.slice(0, 3).reduce(applyEvent, empty);
    const after = applyEvent(before, hedged);
    expect(after.results).toBe(before.results);
    expect(after.results[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(after.events.last).toBe(hedged);
  });

  it('never changes a terminal result', () => {
    const late: SearchEvent = { seq: 7, at: 2000, type: 'site:started', siteId: 'a.com', data: { attempt: 2 } };
    expect(play([...log, late]).results[0]!.status).toBe('done');
  });
});

describe('eventLabel', () => {
  it('shows site events as site:type', () => {
    expect(eventLabel({ type: 'site:scheduled', siteId: 'brownbook.net' })).toBe('brownbook.net:scheduled');
    expect(eventLabel({ type: 'site:hedged', siteId: 'brownbook.net' })).toBe('brownbook.net:hedged');
    expect(eventLabel({ type: 'search:completed' })).toBe('search:completed');
  });
});
