/**
 * The cluster's scheduler: one BullMQ queue per site on Redis, a worker per site on every node,
 * and each site's limits kept for all nodes at once.
 *
 *   node A enqueue ──▶ Redis: queue site-<id> (interactive: wait list, bulk: prioritized) ──┐
 *                                                                                           ▼
 *   node A worker(site, concurrency c) ◀── pulls only with a free slot (GenStage's demand) ──┤
 *   node B worker(site, concurrency c) ◀── global concurrency c: at most c active, all nodes ┘
 *          │ schedule(job)? ──▶ run(job) ──▶ requester ──▶ limiter.acquire (sliding window of
 *          │                                               sends, on Redis's clock) ──▶ site
 *
 * Example: a site allows 2 in flight and 5 requests a second, and three nodes run it. Each node's
 * worker may hold 2 jobs, but the queue's global concurrency of 2 lets only 2 be active across
 * the cluster; each of those passes the site's shared send window before its request leaves, so
 * the site sees at most 5 requests in any second whichever nodes send them. Node B is killed
 * with a job active: its lock lapses after `lockDurationMs`, the next stalled check (every
 * `stalledIntervalMs`) puts the job back, and a survivor runs it.
 *
 * Invariants (besides those of `pipeline/scheduler.ts`):
 * - A job's data is plain JSON (`QueuedSiteJob`); the node that runs it revives it with the
 *   search's abort signal of that node (`revive`).
 * - Interactive jobs carry no priority (BullMQ's wait list is served before prioritized jobs),
 *   bulk ones priority 1; within each, first in first out.
 * - Waiting jobs of an ended search are removed from their queues; one that is already being
 *   offered is declined by `schedule` (the pipeline knows the search ended).
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SiteLimits } from '../sites/site-definition';
import type { EnqueueOptions, Scheduler, SchedulerHooks, SchedulerSiteStats, SiteRateFeedback } from '../pipeline/scheduler';
import type { SendGate } from '../pipeline/send-window';
import type { SiteJob } from '../pipeline/site-job';

/** A site job as it waits in a queue: everything but the node-local abort signal. */
export type QueuedSiteJob = Omit<SiteJob, 'abort'>;

/** What the scheduler needs of a site's shared limits keeper. */
export interface ClusterSiteLimiter extends SiteRateFeedback, SendGate {
  stats(): { readonly adaptiveLimitPerSec: number; readonly pausedUntil?: number };
  /** Sends in the site's current window, from every node. */
  windowUse(): Promise<{ readonly sent: number }>;
  close(): void;
}

/** Options of the cluster scheduler. */
export interface ClusterSchedulerOptions {
  readonly sites: readonly { readonly id: string; readonly limits: SiteLimits }[];
  readonly hooks: SchedulerHooks;
  /** A connection for commands; BullMQ makes its blocking ones from it. MUST have `maxRetriesPerRequest: null`. */
  readonly connection: Redis;
  /** The limits keeper of each site. */
  readonly limiters: ReadonlyMap<string, ClusterSiteLimiter>;
  /** Turns a queued job back into a job on this node (its search's abort signal here). */
  readonly revive: (queued: QueuedSiteJob) => SiteJob;
  /**
   * Whether a job a worker took is still wanted (its search running, the job open), asked of
   * Redis before the job is offered: a job of a search that ended while it waited is dropped.
   * Default: every job is.
   */
  readonly isWanted?: (queued: QueuedSiteJob) => Promise<boolean>;
  readonly logger: Logger;
  /** Prefix of every BullMQ key. Default `sitescan`. */
  readonly prefix?: string;
  /** This node's name on the jobs it runs. */
  readonly nodeId?: string;
  /**
   * How long a job's lock lasts without renewal, ms. A killed node's jobs are re-run about this
   * long after it died (plus up to one stalled check). Default 3,000 (BullMQ's own: 30,000).
   */
  readonly lockDurationMs?: number;
  /** How often workers look for jobs whose lock lapsed, ms. Default 1,000 (BullMQ's: 30,000). */
  readonly stalledIntervalMs?: number;
}

/** BullMQ job ids cannot hold `:`; search and site ids never hold `~`. */
function jobIdOf(job: QueuedSiteJob): string {
  return `${job.searchId}~${job.siteId}~${job.attempts}`;
}

/** Cached queue depths, refreshed on read at most every `COUNTS_MAX_AGE_MS`. */
const COUNTS_MAX_AGE_MS = 500;

interface SiteQueue {
  readonly limits: SiteLimits;
  readonly queue: Queue<QueuedSiteJob>;
  readonly worker: Worker<QueuedSiteJob>;
  readonly limiter: ClusterSiteLimiter;
  /** Jobs running on this node. */
  running: number;
  counts: { waiting: number; active: number; sentPerSec: number; at: number; refreshing: boolean };
}

/** BullMQ queues per site, shared limits per site: the scheduler of N nodes. */
export class ClusterScheduler implements Scheduler {
  private readonly sites = new Map<string, SiteQueue>();
  private readonly options: ClusterSchedulerOptions;
  private readonly logger: Logger;
  /** Job ids this node enqueued, by search, so `removeSearch` can take them out of the queues. */
  private readonly enqueued = new Map<string, Set<string>>();

  private constructor(options: ClusterSchedulerOptions) {
    this.options = options;
    this.logger = options.logger.child({ module: 'cluster-scheduler' });
  }

  /** Creates the queues and workers and sets each queue's global concurrency. */
  static async start(options: ClusterSchedulerOptions): Promise<ClusterScheduler> {
    const scheduler = new ClusterScheduler(options);
    await Promise.all(options.sites.map((site) => scheduler.startSite(site.id, site.limits)));
    return scheduler;
  }

  private async startSite(siteId: string, limits: SiteLimits): Promise<void> {
    const { connection, prefix = 'sitescan' } = this.options;
    const limiter = this.options.limiters.get(siteId);
    if (!limiter) throw new Error(`no limiter for site ${siteId}`);
    const name = `site-${siteId}`;
    const queue = new Queue<QueuedSiteJob>(name, { connection, prefix });
    await queue.setGlobalConcurrency(limits.concurrency);
    const site: SiteQueue = {
      limits,
      queue,
      limiter,
      running: 0,
      counts: { waiting: 0, active: 0, sentPerSec: 0, at: 0, refreshing: false },
      worker: new Worker<QueuedSiteJob>(name, (job) => this.process(site, job), {
        connection,
        prefix,
        name: this.options.nodeId,
        concurrency: limits.concurrency,
        lockDuration: this.options.lockDurationMs ?? 3_000,
        stalledInterval: this.options.stalledIntervalMs ?? 1_000,
        // A job whose node died is re-run; one that stalls again and again is a bug to see.
        maxStalledCount: 3,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 100 },
      }),
    };
    site.worker.on('error', (error) => this.logger.error({ err: error, siteId }, 'site worker error'));
    this.sites.set(siteId, site);
  }

  private async process(site: SiteQueue, job: Job<QueuedSiteJob>): Promise<void> {
    if (this.options.isWanted && !(await this.options.isWanted(job.data))) return;
    const siteJob = this.options.revive(job.data);
    if (!this.options.hooks.schedule(siteJob)) return;
    site.running++;
    try {
      await this.options.hooks.run(siteJob);
    } finally {
      site.running--;
    }
  }

  enqueue(jobs: readonly SiteJob[], options: EnqueueOptions = {}): void {
    this.add(jobs, options).catch((error: unknown) =>
      this.logger.error({ err: error, jobs: jobs.length }, 'jobs could not be queued'),
    );
  }

  /** Queues jobs and resolves once Redis holds them (a new search waits for this before it is answered). */
  async add(jobs: readonly SiteJob[], options: EnqueueOptions = {}): Promise<void> {
    const bySite = new Map<string, QueuedSiteJob[]>();
    for (const { abort: _abort, ...queued } of jobs) {
      const list = bySite.get(queued.siteId);
      if (list) list.push(queued);
      else bySite.set(queued.siteId, [queued]);
      let ids = this.enqueued.get(queued.searchId);
      if (!ids) this.enqueued.set(queued.searchId, (ids = new Set()));
      ids.add(`${queued.siteId}\u0000${jobIdOf(queued)}`);
    }
    await Promise.all(
      [...bySite].map(([siteId, queued]) => {
        const site = this.sites.get(siteId);
        if (!site) throw new Error(`no queue for site ${siteId}`);
        return site.queue.addBulk(
          queued.map((data) => ({
            name: 'site-job',
            data,
            opts: {
              jobId: jobIdOf(data),
              ...(data.priority === 'bulk' ? { priority: 1 } : {}),
              ...(options.delayMs ? { delay: options.delayMs } : {}),
            },
          })),
        );
      }),
    );
  }

  removeSearch(searchId: string): void {
    const ids = this.enqueued.get(searchId);
    this.enqueued.delete(searchId);
    for (const entry of ids ?? []) {
      const [siteId, jobId] = entry.split('\u0000') as [string, string];
      // A job that is active or already gone is not removed: the pipeline declines it.
      this.sites
        .get(siteId)
        ?.queue.remove(jobId)
        .catch((error: unknown) => this.logger.warn({ err: error, siteId, jobId }, 'job of an ended search not removed'));
    }
  }

  limiter(siteId: string): SiteRateFeedback {
    const site = this.sites.get(siteId);
    if (!site) throw new Error(`no queue for site ${siteId}`);
    return site.limiter;
  }

  sendGate(siteId: string): SendGate {
    const site = this.sites.get(siteId);
    if (!site) throw new Error(`no queue for site ${siteId}`);
    return site.limiter;
  }

  siteStats(siteId: string): SchedulerSiteStats | undefined {
    const site = this.sites.get(siteId);
    if (!site) return undefined;
    this.refreshCounts(site);
    return {
      buffered: site.counts.waiting,
      queued: 0,
      inFlight: site.counts.active,
      requestsPerSec: site.counts.sentPerSec,
      ...site.limiter.stats(),
    };
  }

  /** Refreshes a site's queue depths in the background when they are older than allowed. */
  private refreshCounts(site: SiteQueue): void {
    const { counts } = site;
    if (counts.refreshing || Date.now() - counts.at < COUNTS_MAX_AGE_MS) return;
    counts.refreshing = true;
    Promise.all([site.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'), site.limiter.windowUse()])
      .then(
        ([found, window]) => {
          counts.waiting = (found.waiting ?? 0) + (found.prioritized ?? 0) + (found.delayed ?? 0);
          counts.active = found.active ?? 0;
          counts.sentPerSec = (window.sent * 1000) / site.limits.perMs;
          counts.at = Date.now();
        },
        (error: unknown) => this.logger.warn({ err: error }, 'queue depths not read'),
      )
      .finally(() => {
        counts.refreshing = false;
      });
  }

  get bufferedJobs(): number {
    let total = 0;
    for (const site of this.sites.values()) {
      this.refreshCounts(site);
      total += site.counts.waiting;
    }
    return total;
  }

  async drain(): Promise<void> {
    // close() waits for the jobs running on this node and takes no new ones.
    await Promise.all([...this.sites.values()].map((site) => site.worker.close()));
  }

  close(): void {
    for (const site of this.sites.values()) {
      void site.worker.close(true);
      void site.queue.close();
    }
  }
}
