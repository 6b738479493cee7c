/**
 * The behaviour every Scheduler implementation must show, as one Vitest suite. An
 * implementation's test file calls `describeSchedulerConformance` with a factory; each case gets
 * a fresh scheduler over the sites it names, and hooks that record what happens:
 *
 *   makeScheduler(sites, hooks) ──► { scheduler, cleanup }
 *        case: enqueue jobs ──► hooks.schedule / hooks.run record (site, search, time) ──► assert
 *
 * Cases run on the real clock (a cluster's limits live on Redis's clock, which no fake timer
 * moves), with windows of a few hundred ms so the suite stays quick. Jobs are identified by
 * (searchId, siteId), never by object identity: a cluster hands a job to `run` on another node.
 *
 * Invariants the cases pin down (MUST):
 * - Running jobs per site never exceed `concurrency`; starts in any `perMs` window never exceed
 *   `requests`; every job enqueued runs, without waiting for anything but the limits.
 * - Interactive before bulk at every site; searches of one priority in arrival order
 *   (round-robin); a `front` job ahead of its search's others.
 * - A job declined by `schedule` frees its slot for the next one at once.
 * - `removeSearch` drops waiting and delayed jobs; `delayMs` holds a job at least that long.
 * - `limiter(site).pushBack(ms)` starts nothing at that site for `ms`, and `pausedUntil` says so.
 * - `drain()` starts nothing more and resolves once every running job has ended.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SearchPriority } from '../../lib/types';
import type { SiteLimits } from '../sites/site-definition';
import type { Scheduler, SchedulerHooks } from './scheduler';
import type { SiteJob } from './site-job';

/** A site the scheduler under test runs. */
export interface ConformanceSite {
  readonly id: string;
  readonly limits: SiteLimits;
}

/** A scheduler under test, and how to remove what it made. */
export interface SchedulerFixture {
  readonly scheduler: Scheduler;
  cleanup(): Promise<void>;
}

/** Makes a fresh scheduler over `sites` for each case. */
export type SchedulerFactory = (sites: readonly ConformanceSite[], hooks: SchedulerHooks) => Promise<SchedulerFixture>;

/** Added to measured windows: timers fire late on a loaded machine, never early. */
const SLACK_MS = 5;

/** A job of `searchId` for `siteId` after `attempts` attempts; its deadline is far away. */
export function conformanceJob(searchId: string, siteId: string, priority: SearchPriority = 'interactive', attempts = 0): SiteJob {
  return {
    searchId,
    siteId,
    query: { name: `Business ${searchId}` },
    answerKey: `${siteId}\u0000${searchId}`,
    priority,
    deadlineAt: Date.now() + 60_000,
    abort: new AbortController(),
    attempts,
  };
}

interface Run {
  readonly siteId: string;
  readonly searchId: string;
  readonly startedAt: number;
  endedAt?: number;
}

/**
 * Hooks that record every run, hold each for `workMs` and decline what `decline` says. A run
 * "sends" at once, through the scheduler's send gate when it has one (`bind` gives it the
 * scheduler), so `startedAt` is the send the site would count.
 */
function recordingHooks(options: { workMs?: number; decline?: (job: SiteJob) => boolean } = {}) {
  let scheduler: Scheduler | undefined;
  const runs: Run[] = [];
  const scheduled: string[] = [];
  const running = new Map<string, number>();
  const maxRunning = new Map<string, number>();
  let settle: () => void = () => {};
  let expected = Number.POSITIVE_INFINITY;
  const hooks: SchedulerHooks = {
    schedule: (job) => {
      scheduled.push(`${job.siteId}/${job.searchId}`);
      return !options.decline?.(job);
    },
    run: async (job) => {
      const permit = await scheduler?.sendGate?.(job.siteId).acquire(job.abort.signal);
      const run: Run = { siteId: job.siteId, searchId: job.searchId, startedAt: Date.now() };
      permit?.markSent(run.startedAt);
      runs.push(run);
      const now = (running.get(job.siteId) ?? 0) + 1;
      running.set(job.siteId, now);
      maxRunning.set(job.siteId, Math.max(now, maxRunning.get(job.siteId) ?? 0));
      await new Promise((resolve) => setTimeout(resolve, options.workMs ?? 0));
      running.set(job.siteId, running.get(job.siteId)! - 1);
      permit?.settle();
      run.endedAt = Date.now();
      if (runs.filter((r) => r.endedAt !== undefined).length >= expected) settle();
    },
  };
  /** Resolves once `count` runs have ended. */
  const ended = (count: number) =>
    new Promise<void>((resolve) => {
      expected = count;
      settle = resolve;
      if (runs.filter((r) => r.endedAt !== undefined).length >= count) resolve();
    });
  const order = (siteId: string) => runs.filter((r) => r.siteId === siteId).map((r) => r.searchId);
  const bind = (bound: Scheduler) => {
    scheduler = bound;
  };
  return { hooks, bind, runs, scheduled, maxRunning, ended, order };
}

/** The most starts of `runs` in any window of `windowMs`. */
function maxStartsInWindow(runs: readonly Run[], windowMs: number): number {
  const starts = runs.map((r) => r.startedAt).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the conformance suite for one Scheduler implementation. */
export function describeSchedulerConformance(name: string, makeScheduler: SchedulerFactory): void {
  describe(`Scheduler conformance: ${name}`, () => {
    let fixture: SchedulerFixture | undefined;
    const start = async (
      sites: readonly ConformanceSite[],
      recorder: { hooks: SchedulerHooks; bind: (scheduler: Scheduler) => void },
    ) => {
      fixture = await makeScheduler(sites, recorder.hooks);
      recorder.bind(fixture.scheduler);
      return fixture.scheduler;
    };
    afterEach(async () => {
      if (!fixture) return;
      await fixture.scheduler.drain();
      fixture.scheduler.close();
      await fixture.cleanup();
      fixture = undefined;
    });

    it('never runs more jobs of a site at once than its concurrency, and runs them all', async () => {
      const site = { id: 'narrow.test', limits: { concurrency: 2, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 40 });
      const scheduler = await start([site], recorder);
      scheduler.enqueue(Array.from({ length: 10 }, (_, i) => conformanceJob(`search-${i}`, site.id)));
      await recorder.ended(10);
      expect(recorder.maxRunning.get(site.id)).toBe(2);
      expect(new Set(recorder.runs.map((r) => r.searchId)).size).toBe(10);
    });

    it('never starts more jobs of a site in a window than its rate allows, and goes as fast as it allows', async () => {
      const site = { id: 'slow-rate.test', limits: { concurrency: 5, requests: 3, perMs: 300 } };
      const recorder = recordingHooks();
      const scheduler = await start([site], recorder);
      const startedAt = Date.now();
      scheduler.enqueue(Array.from({ length: 9 }, (_, i) => conformanceJob(`search-${i}`, site.id)));
      await recorder.ended(9);
      expect(maxStartsInWindow(recorder.runs, site.limits.perMs - SLACK_MS)).toBeLessThanOrEqual(3);
      // Three windows' worth: the last three start in the third window, not seconds later.
      expect(Date.now() - startedAt).toBeLessThan(site.limits.perMs * 6);
    });

    it('keeps each site to its own limits: a busy site does not hold back another', async () => {
      const busy = { id: 'busy.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const free = { id: 'free.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 150 });
      const scheduler = await start([busy, free], recorder);
      scheduler.enqueue([1, 2, 3].map((i) => conformanceJob(`search-${i}`, busy.id)));
      scheduler.enqueue([conformanceJob('search-9', free.id)]);
      await recorder.ended(4);
      const freeRun = recorder.runs.find((r) => r.siteId === free.id)!;
      const busyRuns = recorder.runs.filter((r) => r.siteId === busy.id);
      expect(freeRun.startedAt).toBeLessThan(busyRuns[1]!.startedAt);
    });

    it('offers interactive jobs before bulk ones, and searches in arrival order', async () => {
      const site = { id: 'one-slot.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 60 });
      const scheduler = await start([site], recorder);
      scheduler.enqueue([conformanceJob('first', site.id)]);
      await pause(20);
      scheduler.enqueue(['bulk-1', 'bulk-2', 'bulk-3'].map((id) => conformanceJob(id, site.id, 'bulk')));
      scheduler.enqueue(['live-1', 'live-2'].map((id) => conformanceJob(id, site.id)));
      await recorder.ended(6);
      expect(recorder.order(site.id)).toEqual(['first', 'live-1', 'live-2', 'bulk-1', 'bulk-2', 'bulk-3']);
    });

    it('gives the slot of a declined job to the next one at once', async () => {
      const site = { id: 'declining.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ decline: (job) => job.searchId.startsWith('ended') });
      const scheduler = await start([site], recorder);
      scheduler.enqueue(['ended-1', 'ended-2', 'live-1', 'ended-3', 'live-2'].map((id) => conformanceJob(id, site.id)));
      await recorder.ended(2);
      expect(recorder.order(site.id)).toEqual(['live-1', 'live-2']);
      expect(recorder.scheduled).toEqual(['ended-1', 'ended-2', 'live-1', 'ended-3', 'live-2'].map((id) => `${site.id}/${id}`));
    });

    it('drops the waiting and delayed jobs of a removed search', async () => {
      const site = { id: 'removal.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 80 });
      const scheduler = await start([site], recorder);
      scheduler.enqueue([conformanceJob('keep-1', site.id)]);
      scheduler.enqueue([conformanceJob('gone', site.id)]);
      scheduler.enqueue([conformanceJob('gone', site.id, 'interactive', 1)], { delayMs: 100, front: true });
      scheduler.enqueue([conformanceJob('keep-2', site.id)]);
      await expect.poll(() => scheduler.bufferedJobs).toBeGreaterThanOrEqual(2);
      scheduler.removeSearch('gone');
      await recorder.ended(2);
      await pause(150);
      expect(recorder.order(site.id)).toEqual(['keep-1', 'keep-2']);
      await expect.poll(() => scheduler.bufferedJobs).toBe(0);
    });

    it('holds a delayed job at least its delay, then offers it ahead of its search', async () => {
      const site = { id: 'delay.test', limits: { concurrency: 3, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks();
      const scheduler = await start([site], recorder);
      const enqueuedAt = Date.now();
      scheduler.enqueue([conformanceJob('retry', site.id)], { delayMs: 200, front: true });
      await recorder.ended(1);
      expect(recorder.runs[0]!.startedAt - enqueuedAt).toBeGreaterThanOrEqual(200 - SLACK_MS);
    });

    it('starts nothing at a site that pushed back until the time it gave', async () => {
      const site = { id: 'pushy.test', limits: { concurrency: 2, requests: 100, perMs: 1000 } };
      const other = { id: 'calm.test', limits: { concurrency: 2, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks();
      const scheduler = await start([site, other], recorder);
      const pushedAt = Date.now();
      scheduler.limiter(site.id).pushBack(300);
      // A cluster learns the pause through Redis: the figures may take a moment to show it.
      await expect.poll(() => scheduler.limiter(site.id).pausedUntil).toBeGreaterThanOrEqual(pushedAt + 300);
      await expect.poll(() => scheduler.siteStats(site.id)?.pausedUntil ?? 0).toBeGreaterThanOrEqual(pushedAt + 300);
      scheduler.enqueue([conformanceJob('waits', site.id), conformanceJob('goes', other.id)]);
      await recorder.ended(2);
      const waited = recorder.runs.find((r) => r.siteId === site.id)!;
      const went = recorder.runs.find((r) => r.siteId === other.id)!;
      expect(waited.startedAt - pushedAt).toBeGreaterThanOrEqual(300 - SLACK_MS);
      expect(went.startedAt - pushedAt).toBeLessThan(300);
    });

    it('reports buffered jobs per site and in all', async () => {
      const site = { id: 'stats.test', limits: { concurrency: 1, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 1_500 });
      const scheduler = await start([site], recorder);
      scheduler.enqueue([1, 2, 3, 4].map((i) => conformanceJob(`search-${i}`, site.id)));
      // Figures a cluster reads from Redis may lag a moment behind: poll them.
      await expect.poll(() => scheduler.bufferedJobs).toBe(3);
      await expect.poll(() => scheduler.siteStats(site.id)).toMatchObject({ buffered: 3, inFlight: 1 });
      expect(scheduler.siteStats('unknown.test')).toBeUndefined();
      for (let i = 2; i <= 4; i++) scheduler.removeSearch(`search-${i}`);
      await expect.poll(() => scheduler.bufferedJobs).toBe(0);
    });

    it('drains: starts nothing more and resolves once the running jobs have ended', async () => {
      const site = { id: 'drain.test', limits: { concurrency: 2, requests: 100, perMs: 1000 } };
      const recorder = recordingHooks({ workMs: 150 });
      const scheduler = await start([site], recorder);
      scheduler.enqueue([1, 2, 3, 4].map((i) => conformanceJob(`search-${i}`, site.id)));
      await pause(50);
      await scheduler.drain();
      expect(recorder.runs).toHaveLength(2);
      expect(recorder.runs.every((r) => r.endedAt !== undefined)).toBe(true);
      await pause(200);
      expect(recorder.runs).toHaveLength(2);
    });
  });
}
