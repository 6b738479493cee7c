import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { summarize } from '../../lib/search-state';
import type { Search, SiteResult } from '../../lib/types';
import { OverloadedError } from '../errors';
import type { Store, StoreBatch } from '../store/store';
import { EventLog, FLUSH_EVENTS, FLUSH_MS } from './event-log';

/**
 * A store collaborator that records the batches it takes and the time of every write, and
 * rejects the next writes when told to (with `new Error('store unavailable')` unless given).
 */
function recordingStore() {
  const batches: StoreBatch[] = [];
  const writesAt: number[] = [];
  let failNext = 0;
  let rejection = () => new Error('store unavailable');
  const store = {
    write: vi.fn(async (batch: StoreBatch) => {
      writesAt.push(Date.now());
      if (failNext > 0) {
        failNext--;
        throw rejection();
      }
      batches.push(batch);
    }),
  } as unknown as Store;
  const failTimes = (n: number, error?: () => Error) => {
    failNext = n;
    if (error) rejection = error;
  };
  return { store, batches, writesAt, failTimes };
}

/** A store whose writes stay in flight until the test takes or rejects each of them. */
function gatedStore() {
  const writes: { at: number; batch: StoreBatch; take: () => void; reject: (error: Error) => void }[] = [];
  const store = {
    write: (batch: StoreBatch) =>
      new Promise<void>((resolve, reject) => writes.push({ at: Date.now(), batch, take: resolve, reject })),
  } as unknown as Store;
  return { store, writes };
}

/** Every event seq the store took, per search, in the order it took them. */
function seqsTaken(batches: readonly StoreBatch[], searchId = 's1'): number[] {
  return batches.flatMap((b) => b.events!.filter((e) => e.searchId === searchId).map((e) => e.seq));
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
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    log.emit('s2', { type: 'site:scheduled', siteId: 'b.com' });
    log.emit('s1', { type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });
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
    for (let i = 0; i < 20; i++) log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
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
    for (let i = 1; i < FLUSH_EVENTS; i++) log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events).toHaveLength(FLUSH_EVENTS);
  });

  it('keeps what a failed write held and lands it, in order, once the store is back', async () => {
    const { store, batches, failTimes } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    failTimes(2);
    log.create(makeSearch('s1'), results);
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    log.emit('s1', { type: 'site:done', siteId: 'a.com', data: { attempt: 1, latencyMs: 100, outcome: 'found', score: 1 } });
    log.emit('s1', { type: 'search:completed', data: {} });
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
    log.emit('s1', { type: 'site:scheduled', siteId: 'b.com' });
    log.emit('s1', { type: 'site:failed', siteId: 'b.com', data: { attempt: 0, reason: 'deadline' } });
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    log.emit('s1', { type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(batches[1]).toMatchObject({ searches: [], results: [] });
    expect(batches[1]!.events).toHaveLength(4);
    log.emit('s1', { type: 'site:done', siteId: 'a.com', data: { attempt: 1, latencyMs: 100, outcome: 'not_found', score: 0 } });
    log.emit('s1', { type: 'search:completed', data: {} });
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
    log.emit('s1', { type: 'site:done', siteId: 'a.com', data: { attempt: 1, latencyMs: 100, outcome: 'found', score: 1 } });
    expect(before.results[0]!.status).toBe('pending');
    expect(before.events).toHaveLength(1);
    expect(before.search.summary.open).toBe(2);
    expect(log.snapshot('s1')!.results[0]!.status).toBe('done');
    expect(log.search('s1')!.summary).toMatchObject({ found: 1, open: 1 });
  });

  it('refuses events for searches it does not hold', () => {
    const { store } = recordingStore();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
    expect(log.emit('nope', { type: 'site:scheduled', siteId: 'a.com' })).toBeUndefined();
    expect(log.snapshot('nope')).toBeUndefined();
  });
  describe('a batch the store rejects', () => {
    it('is sent again after the retryAfterMs of an OverloadedError, in front of what came since', async () => {
      const { store, writes } = gatedStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      log.create(makeSearch('s1'), results);
      log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
      await vi.advanceTimersByTimeAsync(FLUSH_MS);
      expect(writes.map((w) => w.at)).toStrictEqual([FLUSH_MS]);
      // Emitted while the first write is in flight.
      log.emit('s1', { type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });
      log.emit('s1', { type: 'site:done', siteId: 'a.com', data: { attempt: 1, latencyMs: 100, outcome: 'found', score: 1 } });

      writes[0]!.reject(new OverloadedError('Elasticsearch write buffer is full', 800));
      await vi.advanceTimersByTimeAsync(799);
      expect(writes).toHaveLength(1);
      expect(log.backlog).toBe(5);

      await vi.advanceTimersByTimeAsync(1);
      expect(writes.map((w) => w.at)).toStrictEqual([FLUSH_MS, FLUSH_MS + 800]);
      expect(writes[1]!.batch.events!.map((e) => e.seq)).toStrictEqual([1, 2, 3, 4]);
      expect(writes[1]!.batch.searches).toStrictEqual([expect.objectContaining({ id: 's1' })]);
      writes[1]!.take();
      await vi.advanceTimersByTimeAsync(0);
      expect(log.backlog).toBe(0);
    });

    it('waits the store\'s delay even when FLUSH_EVENTS are waiting', async () => {
      const { store, batches, writesAt, failTimes } = recordingStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      failTimes(1, () => new OverloadedError('full', 1_000));
      log.create(makeSearch('s1'), results);
      await vi.advanceTimersByTimeAsync(FLUSH_MS);

      for (let i = 0; i < FLUSH_EVENTS + 100; i++) log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
      await vi.advanceTimersByTimeAsync(999);
      expect(writesAt).toHaveLength(1);

      await vi.advanceTimersByTimeAsync(1);
      expect(writesAt).toHaveLength(2);
      expect(seqsTaken(batches)).toStrictEqual(Array.from({ length: FLUSH_EVENTS + 101 }, (_, i) => i + 1));
    });

    it('is sent again one FLUSH_MS later when the store did not say, with no backoff of its own', async () => {
      const { store, batches, writesAt, failTimes } = recordingStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      failTimes(5);
      log.create(makeSearch('s1'), results);
      for (let step = 1; step <= 6; step++) {
        log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
        await vi.advanceTimersByTimeAsync(FLUSH_MS);
      }

      expect(writesAt).toStrictEqual([1, 2, 3, 4, 5, 6].map((n) => n * FLUSH_MS));
      expect(seqsTaken(batches)).toStrictEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(log.backlog).toBe(0);
    });

    it('keeps a newer state of a search, emitted while the write was in flight, over the rejected one', async () => {
      const { store, writes } = gatedStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      log.create(makeSearch('s1'), results);
      log.create(makeSearch('s2'), results);
      await vi.advanceTimersByTimeAsync(FLUSH_MS);
      log.emit('s1', { type: 'search:cancelled', data: {} });

      writes[0]!.reject(new OverloadedError('full', 100));
      await vi.advanceTimersByTimeAsync(100);

      expect(writes).toHaveLength(2);
      // s1 keeps its place in front of s2, in its newer state.
      expect(writes[1]!.batch.searches!.map((s) => [s.id, s.status])).toStrictEqual([
        ['s1', 'cancelled'],
        ['s2', 'running'],
      ]);
      expect(writes[1]!.batch.results!.map((r) => r.searchId)).toStrictEqual(['s1', 's1']);
      expect(writes[1]!.batch.events!.map((e) => [e.searchId, e.seq])).toStrictEqual([
        ['s1', 1],
        ['s2', 1],
        ['s1', 2],
      ]);
    });

    it('holds flush() until the store takes it, after the delay the store asked for', async () => {
      const { store, batches, writesAt, failTimes } = recordingStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      failTimes(2, () => new OverloadedError('full', 300));
      log.create(makeSearch('s1'), results);
      let flushed = false;
      void log.flush().then(() => (flushed = true));

      await vi.advanceTimersByTimeAsync(599);
      expect(flushed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      expect(flushed).toBe(true);
      expect(writesAt).toStrictEqual([0, 300, 600]);
      expect(seqsTaken(batches)).toStrictEqual([1]);
    });

    it('makes flush(timeoutMs) give up naming what the store did not take, and keeps it', async () => {
      const { store, failTimes } = recordingStore();
      const log = new EventLog({ store, logger: pino({ level: 'silent' }) });
      failTimes(Number.POSITIVE_INFINITY, () => new OverloadedError('full', 300));
      log.create(makeSearch('s1'), results);
      log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });

      const flushed = log.flush(1_000);
      const outcome = expect(flushed).rejects.toThrow('store did not take 2 events, 0 results and 1 searches within 1000 ms');
      await vi.advanceTimersByTimeAsync(1_000);
      await outcome;

      expect(log.backlog).toBe(3);
    });
  });
});

/** A journal collaborator that records what it was given, and fails when told to. */
function recordingJournal() {
  const appended: string[] = [];
  const released: number[] = [];
  let failing = false;
  const journal = {
    append: vi.fn((events: readonly { searchId: string; seq: number }[]) => {
      if (failing) throw new Error('ENOSPC: no space left on device');
      appended.push(...events.map((e) => `${e.searchId}#${e.seq}`));
    }),
    release: vi.fn((position: number) => void released.push(position)),
    close: vi.fn(),
  };
  return { journal, appended, released, fail: (on: boolean) => (failing = on) };
}

describe('EventLog with a journal (write before push)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("tells listeners a tick's events only once the journal holds them, in one write", async () => {
    const { store } = recordingStore();
    const { journal, appended } = recordingJournal();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }), journal });
    const heard: string[] = [];
    log.onEvent((searchId, event) => heard.push(`${searchId}#${event.seq}(journal has ${appended.length})`));
    log.create(makeSearch('s1'), results);
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    expect(heard).toEqual([]);
    await vi.advanceTimersToNextTimerAsync();
    expect(journal.append).toHaveBeenCalledTimes(1);
    expect(heard).toEqual(['s1#1(journal has 2)', 's1#2(journal has 2)']);
  });

  it('puts what a read returns in the journal first', () => {
    const { store } = recordingStore();
    const { journal, appended } = recordingJournal();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }), journal });
    const heard: number[] = [];
    log.onEvent((_, event) => heard.push(event.seq));
    log.create(makeSearch('s1'), results);
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    expect(log.snapshot('s1')!.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(appended).toEqual(['s1#1', 's1#2']);
    expect(heard).toEqual([1, 2]);
  });

  it('shows nothing while the journal cannot write, and everything in order once it can', async () => {
    const { store } = recordingStore();
    const { journal, appended, fail } = recordingJournal();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }), journal });
    const heard: number[] = [];
    log.onEvent((_, event) => heard.push(event.seq));
    fail(true);
    log.create(makeSearch('s1'), results);
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 3);
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 3);
    expect(heard).toEqual([]);
    fail(false);
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 2);
    expect(appended).toEqual(['s1#1', 's1#2']);
    expect(heard).toEqual([1, 2]);
  });

  it('lets the journal forget only what the store took, counting in emit order', async () => {
    const { store, failTimes } = recordingStore();
    const { journal, released } = recordingJournal();
    const log = new EventLog({ store, logger: pino({ level: 'silent' }), journal });
    failTimes(1);
    log.create(makeSearch('s1'), results);
    log.emit('s1', { type: 'site:scheduled', siteId: 'a.com' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS + 1);
    expect(released).toEqual([]);
    log.emit('s1', { type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 4);
    expect(released.at(-1)).toBe(3);
    await log.close();
    expect(journal.close).toHaveBeenCalledTimes(1);
  });

  it('with a store that confirms durability later, releases only then', async () => {
    const { store } = recordingStore();
    const { journal, released } = recordingJournal();
    let confirm!: () => void;
    (store as { durable?: () => Promise<void> }).durable = () => new Promise<void>((resolve) => (confirm = resolve));
    const log = new EventLog({ store, logger: pino({ level: 'silent' }), journal });
    log.create(makeSearch('s1'), results);
    await vi.advanceTimersByTimeAsync(FLUSH_MS + 1);
    expect(released).toEqual([]);
    confirm();
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual([1]);
  });
});
