import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OverloadedError } from '../errors';
import { PendingDocs } from './elastic-pending-docs';
import {
  ElasticWriteBuffer,
  MAX_FLIGHTS,
  type BulkFlush,
  type ElasticWriteBufferOptions,
  type FlushContext,
  type FlushOutcome,
} from './elastic-write-buffer';
import { makeEvent, makeResult, makeSearch, searchId } from './store-conformance';

/** One call of the fake bulk function, settled by the test (or by an abort). */
interface BulkCall {
  readonly at: number;
  readonly flight: PendingDocs;
  readonly context: FlushContext;
  /** Lands the flight: every doc written, or as `outcome` says. */
  land(outcome?: Partial<FlushOutcome>): void;
  /** Fails the request as a whole. */
  fail(error?: Error): void;
}

/**
 * A bulk function that records its calls. With an `answer`, it answers each call at once;
 * without, calls stay in flight until the test settles them.
 */
function fakeBulk(answer?: (call: BulkCall) => void) {
  const calls: BulkCall[] = [];
  const bulk: BulkFlush = (flight, context) =>
    new Promise<FlushOutcome>((resolve, reject) => {
      const call: BulkCall = {
        at: Date.now(),
        flight,
        context,
        land: (outcome = {}) => resolve({ retry: new PendingDocs(), refused: [], ...outcome }),
        fail: (error = new Error('connect ECONNREFUSED 127.0.0.1:9200')) => reject(error),
      };
      context.signal.addEventListener('abort', () => reject(context.signal.reason));
      calls.push(call);
      answer?.(call);
    });
  return { bulk, calls };
}

/** The ids a call carried, by kind. */
function idsOf(call: BulkCall) {
  return {
    searches: [...call.flight.searches.keys()],
    results: [...call.flight.results.keys()],
    events: [...call.flight.events.keys()],
  };
}

const silent = pino({ level: 'silent' });
const id = searchId(1);

function makeBuffer(bulk: BulkFlush, options: Partial<ElasticWriteBufferOptions> = {}): ElasticWriteBuffer {
  return new ElasticWriteBuffer({
    bulk,
    maxBuffered: 1_000,
    flushMs: 100,
    flushDocs: 500,
    retryMinMs: 100,
    retryMaxMs: 1_000,
    closeTimeoutMs: 2_000,
    url: 'http://127.0.0.1:9200',
    logger: silent,
    ...options,
  });
}

/** What `act` threw (undefined when it did not). */
function thrownBy(act: () => void): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => makeEvent(id, from + i));

describe('ElasticWriteBuffer', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  describe('flushing', () => {
    it('flushes what waited flushMs in one call, and not before', async () => {
      const { bulk, calls } = fakeBulk((call) => call.land());
      const buffer = makeBuffer(bulk);
      buffer.write({ searches: [makeSearch(id)], events: events(1, 2) });

      await vi.advanceTimersByTimeAsync(99);
      expect(calls).toHaveLength(0);
      expect(buffer.bufferedDocs).toBe(3);

      await vi.advanceTimersByTimeAsync(1);
      expect(calls.map(idsOf)).toStrictEqual([{ searches: [id], results: [], events: [`${id}:1`, `${id}:2`] }]);
      expect(calls[0]!.context.closing).toBe(false);
      expect(buffer.bufferedDocs).toBe(0);
    });

    it('flushes at once when flushDocs are waiting', async () => {
      const { bulk, calls } = fakeBulk((call) => call.land());
      const buffer = makeBuffer(bulk, { flushMs: 60_000, flushDocs: 5 });
      buffer.write({ events: events(1, 4) });
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toHaveLength(0);

      buffer.write({ events: events(5, 5) });
      await vi.advanceTimersByTimeAsync(0);

      expect(calls).toHaveLength(1);
      expect(calls[0]!.flight.size).toBe(5);
      expect(calls[0]!.at).toBe(0);
    });

    it(`runs up to ${MAX_FLIGHTS} flushes at once; the rest waits for one of them to land`, async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { flushDocs: 1 });
      for (let seq = 1; seq <= MAX_FLIGHTS + 4; seq++) buffer.write({ events: [makeEvent(id, seq)] });
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toHaveLength(MAX_FLIGHTS);
      expect(buffer.bufferedDocs).toBe(MAX_FLIGHTS + 4);

      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(0);

      // The 4 waiting go out together in the flight that was freed.
      expect(calls).toHaveLength(MAX_FLIGHTS + 1);
      expect(idsOf(calls.at(-1)!).events).toStrictEqual([17, 18, 19, 20].map((seq) => `${id}:${seq}`));
    });

    it('keeps docs in the overlay until their flight has landed', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk);
      buffer.write({ searches: [makeSearch(id)], events: events(1, 1) });
      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toHaveLength(1);
      expect([...buffer.overlay().searches.keys()]).toStrictEqual([id]);
      expect([...buffer.overlay().events.keys()]).toStrictEqual([`${id}:1`]);

      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(0);

      expect(buffer.overlay().searches.size + buffer.overlay().events.size).toBe(0);
    });
  });

  describe('retrying', () => {
    it('merges a failed flush back and retries it after 100, 200, 400 … ms, capped at retryMaxMs', async () => {
      const { bulk, calls } = fakeBulk((call) => call.fail());
      const buffer = makeBuffer(bulk, { retryMinMs: 100, retryMaxMs: 1_000 });
      buffer.write({ events: events(1, 3) });

      await vi.advanceTimersByTimeAsync(100 + 100 + 200 + 400 + 800 + 1_000 + 1_000);

      const gaps = calls.slice(1).map((call, i) => call.at - calls[i]!.at);
      expect(gaps).toStrictEqual([100, 200, 400, 800, 1_000, 1_000]);
      expect(calls.every((call) => call.flight.size === 3)).toBe(true);
      expect(buffer.bufferedDocs).toBe(3);
      expect([...buffer.overlay().events.keys()]).toStrictEqual([1, 2, 3].map((seq) => `${id}:${seq}`));
      expect(buffer.failing).toBe(true);
      expect(buffer.failureSummary()).toMatch(
        /^writes to Elasticsearch at http:\/\/127\.0\.0\.1:9200 failing for 3\.5 s \(7 failed flushes, last error: Error: connect ECONNREFUSED 127\.0\.0\.1:9200\); next retry in 1000 ms$/,
      );
    });

    it('sends the rest once a retry lands, and reports writes taken again', async () => {
      let down = true;
      const { bulk, calls } = fakeBulk((call) => (down ? call.fail() : call.land()));
      const buffer = makeBuffer(bulk);
      buffer.write({ events: events(1, 2) });
      await vi.advanceTimersByTimeAsync(100);
      buffer.write({ events: events(3, 4) });

      down = false;
      await vi.advanceTimersByTimeAsync(100);

      expect(buffer.bufferedDocs).toBe(0);
      expect(buffer.failing).toBe(false);
      expect(buffer.failureSummary()).toBe('Elasticsearch takes writes');
      const sent = calls.slice(1).flatMap((call) => idsOf(call).events);
      expect(sent.sort()).toStrictEqual([1, 2, 3, 4].map((seq) => `${id}:${seq}`));
    });

    it('retries only the docs answered 429 or 5xx, naming why', async () => {
      const { bulk, calls } = fakeBulk((call) => {
        if (calls.length > 1) return call.land();
        const retry = new PendingDocs();
        retry.copyFrom(call.flight, 'event', `${id}:2`);
        call.land({ retry, retryReason: '429 es_rejected_execution_exception queue full' });
      });
      const buffer = makeBuffer(bulk);
      buffer.write({ events: events(1, 3) });
      await vi.advanceTimersByTimeAsync(100);
      expect(buffer.failureSummary()).toMatch(/last error: 429 es_rejected_execution_exception queue full/);

      await vi.advanceTimersByTimeAsync(100);

      expect(calls.map((call) => idsOf(call).events)).toStrictEqual([
        [1, 2, 3].map((seq) => `${id}:${seq}`),
        [`${id}:2`],
      ]);
      expect(buffer.bufferedDocs).toBe(0);
    });

    it('counts and logs a doc refused for itself, and never sends it again', async () => {
      const logged: { msg: string; id?: string; reason?: string }[] = [];
      const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line) as (typeof logged)[number]) });
      const { bulk, calls } = fakeBulk((call) =>
        call.land({ refused: [{ kind: 'event', id: `${id}:2`, reason: '400 document_parsing_exception bad field' }] }),
      );
      const buffer = makeBuffer(bulk, { logger });
      buffer.write({ events: events(1, 3) });

      await vi.advanceTimersByTimeAsync(60_000);

      expect(calls).toHaveLength(1);
      expect(buffer.refused).toBe(1);
      expect(buffer.bufferedDocs).toBe(0);
      expect(buffer.failing).toBe(false);
      expect(logged).toStrictEqual([
        expect.objectContaining({
          msg: 'elasticsearch refused a doc; it is not retried (a mapping or data bug)',
          id: `${id}:2`,
          reason: '400 document_parsing_exception bad field',
        }),
      ]);
    });
  });

  describe('one flight per doc', () => {
    it('holds a newer state back while an older one is in flight, then sends it', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { flushDocs: 1 });
      buffer.write({ searches: [makeSearch(id, { summary: { total: 1 } })] });
      await vi.advanceTimersByTimeAsync(0);
      buffer.write({ searches: [makeSearch(id, { summary: { total: 2 } })] });

      await vi.advanceTimersByTimeAsync(1_000);

      expect(calls).toHaveLength(1);
      expect(buffer.overlay().searches.get(id)?.summary.total).toBe(2);
      expect(buffer.bufferedDocs).toBe(2);

      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(0);

      expect(calls.map((call) => call.flight.searches.get(id)?.summary.total)).toStrictEqual([1, 2]);
    });

    it('never lets a failed older state overtake the newer one that waited', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { flushDocs: 1 });
      buffer.write({
        searches: [makeSearch(id, { summary: { total: 1 } })],
        results: [makeResult(id, 'alpha.example', { attempts: 1 })],
      });
      await vi.advanceTimersByTimeAsync(0);
      const position = calls[0]!.flight.results.get(`${id}:alpha.example`)!.position;
      buffer.write({
        searches: [makeSearch(id, { summary: { total: 2 } })],
        results: [makeResult(id, 'alpha.example', { attempts: 2 })],
      });

      calls[0]!.fail();
      await vi.advanceTimersByTimeAsync(100);
      calls[1]!.land();
      await vi.advanceTimersByTimeAsync(10_000);

      expect(calls).toHaveLength(2);
      expect(calls[1]!.flight.searches.get(id)?.summary.total).toBe(2);
      // The newer state, at the place the first write took.
      expect(calls[1]!.flight.results.get(`${id}:alpha.example`)).toStrictEqual({
        result: makeResult(id, 'alpha.example', { attempts: 2 }),
        position,
      });
      expect(buffer.bufferedDocs).toBe(0);
    });

    it('keeps the first version of an event: one sent again while it flies is not buffered', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { flushDocs: 1 });
      buffer.write({ events: [makeEvent(id, 1)] });
      await vi.advanceTimersByTimeAsync(0);

      buffer.write({ events: [makeEvent(id, 1, { type: 'site:failed' })] });

      expect(buffer.bufferedDocs).toBe(1);
      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls).toHaveLength(1);
    });
  });

  describe('bound', () => {
    it('refuses a whole batch past maxBuffered with OverloadedError, and drops nothing', async () => {
      const { bulk, calls } = fakeBulk((call) => call.fail());
      const buffer = makeBuffer(bulk, { maxBuffered: 10 });
      buffer.write({ events: events(1, 8) });
      // Writing again what is buffered adds nothing.
      buffer.write({ events: events(1, 8) });

      const refused = thrownBy(() => buffer.write({ events: events(9, 11) }));

      expect(refused).toBeInstanceOf(OverloadedError);
      expect((refused as Error).message).toMatch(/^Elasticsearch write buffer is full: 8 docs buffered \(limit 10, maxBuffered\), a batch of 3 more refused; Elasticsearch takes writes$/);
      expect((refused as OverloadedError).retryAfterMs).toBe(100);
      expect(buffer.bufferedDocs).toBe(8);
      expect([...buffer.overlay().events.keys()]).toStrictEqual(events(1, 8).map((event) => `${event.searchId}:${event.seq}`));

      // Two more fit.
      buffer.write({ events: events(9, 10) });
      expect(buffer.bufferedDocs).toBe(10);
      await vi.advanceTimersByTimeAsync(100);
      expect(calls[0]!.flight.size).toBe(10);
    });

    it('counts the docs of flushes in flight against the bound', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { maxBuffered: 4 });
      buffer.write({ events: events(1, 4) });
      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toHaveLength(1);

      expect(thrownBy(() => buffer.write({ events: events(5, 5) }))).toBeInstanceOf(OverloadedError);
      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(0);
      buffer.write({ events: events(5, 5) });
      expect(buffer.bufferedDocs).toBe(1);
    });

    it('while failing, asks the writer to come back when the next retry is due', async () => {
      const { bulk, calls } = fakeBulk((call) => call.fail());
      const buffer = makeBuffer(bulk, { maxBuffered: 4, retryMinMs: 800, retryMaxMs: 10_000 });
      buffer.write({ events: events(1, 4) });
      // Fails at 100 and, 800 ms later, at 900; the next retry is 1,600 ms after that, at 2,500.
      await vi.advanceTimersByTimeAsync(905);
      expect(calls).toHaveLength(2);

      const refused = thrownBy(() => buffer.write({ events: events(5, 5) }));

      expect(refused).toBeInstanceOf(OverloadedError);
      expect((refused as OverloadedError).retryAfterMs).toBe(2_500 - 905);
      expect((refused as Error).message).toMatch(/4 docs buffered \(limit 4, maxBuffered\), a batch of 1 more refused; writes to Elasticsearch .+ next retry in 1595 ms$/);
      expect(buffer.bufferedDocs).toBe(4);
    });
  });

  describe('landed', () => {
    it('resolves only once the flush carrying the batch succeeded, not when it is buffered or failed', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk);
      const batch = { searches: [makeSearch(id)], events: events(1, 2) };
      buffer.write(batch);
      let landed = false;
      void buffer.landed(batch).then(() => (landed = true));

      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toHaveLength(1);
      expect(landed).toBe(false);
      calls[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);
      expect(landed).toBe(false);

      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toHaveLength(2);
      // One doc answered 503 goes back for a retry: the batch is not all in yet.
      const retry = new PendingDocs();
      retry.copyFrom(calls[1]!.flight, 'event', `${id}:2`);
      calls[1]!.land({ retry, retryReason: '503' });
      await vi.advanceTimersByTimeAsync(0);
      expect(landed).toBe(false);

      // The second failure in a row: the retry comes after 200 ms.
      await vi.advanceTimersByTimeAsync(200);
      expect(calls).toHaveLength(3);
      calls[2]!.land();
      await vi.advanceTimersByTimeAsync(0);
      expect(landed).toBe(true);
    });

    it('waits for a newer state of a doc written since, and rejects what close() leaves unwritten', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { closeTimeoutMs: 500 });
      const first = { searches: [makeSearch(id)], events: events(1, 1) };
      buffer.write(first);
      await vi.advanceTimersByTimeAsync(100);
      buffer.write({ events: events(2, 2) });
      const second = buffer.landed({ events: events(2, 2) });
      const outcome = expect(second).rejects.toThrow(/closed with 1 docs of a batch unwritten/);
      let firstLanded = false;
      void buffer.landed(first).then(() => (firstLanded = true));
      calls[0]!.land();
      await vi.advanceTimersByTimeAsync(0);
      expect(firstLanded).toBe(true);

      for (const call of calls.slice(1)) call.fail();
      const closed = buffer.close().catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(1_000);
      for (const call of calls.slice(1)) call.fail();
      await vi.advanceTimersByTimeAsync(1_000);
      await closed;
      await outcome;
    });
  });

  describe('close', () => {
    it('flushes what is buffered at once, without waiting for a refresh', async () => {
      const { bulk, calls } = fakeBulk((call) => call.land());
      const buffer = makeBuffer(bulk, { flushMs: 60_000 });
      buffer.write({ events: events(1, 3) });

      await buffer.close();

      expect(calls).toHaveLength(1);
      expect(calls[0]!.context.closing).toBe(true);
      expect(buffer.isOpen).toBe(false);
      expect(() => buffer.write({ events: events(4, 4) })).toThrow(/is closed/);
    });

    it('keeps retrying within closeTimeoutMs, then rejects naming what was not written', async () => {
      const { bulk, calls } = fakeBulk((call) => call.fail());
      const buffer = makeBuffer(bulk, { closeTimeoutMs: 1_000, retryMinMs: 100, retryMaxMs: 1_000 });
      buffer.write({ searches: [makeSearch(id)], events: events(1, 2) });

      const closed = buffer.close();
      const outcome = expect(closed).rejects.toThrow(
        /^closed the Elasticsearch store with 3 docs not written after 1000 ms \(2 events, 0 results, 1 searches; e\.g\. .+\): writes to Elasticsearch at .+ failing for/,
      );
      await vi.advanceTimersByTimeAsync(1_000);
      await outcome;

      // At 0, then after 100, 200 and 400 ms of backoff, and a last try when the deadline cuts
      // the 800 ms backoff short.
      expect(calls.map((call) => call.at)).toStrictEqual([0, 100, 300, 700, 1_000]);
      expect(calls.every((call) => call.context.closing)).toBe(true);
    });

    it('aborts a flight still running at closeTimeoutMs, and names its docs', async () => {
      const { bulk, calls } = fakeBulk();
      const buffer = makeBuffer(bulk, { closeTimeoutMs: 300 });
      buffer.write({ events: events(1, 2) });

      const closed = buffer.close();
      const outcome = expect(closed).rejects.toThrow(/with 2 docs not written after 300 ms \(2 events, 0 results, 0 searches/);
      await vi.advanceTimersByTimeAsync(300);
      await outcome;

      expect(calls).toHaveLength(1);
      expect(calls[0]!.context.signal.aborted).toBe(true);
      expect(buffer.bufferedDocs).toBe(2);
      await expect(buffer.flush()).rejects.toThrow(/closed with 2 docs unwritten/);
    });

    it('returns the same promise when called again', () => {
      const buffer = makeBuffer(fakeBulk((call) => call.land()).bulk);
      expect(buffer.close()).toBe(buffer.close());
    });
  });

  describe('flush', () => {
    it('resolves once every doc has landed, through failures', async () => {
      let failures = 2;
      const { bulk } = fakeBulk((call) => (failures-- > 0 ? call.fail() : call.land()));
      const buffer = makeBuffer(bulk);
      buffer.write({ events: events(1, 3) });
      let flushed = false;
      void buffer.flush().then(() => (flushed = true));

      // Sent at once, then after 100 and 200 ms of backoff.
      await vi.advanceTimersByTimeAsync(299);
      expect(flushed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      expect(flushed).toBe(true);
      expect(buffer.bufferedDocs).toBe(0);
    });
  });
});
