import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from './dispatcher';
import { RATE_MARGIN_MS, SiteConsumer } from './site-consumer';
import type { SiteJob } from './site-job';

function job(searchId: string): SiteJob {
  return {
    searchId,
    siteId: 'x',
    query: { name: searchId },
    answerKey: `x\u0000${searchId}`,
    priority: 'interactive',
    deadlineAt: Number.MAX_SAFE_INTEGER,
    abort: new AbortController(),
    attempts: 0,
  };
}

function harness(limits: { concurrency: number; requests: number; perMs: number }, workMs: number) {
  const dispatcher = new Dispatcher();
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let maxHeld = 0;
  let scheduled = 0;
  let consumer!: SiteConsumer;
  const hand = (jobs: readonly SiteJob[]) => {
    consumer.handleEvents(jobs);
    scheduled += jobs.length;
    const { queued, inFlight: running } = consumer.stats();
    maxHeld = Math.max(maxHeld, queued + running);
  };
  consumer = new SiteConsumer({
    siteId: 'x',
    limits,
    logger: pino({ level: 'silent' }),
    ask: (count) => {
      const delivery = dispatcher.handleDemand('x', count);
      if (delivery) hand(delivery.jobs);
    },
    run: async () => {
      starts.push(Date.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, workMs));
      inFlight--;
    },
  });
  consumer.start();
  const submit = (jobs: SiteJob[]) => {
    for (const delivery of dispatcher.enqueue(jobs)) hand(delivery.jobs);
  };
  const maxInWindow = (windowMs: number) =>
    Math.max(0, ...starts.map((start) => starts.filter((t) => t >= start && t < start + windowMs).length));
  return { dispatcher, consumer, starts, submit, maxInWindow, stats: () => ({ maxInFlight, maxHeld, scheduled }) };
}

describe('SiteConsumer limits', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never runs more than `concurrency` at once and keeps the rest in the dispatcher', async () => {
    const h = harness({ concurrency: 2, requests: 100, perMs: 1000 }, 100);
    h.submit(Array.from({ length: 10 }, (_, i) => job(`s${i}`)));
    expect(h.dispatcher.size).toBe(8);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.starts).toHaveLength(10);
    expect(h.stats().maxInFlight).toBe(2);
    expect(h.stats().maxHeld).toBeLessThanOrEqual(2);
    expect(h.dispatcher.size).toBe(0);
  });

  it('keeps every sliding window under `requests` and uses the rate it allows', async () => {
    const h = harness({ concurrency: 5, requests: 3, perMs: 1000 }, 10);
    h.submit(Array.from({ length: 12 }, (_, i) => job(`s${i}`)));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.starts).toHaveLength(12);
    // The site's window, with our margin on top: at most 3 starts in any 1000 + margin ms.
    expect(h.maxInWindow(1000 + RATE_MARGIN_MS)).toBe(3);
    // As fast as allowed: 12 jobs at 3 per window need 4 windows, the last starting after 3.
    expect(h.starts.at(-1)!).toBeLessThanOrEqual(3 * (1000 + RATE_MARGIN_MS) + 50);
  });

  it('asks for work the moment a slot frees, without polling', async () => {
    const h = harness({ concurrency: 1, requests: 100, perMs: 1000 }, 50);
    h.submit([job('a')]);
    await vi.advanceTimersByTimeAsync(60);
    expect(h.starts).toEqual([0]);
    // Idle, with demand outstanding: a new job starts at once.
    h.submit([job('b')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.starts).toEqual([0, 60]);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(2);
  });

  it('gives a slot back when a waiting job is aborted', async () => {
    const h = harness({ concurrency: 1, requests: 1, perMs: 1000 }, 10);
    const first = job('a');
    const second = job('b');
    const third = job('c');
    h.submit([first, second, third]);
    await vi.advanceTimersByTimeAsync(20);
    // second waits for the rate window inside p-queue; abort it.
    second.abort.abort(new Error('cancelled'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.starts).toHaveLength(2);
    expect(h.dispatcher.size).toBe(0);
  });

  it('keeps the slot of a running job whose search ended until its run returns', async () => {
    // The run ends 100 ms after it starts whatever happens, as a request being torn down would:
    // the site counts it until then, so the next job must not start before.
    const h = harness({ concurrency: 1, requests: 100, perMs: 1000 }, 100);
    const first = job('a');
    h.submit([first, job('b')]);
    await vi.advanceTimersByTimeAsync(10);
    first.abort.abort(new Error('deadline'));
    await vi.advanceTimersByTimeAsync(50);
    expect(h.starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(100);
    expect(h.starts).toHaveLength(2);
    expect(h.starts[1]).toBeGreaterThanOrEqual(100);
    expect(h.stats().maxInFlight).toBe(1);
  });
});

describe('SiteConsumer push-back (AIMD)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pauses until Retry-After, halves the kept rate, then paces starts at it', async () => {
    const h = harness({ concurrency: 4, requests: 10, perMs: 1000 }, 5);
    expect(h.consumer.stats().adaptiveLimitPerSec).toBe(10);
    h.consumer.pushBack(2_000);
    expect(h.consumer.stats()).toMatchObject({ adaptiveLimitPerSec: 5, pausedUntil: 2_000 });
    h.submit(Array.from({ length: 6 }, (_, i) => job(`s${i}`)));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    // At 5/s the starts are 200 ms apart, beginning when the pause ends.
    expect(h.starts.slice(0, 3)).toEqual([2_000, 2_200, 2_400]);
  });

  it('grows the kept rate back to the configured one on successes, never beyond', () => {
    const h = harness({ concurrency: 1, requests: 20, perMs: 1000 }, 5);
    h.consumer.pushBack(undefined);
    h.consumer.pushBack(undefined);
    expect(h.consumer.stats().adaptiveLimitPerSec).toBe(5);
    for (let i = 0; i < 15; i++) h.consumer.succeeded();
    expect(h.consumer.stats().adaptiveLimitPerSec).toBe(20);
    h.consumer.succeeded();
    expect(h.consumer.stats().adaptiveLimitPerSec).toBe(20);
  });

  it('never drops below the floor', () => {
    const h = harness({ concurrency: 1, requests: 20, perMs: 1000 }, 5);
    for (let i = 0; i < 50; i++) h.consumer.pushBack(undefined);
    expect(h.consumer.stats().adaptiveLimitPerSec).toBe(1);
  });
});
