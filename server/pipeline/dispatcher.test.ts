import { describe, expect, it } from 'vitest';
import type { SearchPriority } from '../../lib/types';
import { Dispatcher } from './dispatcher';
import type { SiteJob } from './site-job';

function job(searchId: string, siteId: string, priority: SearchPriority = 'interactive'): SiteJob {
  return {
    searchId,
    siteId,
    query: { name: searchId },
    answerKey: `${siteId}\u0000${searchId}`,
    priority,
    deadlineAt: Number.MAX_SAFE_INTEGER,
    abort: new AbortController(),
    attempts: 0,
  };
}

const ids = (jobs: readonly SiteJob[] | undefined) => (jobs ?? []).map((j) => `${j.searchId}@${j.siteId}`);

describe('Dispatcher demand accounting', () => {
  it('buffers jobs while there is no demand', () => {
    const dispatcher = new Dispatcher();
    expect(dispatcher.enqueue([job('a', 'x'), job('b', 'x')])).toEqual([]);
    expect(dispatcher.size).toBe(2);
    expect(dispatcher.sizeOf('x')).toBe(2);
  });

  it('hands out no more than the demand, and remembers unmet demand', () => {
    const dispatcher = new Dispatcher();
    dispatcher.enqueue([job('a', 'x'), job('b', 'x'), job('c', 'x')]);
    expect(ids(dispatcher.handleDemand('x', 2)?.jobs)).toEqual(['a@x', 'b@x']);
    expect(dispatcher.demandOf('x')).toBe(0);
    expect(ids(dispatcher.handleDemand('x', 3)?.jobs)).toEqual(['c@x']);
    expect(dispatcher.demandOf('x')).toBe(2);
    // Unmet demand is served the moment a job arrives: no polling needed.
    const deliveries = dispatcher.enqueue([job('d', 'x'), job('e', 'x'), job('f', 'x')]);
    expect(deliveries.map((d) => ids(d.jobs))).toEqual([['d@x', 'e@x']]);
    expect(dispatcher.demandOf('x')).toBe(0);
    expect(dispatcher.size).toBe(1);
  });

  it('keeps each site apart', () => {
    const dispatcher = new Dispatcher();
    dispatcher.handleDemand('x', 1);
    const deliveries = dispatcher.enqueue([job('a', 'x'), job('a', 'y')]);
    expect(deliveries).toHaveLength(1);
    expect(ids(deliveries[0]!.jobs)).toEqual(['a@x']);
    expect(dispatcher.sizeOf('y')).toBe(1);
  });

  it('refuses negative or fractional demand', () => {
    const dispatcher = new Dispatcher();
    expect(() => dispatcher.handleDemand('x', -1)).toThrow(/integer >= 0, got -1/);
    expect(() => dispatcher.handleDemand('x', 1.5)).toThrow(/got 1.5/);
  });
});

describe('Dispatcher fairness and priority', () => {
  it('serves searches round-robin within a site', () => {
    const dispatcher = new Dispatcher();
    // Search a has three jobs for x (e.g. retries and follow-ups), b and c one each.
    dispatcher.enqueue([job('a', 'x'), job('a', 'x'), job('a', 'x'), job('b', 'x'), job('c', 'x')]);
    expect(ids(dispatcher.handleDemand('x', 5)?.jobs)).toEqual(['a@x', 'b@x', 'c@x', 'a@x', 'a@x']);
  });

  it('serves interactive jobs before bulk ones queued earlier', () => {
    const dispatcher = new Dispatcher();
    const bulk = Array.from({ length: 500 }, (_, i) => job(`bulk${i}`, 'x', 'bulk'));
    dispatcher.enqueue(bulk);
    dispatcher.enqueue([job('live', 'x', 'interactive')]);
    expect(ids(dispatcher.handleDemand('x', 1)?.jobs)).toEqual(['live@x']);
    expect(ids(dispatcher.handleDemand('x', 1)?.jobs)).toEqual(['bulk0@x']);
  });

  it('puts a retried job ahead of its own search but not ahead of other searches', () => {
    const dispatcher = new Dispatcher();
    dispatcher.enqueue([job('a', 'x'), job('b', 'x')]);
    const retry = job('b', 'x');
    dispatcher.enqueue([retry], { front: true });
    const out = dispatcher.handleDemand('x', 3)!.jobs;
    expect(ids(out)).toEqual(['a@x', 'b@x', 'b@x']);
    expect(out[1]).toBe(retry);
  });

  it('drops a search everywhere on removeSearch', () => {
    const dispatcher = new Dispatcher();
    dispatcher.enqueue([job('a', 'x'), job('a', 'y', 'bulk'), job('b', 'x')]);
    expect(ids(dispatcher.removeSearch('a')).sort()).toEqual(['a@x', 'a@y']);
    expect(dispatcher.size).toBe(1);
    expect(ids(dispatcher.handleDemand('x', 5)?.jobs)).toEqual(['b@x']);
    expect(dispatcher.handleDemand('y', 1)).toBeUndefined();
  });
});
