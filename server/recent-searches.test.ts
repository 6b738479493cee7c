import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Search, SearchEvent, SearchListItem, SiteResult } from '../lib/types';
import { RecentSearches, type RecentSearchesOptions } from './recent-searches';

const SITES = ['a.test', 'b.test', 'c.test'];

/** A new search of three sites and its `search:created` event. */
function created(id: string, createdAt = Date.now()): SearchEvent {
  const results: SiteResult[] = SITES.map((siteId) => ({ siteId, siteName: siteId, sandbox: true, status: 'pending', attempts: 0 }));
  const search: Search = {
    id,
    query: { name: `Business ${id}` },
    priority: 'interactive',
    status: 'running',
    createdAt,
    deadlineAt: createdAt + 5_000,
    summary: { total: 3, found: 0, partial: 0, notFound: 0, failed: 0, skipped: 0, cancelled: 0, open: 3 },
  };
  return { seq: 1, at: createdAt, type: 'search:created', data: { search, results } };
}

const done = (siteId: string, seq: number): SearchEvent => ({
  seq,
  at: Date.now(),
  type: 'site:done',
  siteId,
  data: { attempt: 1, latencyMs: 10, outcome: 'found', score: 1 },
});
const started = (siteId: string, seq: number): SearchEvent => ({ seq, at: Date.now(), type: 'site:started', siteId, data: { attempt: 1 } });
const completed = (seq: number): SearchEvent => ({ seq, at: Date.now(), type: 'search:completed', data: {} });

let pushes: { list: string; items: readonly SearchListItem[] }[];

function tracker(options: Partial<RecentSearchesOptions> = {}): RecentSearches {
  return new RecentSearches({ push: (list, items) => pushes.push({ list, items }), ...options });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  pushes = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RecentSearches: what is pushed', () => {
  it('pushes a placed search at the next timer turn, then its line as it runs and ends', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    expect(pushes).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ list: 'L', items: [{ id: 'S1', status: 'running', summary: { open: 3, found: 0 } }] });

    recent.observe('S1', done('a.test', 2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pushes[1]!.items).toMatchObject([{ id: 'S1', status: 'running', summary: { open: 2, found: 1 } }]);

    recent.observe('S1', done('b.test', 3));
    recent.observe('S1', done('c.test', 4));
    recent.observe('S1', completed(5));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pushes).toHaveLength(3);
    expect(pushes[2]!.items).toMatchObject([{ id: 'S1', status: 'completed', summary: { open: 0, found: 3 } }]);
    expect(pushes[2]!.items[0]!.completedAt).toBeTypeOf('number');
    // Its end pushed, nothing about it is held any more.
    expect(recent.held).toBe(0);
  });

  it('coalesces: many changes within the interval make one push with the line as it is then', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    await vi.advanceTimersByTimeAsync(0);
    recent.observe('S1', done('a.test', 2));
    await vi.advanceTimersByTimeAsync(300);
    recent.observe('S1', done('b.test', 3));
    await vi.advanceTimersByTimeAsync(300);
    expect(pushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(pushes).toHaveLength(2);
    expect(pushes[1]!.items).toMatchObject([{ id: 'S1', summary: { open: 1, found: 2 } }]);
  });

  it('pushes nothing for an event that changes no count (a site starting)', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    await vi.advanceTimersByTimeAsync(0);
    recent.observe('S1', started('a.test', 2));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pushes).toHaveLength(1);
  });

  it('pushes a line only to its own list; a search not placed is never pushed', async () => {
    const recent = tracker();
    recent.observe('ANA', created('ANA'));
    recent.observe('BO', created('BO'));
    recent.observe('NOBODY', created('NOBODY'));
    recent.place('ANA', 'recent:ana');
    recent.place('BO', 'recent:bo');
    recent.forget('NOBODY');
    recent.observe('NOBODY', done('a.test', 2));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pushes.map(({ list, items }) => [list, items.map((item) => item.id)])).toEqual([
      ['recent:ana', ['ANA']],
      ['recent:bo', ['BO']],
    ]);
  });

  it('a line observed before it was placed is pushed as it is when placed', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.observe('S1', done('a.test', 2));
    recent.observe('S1', done('b.test', 3));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(pushes).toEqual([]);
    recent.place('S1', 'L');
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes[0]!.items).toMatchObject([{ id: 'S1', summary: { open: 1, found: 2 } }]);
  });

  it('takes a placement or a forget told before the search was observed', async () => {
    const recent = tracker();
    recent.place('ANA', 'recent:ana');
    recent.forget('NOBODY');
    recent.observe('NOBODY', created('NOBODY'));
    recent.observe('ANA', created('ANA'));
    expect(recent.held).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes).toMatchObject([{ list: 'recent:ana', items: [{ id: 'ANA' }] }]);
  });

  it('takes a final state read elsewhere (a cluster node that did not hear every event)', async () => {
    const recent = tracker();
    const event = created('S1');
    recent.observe('S1', event);
    recent.place('S1', 'L');
    await vi.advanceTimersByTimeAsync(0);
    const search = event.type === 'search:created' ? event.data.search : undefined;
    recent.ended({ ...search!, status: 'completed', completedAt: Date.now(), summary: { ...search!.summary, notFound: 3, open: 0 } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pushes[1]!.items).toMatchObject([{ id: 'S1', status: 'completed', summary: { notFound: 3, open: 0 } }]);
    expect(recent.held).toBe(0);
    // Later events of an ended line change nothing.
    recent.observe('S1', done('a.test', 9));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pushes).toHaveLength(2);
  });
});

describe('RecentSearches: what it costs', () => {
  it('keeps only the newest `limit` of a list live; a burst of searches makes at most one push a second', async () => {
    const recent = tracker({ limit: 3 });
    for (let i = 0; i < 50; i++) {
      const id = `S${String(i).padStart(2, '0')}`;
      recent.observe(id, created(id, Date.now() + i));
      recent.place(id, 'L');
    }
    expect(recent.held).toBe(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.items.map((item) => item.id)).toEqual(['S49', 'S48', 'S47']);
    // Events of searches that fell out of the newest 3 cost nothing and are never pushed.
    recent.observe('S10', done('a.test', 2));
    recent.observe('S49', done('a.test', 2));
    await vi.advanceTimersByTimeAsync(999);
    expect(pushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pushes[1]!.items.map((item) => item.id)).toEqual(['S49']);
  });

  it('never pushes twice to a list within the interval, even after its lines have all ended', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    recent.observe('S1', completed(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes).toHaveLength(1);
    expect(recent.held).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    recent.observe('S2', created('S2'));
    recent.place('S2', 'L');
    await vi.advanceTimersByTimeAsync(799);
    expect(pushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pushes[1]!.items.map((item) => item.id)).toEqual(['S2']);
  });

  it('forgets a list once its lines have ended and its interval has passed', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    recent.observe('S1', completed(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(recent.listCount).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recent.listCount).toBe(0);
    expect(pushes).toHaveLength(1);
  });

  it('holds at most `maxUnplaced` searches that were never placed', () => {
    const recent = tracker({ maxUnplaced: 2 });
    for (const id of ['S1', 'S2', 'S3']) recent.observe(id, created(id));
    expect(recent.held).toBe(2);
    // The oldest went; placing it now does nothing.
    recent.place('S1', 'L');
    expect(recent.listCount).toBe(0);
  });

  it('close stops every pending push', async () => {
    const recent = tracker();
    recent.observe('S1', created('S1'));
    recent.place('S1', 'L');
    recent.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pushes).toEqual([]);
  });

  it('refuses bad options with what it expected', () => {
    expect(() => tracker({ limit: 0 })).toThrow('Expected `limit` to be an integer >= 1, got 0');
    expect(() => tracker({ intervalMs: -1 })).toThrow('Expected `intervalMs` to be a number from 0 to 60000, got -1');
    expect(() => tracker({ maxUnplaced: 1.5 })).toThrow('Expected `maxUnplaced` to be an integer >= 1, got 1.5');
  });
});
