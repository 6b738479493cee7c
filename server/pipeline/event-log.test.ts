import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { summarize } from '../../lib/search-state';
import type { Search, SiteResult } from '../../lib/types';
import type { Store, StoreBatch } from '../store/store';
import { EventLog, FLUSH_EVENTS, FLUSH_MS } from './event-log';

/** A store collaborator that records batches and fails when told to. */
function recordingStore() {
  const batches: StoreBatch[] = [];
  let failNext = 0;
  const store = {
    write: vi.fn(async (batch: StoreBatch) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('store unavailable');
      }
      batches.push(batch);
    }),
  } as unknown as Store;
  return { store, batches, failTimes: (n: number) => (failNext = n) };
}

const results: SiteResult[] = [
  { siteId: 'a.com', siteName: 'A', sandbox: true, status: 'pending', attempts: 0 },
  { siteId: 'b.com', siteName: 'B', sandbox: true, status: 'pending', attempts: 0 },
];
function makeSearch(id: string): Search {
  return { id, query: { name: 'X' }, priority: 'interactive', status: 'running', createdAt: 0, deadlineAt: 5000, summary: summarize(results) };
}

describe('EventLog', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('numbers each search apart, 1, 2, 3 … and tells listeners synchronously in order', () => {
    const { store } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    const heard: string[] = [];
    log.onEvent((searchId, event) => heard.push(`${searchId}#${event.seq}:${event.type}`));
    log.create(makeSearch('s1'), results);
    log.create(makeSearch('s2'), results);
    log.emit('s1', 'site:scheduled', 'a.com');
    log.emit('s2', 'site:scheduled', 'b.com');
    log.emit('s1', 'site:started', 'a.com', { attempt: 1 });
    expect(heard).toEqual([
      's1#1:search:created',
      's2#1:search:created',
      's1#2:site:scheduled',
      's2#2:site:scheduled',
      's1#3:site:started',
    ]);
    expect(log.snapshot('s1')!.results[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(log.eventsAfter('s1', 1)!.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('writes in batches, not per event', async () => {
    const { store, batches } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    log.create(makeSearch('s1'), results);
    for (let i = 0; i < 20; i++) log.emit('s1', 'site:scheduled', 'a.com');
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events).toHaveLength(21);
    expect(batches[0]!.searches).toHaveLength(1);
    // Result rows wait for the end of the search; the log has everything meanwhile.
    expect(batches[0]!.results).toEqual([]);
  });

  it('writes at once when FLUSH_EVENTS are waiting', async () => {
    const { store, batches } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    log.create(makeSearch('s1'), results);
    for (let i = 1; i < FLUSH_EVENTS; i++) log.emit('s1', 'site:scheduled', 'a.com');
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events).toHaveLength(FLUSH_EVENTS);
  });

  it('keeps what a failed write held and lands it, in order, once the store is back', async () => {
    const { store, batches, failTimes } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    failTimes(2);
    log.create(makeSearch('s1'), results);
    log.emit('s1', 'site:scheduled', 'a.com');
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    log.emit('s1', 'site:done', 'a.com', { attempt: 1, outcome: 'found' });
    log.emit('s1', 'search:completed');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(log.backlog).toBe(0);
    const seqs = batches.flatMap((b) => b.events!.map((e) => e.seq));
    expect(seqs).toEqual([1, 2, 3, 4]);
    const lastA = batches.flatMap((b) => b.results!).filter((r) => r.siteId === 'a.com').at(-1);
    expect(lastA).toMatchObject({ status: 'done', outcome: 'found' });
  });

  it('writes the search row at birth and at the end, result rows once at the end in site order, events always', async () => {
    const { store, batches } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    log.create(makeSearch('s1'), results);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(batches[0]).toMatchObject({ searches: [expect.objectContaining({ id: 's1', status: 'running' })], results: [] });
    log.emit('s1', 'site:scheduled', 'b.com');
    log.emit('s1', 'site:failed', 'b.com', { reason: 'deadline' });
    log.emit('s1', 'site:scheduled', 'a.com');
    log.emit('s1', 'site:started', 'a.com', { attempt: 1 });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(batches[1]).toMatchObject({ searches: [], results: [] });
    expect(batches[1]!.events).toHaveLength(4);
    log.emit('s1', 'site:done', 'a.com', { attempt: 1, outcome: 'not_found' });
    log.emit('s1', 'search:completed');
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    // In the search's site order, not the order the sites ended in: a store keeps first-write order.
    expect(batches[2]!.results!.map((r) => [r.siteId, r.status])).toEqual([
      ['a.com', 'done'],
      ['b.com', 'failed'],
    ]);
    expect(batches[2]!.searches).toEqual([expect.objectContaining({ id: 's1', status: 'completed', summary: expect.objectContaining({ notFound: 1, failed: 1, open: 0 }) })]);
  });

  it('answers reads with copies that later events do not change', () => {
    const { store } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    log.create(makeSearch('s1'), results);
    const before = log.snapshot('s1')!;
    log.emit('s1', 'site:done', 'a.com', { attempt: 1, outcome: 'found' });
    expect(before.results[0]!.status).toBe('pending');
    expect(before.events).toHaveLength(1);
    expect(before.search.summary.open).toBe(2);
    expect(log.snapshot('s1')!.results[0]!.status).toBe('done');
    expect(log.search('s1')!.summary).toMatchObject({ found: 1, open: 1 });
  });

  it('refuses events for searches it does not hold', () => {
    const { store } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    expect(log.emit('nope', 'site:done', 'a.com')).toBeUndefined();
    expect(log.snapshot('nope')).toBeUndefined();
  });
});
