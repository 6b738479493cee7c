/**
 * One node of a cluster: the same search life as the one-process pipeline, with the search's
 * state in Redis (`cluster-search-log.ts`), its jobs in BullMQ queues (`cluster-scheduler.ts`)
 * and each site's limits shared by every node (`redis-site-limiter.ts`), so any node creates,
 * runs, cancels and ends any search, and a search outlives the node that created it.
 *
 *   POST on node A ─▶ create (Redis) ─▶ jobs ─▶ site queues ─▶ worker on A, B or C ─▶ runner
 *                  └─▶ deadline job (BullMQ, delayed) ─▶ any node, at the deadline ─▶ end (Redis)
 *   every end ─▶ search-ended ─▶ every node: aborts what it runs for that search, forgets it
 *
 * Example: node A creates search S over 12 sites and dies 800 ms later, while B and C run 5 of
 * S's jobs and 7 wait in their queues. Nothing of S lived only on A: B and C finish the 5, take
 * the 7, and the job that was active on A when it died is re-run once its lock lapses (≈ 3–4 s).
 * The last job to end, wherever it ends, appends `search:completed`. Had S not finished by its
 * deadline, the delayed deadline job would have ended it on B or C.
 *
 * Invariants:
 * - A job ends in one terminal event and a search in one end event (the search log's scripts);
 *   this node's ledger only spares Redis the calls it knows are moot.
 * - Nothing about a running search lives only in this node's memory: its abort controller and
 *   its set of jobs ended here are caches, rebuilt when a job of it arrives.
 * - Only a whole-cluster stop interrupts searches: a node that stops while others live leaves
 *   its searches to them; the last one ends them `interrupted`.
 */
import { setMaxListeners } from 'node:events';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusinessQuery, Search, SearchPriority, SiteInfo, SiteLiveStats } from '../../lib/types';
import { isSearchEndEvent } from '../../lib/types';
import { JobEndedError, OverloadedError, UnavailableError } from '../errors';
import { AnswerCache } from '../pipeline/answer-cache';
import { drainWithin, type SchedulerHooks } from '../pipeline/scheduler';
import { createSearch, newSearchId, type ExpandedSearch } from '../pipeline/search-producer';
import type { SiteCircuitOptions } from '../pipeline/site-circuit';
import type { SiteJob } from '../pipeline/site-job';
import { SiteJobRunner, type JobLedger, type SiteEndDraft, type SiteProgressDraft } from '../pipeline/site-job-runner';
import { siteInfo, siteLiveStats } from '../pipeline/site-report';
import { SiteRequester } from '../pipeline/site-requester';
import type { RunnerLoad, SearchRunner, SubmitOptions } from '../search-runner';
import type { SiteRegistry } from '../sites/site-registry';
import type { Store } from '../store/store';
import type { ClusterMembers } from './cluster-members';
import { ClusterScheduler, type QueuedSiteJob } from './cluster-scheduler';
import type { ClusterSearchLog } from './cluster-search-log';
import type { ClusterSignals } from './cluster-signals';
import { redisAnswers, withinRedisTime } from './redis-answers';
import { RedisSiteLimiter } from './redis-site-limiter';

/** How long a new search may wait for Redis before it is refused with 503, ms. */
const SUBMIT_REDIS_MS = 3_000;

/** How long after its deadline a node keeps what it cached of a search it never heard end, ms. */
const FORGET_AFTER_DEADLINE_MS = 10_000;

/** Options of a cluster node's pipeline. */
export interface ClusterPipelineOptions {
  readonly registry: SiteRegistry;
  readonly store: Store;
  readonly log: ClusterSearchLog;
  readonly members: ClusterMembers;
  /** The node's command connection (`maxRetriesPerRequest: null`, as BullMQ requires). */
  readonly redis: Redis;
  readonly signals: ClusterSignals;
  readonly nodeId: string;
  readonly logger: Logger;
  /** Deadline of an interactive search. Default 5000 ms. */
  readonly searchDeadlineMs?: number;
  /** Deadline of a bulk search. Default 60,000 ms. */
  readonly bulkDeadlineMs?: number;
  /** Site jobs waiting cluster-wide before searches are refused. Default 50,000. */
  readonly maxBufferedJobs?: number;
  readonly circuit?: SiteCircuitOptions;
  /** Prefix of every Redis key. Default `sitescan:`; BullMQ's keys use it without the colon. */
  readonly keyPrefix?: string;
  /** Lock of a running job, ms (see `ClusterSchedulerOptions`). */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

/** What this node keeps of a search it created or runs jobs of. */
interface LocalSearch {
  readonly abort: AbortController;
  /** Site ids whose job ended through this node. */
  readonly ended: Set<string>;
  readonly forgetTimer: NodeJS.Timeout;
}

/** A node of the cluster: runs any search's jobs, shares every site's limits. */
export class ClusterPipeline implements SearchRunner, JobLedger {
  private readonly options: ClusterPipelineOptions;
  private readonly logger: Logger;
  private readonly deadlines: Record<SearchPriority, number>;
  private readonly requesters = new Map<string, SiteRequester>();
  private readonly limiters = new Map<string, RedisSiteLimiter>();
  private readonly searches = new Map<string, LocalSearch>();
  private scheduler!: ClusterScheduler;
  private runner!: SiteJobRunner;
  private deadlineQueue!: Queue<{ searchId: string }>;
  private deadlineWorker!: Worker<{ searchId: string }>;
  private stopHearingEnds?: () => void;
  private accepting = true;

  private constructor(options: ClusterPipelineOptions) {
    this.options = options;
    this.logger = options.logger.child({ module: 'cluster-pipeline' });
    this.deadlines = { interactive: options.searchDeadlineMs ?? 5_000, bulk: options.bulkDeadlineMs ?? 60_000 };
  }

  /** Joins the cluster: shared limiters, site queues and workers, deadline worker, end signals. */
  static async start(options: ClusterPipelineOptions): Promise<ClusterPipeline> {
    const pipeline = new ClusterPipeline(options);
    await pipeline.startParts();
    return pipeline;
  }

  private get bullPrefix(): string {
    return (this.options.keyPrefix ?? 'sitescan:').replace(/:$/, '');
  }

  private async startParts(): Promise<void> {
    const { registry, redis, signals, logger, keyPrefix } = this.options;
    const searchable = registry.all().filter((connector) => !connector.skipReason);
    for (const { definition } of searchable) {
      const limiter = await RedisSiteLimiter.open({ redis, signals, siteId: definition.id, limits: definition.limits, keyPrefix, logger });
      this.limiters.set(definition.id, limiter);
    }
    const hooks: SchedulerHooks = { schedule: (job) => this.runner.schedule(job), run: (job) => this.runner.run(job) };
    this.scheduler = await ClusterScheduler.start({
      sites: searchable.map(({ definition }) => ({ id: definition.id, limits: definition.limits })),
      hooks,
      connection: redis,
      limiters: this.limiters,
      revive: (queued) => this.revive(queued),
      isWanted: (queued) => this.options.log.isJobOpen(queued.searchId, queued.siteId),
      logger,
      prefix: this.bullPrefix,
      nodeId: this.options.nodeId,
      lockDurationMs: this.options.lockDurationMs,
      stalledIntervalMs: this.options.stalledIntervalMs,
    });
    const cache = new AnswerCache();
    for (const connector of searchable) {
      const limiter = this.limiters.get(connector.definition.id)!;
      this.requesters.set(
        connector.definition.id,
        new SiteRequester({ connector, cache, feedback: limiter, sendGate: limiter, sharedCircuit: limiter, circuit: this.options.circuit }),
      );
    }
    this.runner = new SiteJobRunner({ requesters: this.requesters, scheduler: this.scheduler, ledger: this });
    this.deadlineQueue = new Queue('deadlines', { connection: redis, prefix: this.bullPrefix });
    this.deadlineWorker = new Worker<{ searchId: string }>(
      'deadlines',
      async (job) => {
        await this.options.log.end(job.data.searchId, 'deadline');
      },
      { connection: redis, prefix: this.bullPrefix, concurrency: 50, lockDuration: 3_000, stalledInterval: 1_000, removeOnComplete: { count: 0 }, removeOnFail: { count: 100 } },
    );
    this.deadlineWorker.on('error', (error) => this.logger.error({ err: error }, 'deadline worker error'));
    this.stopHearingEnds = await this.options.log.onSearchEnded((searchId) => this.heardEnd(searchId));
  }

  // --- what this node keeps of a search ------------------------------------------------------

  private local(searchId: string, deadlineAt: number): LocalSearch {
    let entry = this.searches.get(searchId);
    if (!entry) {
      const abort = new AbortController();
      // Every job of the search on this node listens on this one signal.
      setMaxListeners(0, abort.signal);
      const forgetTimer = setTimeout(() => this.forget(searchId, 'deadline'), Math.max(0, deadlineAt - Date.now()) + FORGET_AFTER_DEADLINE_MS);
      forgetTimer.unref();
      entry = { abort, ended: new Set(), forgetTimer };
      this.searches.set(searchId, entry);
    }
    return entry;
  }

  private revive(queued: QueuedSiteJob): SiteJob {
    return { ...queued, abort: this.local(queued.searchId, queued.deadlineAt).abort };
  }

  /** A search ended somewhere: abort what runs for it here, drop its queued jobs, forget it. */
  private heardEnd(searchId: string): void {
    this.forget(searchId, 'elsewhere');
  }

  private forget(searchId: string, why: JobEndedError['why']): void {
    const entry = this.searches.get(searchId);
    this.scheduler.removeSearch(searchId);
    if (!entry) return;
    clearTimeout(entry.forgetTimer);
    this.searches.delete(searchId);
    entry.abort.abort(new JobEndedError(why));
  }

  // --- the ledger of site jobs (see site-job-runner.ts) ---------------------------------------

  isOpen(job: SiteJob): boolean {
    const entry = this.searches.get(job.searchId);
    return entry !== undefined && !entry.abort.signal.aborted && !entry.ended.has(job.siteId);
  }

  record(job: SiteJob, draft: SiteProgressDraft): void {
    if (!this.isOpen(job)) return;
    this.options.log.record(job.searchId, draft).catch((error: unknown) => {
      this.logger.error({ err: error, searchId: job.searchId, type: draft.type }, 'transition not recorded');
    });
  }

  finish(job: SiteJob, draft: SiteEndDraft): void {
    if (!this.isOpen(job)) return;
    this.searches.get(job.searchId)!.ended.add(job.siteId);
    this.options.log.finish(job.searchId, draft).then(
      (events) => {
        if (events.some(isSearchEndEvent)) this.dropDeadline(job.searchId);
      },
      (error: unknown) => this.logger.error({ err: error, searchId: job.searchId, type: draft.type }, 'job end not recorded'),
    );
  }

  private dropDeadline(searchId: string): void {
    this.deadlineQueue.remove(searchId).catch((error: unknown) => this.logger.warn({ err: error, searchId }, 'deadline job not removed'));
  }

  // --- search producer ---------------------------------------------------------------------------

  async submit(query: BusinessQuery, options: SubmitOptions = {}): Promise<Search> {
    if (!this.accepting) throw new UnavailableError('this sitescan node is shutting down and takes no new searches', 5_000);
    const unreachable = () => new UnavailableError('Redis is unreachable; no search can start until it is back', 5_000);
    if (!(await redisAnswers(this.options.redis))) throw unreachable();
    const priority = options.priority ?? 'interactive';
    const createdAt = Date.now();
    const deadlineAt = createdAt + this.deadlines[priority];
    const id = newSearchId();
    const { abort } = this.local(id, deadlineAt);
    const created = createSearch({ id, registry: this.options.registry, query, sites: options.sites, priority, createdAt, deadlineAt, abort });
    const buffered = this.scheduler.bufferedJobs;
    const limit = this.options.maxBufferedJobs ?? 50_000;
    if (buffered + created.jobs.length > limit) {
      this.forget(id, 'cancel');
      throw new OverloadedError(`too many site jobs waiting in the cluster (${buffered} buffered, limit ${limit})`, 5_000);
    }
    // Redis went away after the PING: answer 503 rather than hold the request (what was sent is
    // kept queued by the connection and lands when Redis is back; its deadline then ends it).
    await withinRedisTime(this.start(created), SUBMIT_REDIS_MS, unreachable);
    return created.search;
  }

  /** The Redis side of a new search: its log, its deadline, its skipped sites, its jobs. */
  private async start(created: ExpandedSearch): Promise<void> {
    const { search } = created;
    await this.options.log.create(search, created.results);
    // The history lists it while it runs; the persister writes it whole when it ends.
    this.options.store.write({ searches: [search] }).catch((error: unknown) => this.logger.warn({ err: error, searchId: search.id }, 'running search not listed in the store'));
    await this.deadlineQueue.add('deadline', { searchId: search.id }, { jobId: search.id, delay: search.deadlineAt - Date.now() });
    for (const { siteId, reason } of created.skipped) await this.options.log.finish(search.id, { type: 'site:skipped', siteId, data: { reason } });
    await this.scheduler.add(created.jobs.filter((job) => this.runner.admit(job)));
  }

  async cancel(searchId: string): Promise<boolean> {
    const events = await this.options.log.end(searchId, 'cancel');
    if (events.length > 0) this.dropDeadline(searchId);
    return events.length > 0;
  }

  /**
   * Ends as interrupted the searches a stopped cluster left running: called by the first node
   * of a cluster that starts with no other node alive.
   */
  async interruptAbandoned(): Promise<number> {
    const ids = await this.options.log.runningIds();
    for (const id of ids) await this.options.log.end(id, 'shutdown');
    return ids.length;
  }

  // --- operations --------------------------------------------------------------------------------

  siteStats(siteId: string): SiteLiveStats | undefined {
    const requester = this.requesters.get(siteId);
    const scheduled = this.scheduler.siteStats(siteId);
    return requester && scheduled ? siteLiveStats(scheduled, requester, Date.now()) : undefined;
  }

  sites(): SiteInfo[] {
    return this.options.registry.all().map((connector) => siteInfo(connector, this.siteStats(connector.definition.id), this.requesters.get(connector.definition.id)));
  }

  load(): RunnerLoad {
    return { runningSearches: this.searches.size, bufferedJobs: this.scheduler.bufferedJobs };
  }

  /**
   * Leaves the cluster: takes no new searches, lets the jobs running here finish (at most
   * `drainMs`); the last node alive ends the running searches as interrupted.
   */
  async close(drainMs = 10_000): Promise<void> {
    this.accepting = false;
    await drainWithin(this.scheduler, drainMs);
    await this.deadlineWorker.close();
    await this.options.members.leave();
    if (!(await this.options.members.othersAlive())) {
      const interrupted = await this.interruptAbandoned();
      if (interrupted > 0) this.logger.warn({ interrupted }, 'last node of the cluster: running searches ended as interrupted');
    }
    this.stopHearingEnds?.();
    for (const searchId of [...this.searches.keys()]) this.forget(searchId, 'shutdown');
    this.scheduler.close();
    await this.deadlineQueue.close();
    for (const requester of this.requesters.values()) requester.close();
    for (const limiter of this.limiters.values()) limiter.close();
  }
}
