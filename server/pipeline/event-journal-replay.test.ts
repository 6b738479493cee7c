import { describe, expect, it } from 'vitest';
import { summarize } from '../../lib/search-state';
import type { Search, SearchEvent, SearchSnapshot, SiteResult } from '../../lib/types';
import type { StoredEvent } from '../store/store';
import { replayPlan } from './event-journal-replay';

const results: SiteResult[] = [{ siteId: 'a.com', siteName: 'A', sandbox: true, status: 'pending', attempts: 0 }];
const search: Search = { id: 'S', query: { name: 'X' }, priority: 'interactive', status: 'running', createdAt: 0, deadlineAt: 5000, summary: summarize(results) };

const log: SearchEvent[] = [
  { seq: 1, at: 10, type: 'search:created', data: { search, results } },
  { seq: 2, at: 11, type: 'site:scheduled', siteId: 'a.com' },
  { seq: 3, at: 12, type: 'site:started', siteId: 'a.com', data: { attempt: 1 } },
  { seq: 4, at: 20, type: 'site:done', siteId: 'a.com', data: { found: false, listings: [] } },
  { seq: 5, at: 21, type: 'search:completed' },
] as SearchEvent[];
const journaled = (from: number, to: number): StoredEvent[] => log.slice(from - 1, to).map((event) => ({ ...event, searchId: 'S' }));
const storedUpTo = (seq: number): SearchSnapshot => ({ search, results, events: log.slice(0, seq) });

describe('replayPlan', () => {
  it('carries what the store lacks, with the finished search row and result rows it leads to', () => {
    const plan = replayPlan(journaled(2, 5), storedUpTo(3));
    expect('batch' in plan && plan.events).toBe(2);
    if (!('batch' in plan)) return;
    expect(plan.batch.events!.map((e) => e.seq)).toEqual([4, 5]);
    expect(plan.batch.events![0]).toEqual({ ...log[3], searchId: 'S' });
    expect(plan.batch.searches).toEqual([expect.objectContaining({ id: 'S', status: 'completed', completedAt: 21 })]);
    expect(plan.batch.results).toEqual([expect.objectContaining({ searchId: 'S', siteId: 'a.com', status: 'done' })]);
  });

  it('rebuilds a search the store never got from its creation event', () => {
    const plan = replayPlan(journaled(1, 3), undefined);
    if (!('batch' in plan)) throw new Error(plan.skip);
    expect(plan.batch.events!.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(plan.batch.searches![0]!.status).toBe('running');
    expect(plan.batch.results).toEqual([]);
  });

  it('writes nothing when the store has it all, and ignores repeats', () => {
    expect(replayPlan([...journaled(1, 5), ...journaled(4, 5)], storedUpTo(5))).toEqual({ batch: {}, events: 0 });
  });

  it('leaves a search whose stored log went another way as the store has it', () => {
    const other = { ...journaled(3, 3)[0]!, type: 'site:failed', at: 99 } as StoredEvent;
    const plan = replayPlan([...journaled(1, 2), other, ...journaled(4, 5)], storedUpTo(3));
    expect(plan).toEqual({ skip: expect.stringMatching(/seq 3 .* went on elsewhere/) });
  });

  it('never writes past a hole', () => {
    expect(replayPlan(journaled(5, 5), storedUpTo(3))).toEqual({ skip: expect.stringMatching(/lacks seq 4/) });
    expect(replayPlan(journaled(2, 3), undefined)).toEqual({ skip: expect.stringMatching(/lacks seq 1/) });
  });
});
