import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler } from './local-scheduler';
import { conformanceJob } from './scheduler-conformance';
import type { SiteJob } from './site-job';

/** A scheduler over one site of concurrency 2 whose jobs run until the test ends them. */
function harness() {
  const running: { job: SiteJob; end: () => void }[] = [];
  const scheduler = new LocalScheduler({
    sites: [{ id: 'a.test', limits: { concurrency: 2, requests: 100, perMs: 1000 } }],
    logger: pino({ level: 'silent' }),
    hooks: {
      schedule: () => true,
      run: (job) => new Promise<void>((resolve) => running.push({ job, end: resolve })),
    },
  });
  return { scheduler, running };
}

describe('LocalScheduler.spareSlot (a hedge borrows a free slot)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lends only a free slot nobody waits for, counts it as in flight, and asks for it back on release', async () => {
    const { scheduler, running } = harness();
    scheduler.enqueue([conformanceJob('s1', 'a.test')]);
    await vi.advanceTimersByTimeAsync(1);
    expect(running).toHaveLength(1);

    const slot = scheduler.spareSlot('a.test');
    expect(slot).toBeDefined();
    expect(scheduler.siteStats('a.test')).toMatchObject({ inFlight: 2 });
    // Both slots taken: nothing more to lend, and a new job waits rather than exceed concurrency.
    expect(scheduler.spareSlot('a.test')).toBeUndefined();
    scheduler.enqueue([conformanceJob('s2', 'a.test')]);
    await vi.advanceTimersByTimeAsync(1);
    expect(running).toHaveLength(1);
    expect(scheduler.siteStats('a.test')).toMatchObject({ buffered: 1, inFlight: 2 });
    // A job waits: a slot freed now goes to it, never to a hedge.
    slot!.release();
    slot!.release();
    await vi.advanceTimersByTimeAsync(1);
    expect(running.map(({ job }) => job.searchId)).toEqual(['s1', 's2']);
    expect(scheduler.spareSlot('a.test')).toBeUndefined();
    expect(scheduler.siteStats('a.test')).toMatchObject({ buffered: 0, inFlight: 2 });

    for (const { end } of running) end();
    await vi.advanceTimersByTimeAsync(1);
    expect(scheduler.siteStats('a.test')).toMatchObject({ inFlight: 0 });
    expect(scheduler.spareSlot('a.test')).toBeDefined();
    scheduler.close();
  });

  it('lends nothing while the site is paused by push-back', async () => {
    const { scheduler } = harness();
    await vi.advanceTimersByTimeAsync(1);
    scheduler.limiter('a.test').pushBack(2_000);
    expect(scheduler.spareSlot('a.test')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2_001);
    expect(scheduler.spareSlot('a.test')).toBeDefined();
    scheduler.close();
  });

  it('lends nothing for a site it does not run', () => {
    const { scheduler } = harness();
    expect(scheduler.spareSlot('other.test')).toBeUndefined();
    scheduler.close();
  });
});
