/**
 * The scheduler seam: where site jobs wait, and when each may run under its site's limits.
 *
 *   pipeline ──enqueue(jobs)──▶ [ scheduler ] ──schedule(job)? ──▶ run(job) ──▶ site
 *                                │   ▲                 │
 *                                │   └── a slot frees ─┘  (demand: nothing polls)
 *                                └── limiter(siteId): push-back, pause, adaptive rate
 *
 * One process fills it with the dispatcher and one p-queue per site (`local-scheduler.ts`); the
 * cluster fills it with a queue per site on Redis. Both pass one conformance suite
 * (`scheduler-conformance.ts`), as the two stores do theirs.
 *
 * Example: a site allows 2 in flight and 5 requests a second; a search enqueues one job for it
 * and 4 more searches follow. The scheduler offers the first 2 jobs (`schedule`), which the
 * pipeline takes; their `run` starts at once. The other 3 wait in the scheduler until a `run`
 * resolves; then the next job of the next search (round-robin) is offered, and it starts when
 * the site's window has room.
 *
 * Invariants (every implementation):
 * - Jobs running for a site (plus slots lent by `spareSlot`) MUST NOT exceed its `concurrency`,
 *   and requests in any window of `perMs` MUST NOT exceed its `requests` (at the adaptive rate
 *   after push-back), hedges included. One process spaces the starts (p-queue) and each site's requester its sends; a scheduler that admits the
 *   sends itself, across nodes, offers its gate as `sendGate` and the requesters use it.
 * - A job is offered only when its site has a free slot; a slot frees when `run` resolves or
 *   `schedule` declines the job. Nothing polls.
 * - Within a site, interactive jobs MUST be offered before bulk ones, and searches of one
 *   priority round-robin, so one big batch never starves a live search.
 * - After `removeSearch`, none of that search's waiting jobs (retries waiting out a delay
 *   included) is offered again.
 * - `limiter(siteId).pushBack` pauses the site until the time given, on every node that runs it.
 */
import type { SendGate } from './send-window';
import type { SiteJob } from './site-job';

/** What a scheduler calls back into the pipeline. */
export interface SchedulerHooks {
  /**
   * A job reached a free slot of its site. Returns true to take it (the pipeline records
   * `site:scheduled`; `run` follows when the site's rate allows), false to decline it (the job
   * ended meanwhile, or the pipeline ended it here: circuit open, site paused past its deadline);
   * a declined job's slot goes to the next one at once.
   */
  schedule(job: SiteJob): boolean;
  /** Runs one attempt of a taken job. Resolves when the attempt ends; MUST NOT reject. */
  run(job: SiteJob): Promise<void>;
}

/** Options of `Scheduler.enqueue`. */
export interface EnqueueOptions {
  /** Ahead of the search's other waiting jobs (a retry keeps its place). Default false. */
  readonly front?: boolean;
  /** Offer the jobs only after this long (a retry's backoff), ms. Default 0. */
  readonly delayMs?: number;
}

/** What a site said of its limits, fed back to whatever keeps them. */
export interface SiteRateFeedback {
  /** Pushed back (429, 503 + Retry-After): pause for `retryAfterMs` (one window when unsaid), slow down. */
  pushBack(retryAfterMs: number | undefined): void;
  /** The site says its window is spent (`RateLimit-Remaining: 0`): pause for `resetMs`. */
  windowExhausted(resetMs: number): void;
  /** An attempt succeeded: the kept rate grows back towards the configured one. */
  succeeded(): void;
  /** Until when (ms since epoch) the site asked to be left alone; in the past when it did not. */
  readonly pausedUntil: number;
}

/** A site's concurrency slot lent to one optional request; give it back once, when it ends. */
export interface SpareSlot {
  release(): void;
}

/** A scheduler's live figures of one site. */
export interface SchedulerSiteStats {
  /** Jobs waiting for a slot. */
  readonly buffered: number;
  /** Jobs holding a slot, waiting for the rate window. */
  readonly queued: number;
  /** Jobs running. */
  readonly inFlight: number;
  /** The rate kept now after push-back, per second. */
  readonly adaptiveLimitPerSec: number;
  /** Paused by the site until this time (ms since epoch), while in the future. */
  readonly pausedUntil?: number;
  /**
   * Requests per second the site receives from every node, when the scheduler counts them
   * itself (a cluster); otherwise the site's requester counts this process's.
   */
  readonly requestsPerSec?: number;
}

/** Holds site jobs and runs each when its site's limits allow. */
export interface Scheduler {
  /** Queues jobs; each is offered to `schedule` when its site has a free slot. */
  enqueue(jobs: readonly SiteJob[], options?: EnqueueOptions): void;
  /** Drops a search's waiting jobs, delayed ones included (cancel, deadline, shutdown). */
  removeSearch(searchId: string): void;
  /** The limits keeper of one site, for feedback from its answers. */
  limiter(siteId: string): SiteRateFeedback;
  /**
   * The gate a site's requests pass when the scheduler keeps the rate on sends itself (the
   * cluster, on Redis's clock). Absent: each requester keeps a send window of its own.
   */
  sendGate?(siteId: string): SendGate;
  /**
   * A free concurrency slot of the site for one optional request (a hedge): only when no job
   * waits for the site and it is not paused. Undefined when there is none. Absent: this
   * scheduler lends none (a cluster), and no optional request is sent.
   */
  spareSlot?(siteId: string): SpareSlot | undefined;
  /** Live figures of one site; undefined for a site this scheduler does not run. */
  siteStats(siteId: string): SchedulerSiteStats | undefined;
  /** Jobs waiting for a slot, all sites. */
  readonly bufferedJobs: number;
  /** Shutdown, first step: offers and starts nothing more; resolves when every `run` has ended. */
  drain(): Promise<void>;
  /** Stops every timer. */
  close(): void;
}

/**
 * Shutdown's first step for any scheduler: drains it, but waits at most `drainMs`; resolves
 * either way (what is still running is then ended by its lifecycle).
 */
export async function drainWithin(scheduler: Scheduler, drainMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, drainMs);
  });
  try {
    await Promise.race([scheduler.drain(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
