/**
 * The pipeline: one search fans out to every site, within each site's limits, as fast as they
 * allow, and ends by its deadline. This module is the search's life — admission, the attempts
 * of its jobs, its deadline and its end; where jobs wait is the scheduler's (`scheduler.ts`),
 * how one site is asked is its requester's (`site-requester.ts`).
 *
 *   submit ─▶ [search producer] ─jobs─▶ [scheduler: dispatcher ▸ site consumers] ─▶ run(job)
 *                                              ▲                                      │
 *                                              └──── demand: a slot frees ◀───────────┤
 *                                                                                     ▼
 *   every transition ─▶ event log ─▶ hub + store      [site requester: cache ▸ send ▸ circuit] ─▶ site
 *
 * Example: a search over 10 sites makes 10 site jobs. Each site with a free slot takes its job at
 * once (`site:scheduled`), starts it when its rate window allows (`site:started`) and ends it
 * `site:done` / `site:failed`; when the last job ends the search is `search:completed`. A 503
 * from one site at 1.2 s is retried after a backoff (`site:retrying`) if the retry can start
 * before the deadline. At the deadline (5 s interactive) every job still open fails with reason
 * `deadline`. The deadline's timer is set DEADLINE_LEAD_MS early: a timer fires a few ms late
 * (searches with a 5,000 ms deadline were reported ending 5,002–5,005 ms after they began), and
 * a deadline is a promise to the user, so the search gives up those ms rather than overrun.
 *
 * Invariants:
 * - Work moves only on events (a submit, a demand, an answer, a backoff's end): nothing polls.
 * - Every site job ends in exactly one terminal event, and the search ends after all of them.
 * - A retry is planned only when it can start before the deadline.
 * - A search ends by its deadline: its last event's `at` ≤ `deadlineAt` unless the event loop
 *   is blocked longer than DEADLINE_LEAD_MS.
 * - A job that cannot start before its deadline (its site paused past it) fails at once rather
 *   than hold the search to its deadline.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { BusinessQuery, Search, SearchPriority, SearchSnapshot, SiteInfo, SiteLiveStats } from '../../lib/types';
import { isTerminalStatus } from '../../lib/types';
import { JobEndedError, OverloadedError, UnavailableError } from '../errors';
import type { RunnerLoad, SearchRunner, SubmitOptions } from '../search-runner';
import type { SiteRegistry } from '../sites/site-registry';
import { AnswerCache } from './answer-cache';
import type { EventLog } from './event-log';
import { LocalScheduler } from './local-scheduler';
import { drainWithin, type Scheduler, type SchedulerHooks } from './scheduler';
import { createSearch } from './search-producer';
import type { SiteCircuitOptions } from './site-circuit';
import type { SiteJob } from './site-job';
import { SiteJobRunner, type JobLedger, type SiteEndDraft, type SiteProgressDraft } from './site-job-runner';
import { siteInfo, siteLiveStats } from './site-report';
import { SiteRequester } from './site-requester';

/** Builds the scheduler a pipeline runs on; the default is the one-process `LocalScheduler`. */
export type SchedulerFactory = (
  hooks: SchedulerHooks,
  sites: readonly { readonly id: string; readonly limits: SiteRequester['connector']['definition']['limits'] }[],
) => Scheduler;

/** Options of the pipeline. */
export interface PipelineOptions {
  readonly registry: SiteRegistry;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  /** Deadline of an interactive search. Default 5000 ms. */
  readonly searchDeadlineMs?: number;
  /** Deadline of a bulk search. Default 60,000 ms. */
  readonly bulkDeadlineMs?: number;
  /** Site jobs the scheduler may buffer before searches are refused. Default 50,000. */
  readonly maxBufferedJobs?: number;
  /** Circuit breaker settings shared by every site. */
  readonly circuit?: SiteCircuitOptions;
  /** The scheduler to run on. Default: one process (`LocalScheduler`). */
  readonly scheduler?: SchedulerFactory;
  /**
   * Whether a request slower than its site's usual p90 may get a hedge (within the site's limits,
   * for sites whose definition allows it). Default true; `HEDGING=off` turns it off.
   */
  readonly hedging?: boolean;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * How much before its deadline a search's deadline timer is set, to absorb the timer's lateness
 * and the work of ending the search (an event per open job).
 */
export const DEADLINE_LEAD_MS = 10;

interface RunningSearch {
  readonly search: Search;
  /** Aborts every attempt of the search at once: cancel, deadline, shutdown. */
  readonly abort: AbortController;
  /** Open jobs by site id; a job leaves this map when it ends. */
  readonly jobs: Map<string, SiteJob>;
  deadlineTimer?: NodeJS.Timeout;
}

/** Fans searches out to sites through a scheduler and per-site requesters, in one process. */
export class Pipeline implements SearchRunner, JobLedger {
  private readonly registry: SiteRegistry;
  private readonly eventLog: EventLog;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly deadlines: Record<SearchPriority, number>;
  private readonly maxBufferedJobs: number;
  private readonly scheduler: Scheduler;
  private readonly requesters = new Map<string, SiteRequester>();
  private readonly runner: SiteJobRunner;
  private readonly running = new Map<string, RunningSearch>();
  private accepting = true;

  constructor(options: PipelineOptions) {
    this.registry = options.registry;
    this.eventLog = options.eventLog;
    this.logger = options.logger.child({ module: 'pipeline' });
    this.now = options.now ?? Date.now;
    this.deadlines = { interactive: options.searchDeadlineMs ?? 5_000, bulk: options.bulkDeadlineMs ?? 60_000 };
    this.maxBufferedJobs = options.maxBufferedJobs ?? 50_000;

    const searchable = this.registry.all().filter((connector) => !connector.skipReason);
    const hooks: SchedulerHooks = { schedule: (job) => this.runner.schedule(job), run: (job) => this.runner.run(job) };
    const sites = searchable.map(({ definition }) => ({ id: definition.id, limits: definition.limits }));
    this.scheduler = options.scheduler
      ? options.scheduler(hooks, sites)
      : new LocalScheduler({ sites, hooks, logger: options.logger, now: this.now });
    const cache = new AnswerCache(this.now);
    for (const connector of searchable) {
      const { id } = connector.definition;
      const feedback = this.scheduler.limiter(id);
      const sendGate = this.scheduler.sendGate?.(id);
      const spareSlot = this.scheduler.spareSlot && (() => this.scheduler.spareSlot!(id));
      this.requesters.set(
        id,
        new SiteRequester({ connector, cache, feedback, sendGate, spareSlot, hedging: options.hedging, circuit: options.circuit, now: this.now }),
      );
    }
    this.runner = new SiteJobRunner({ requesters: this.requesters, scheduler: this.scheduler, ledger: this, now: this.now });
  }

  // --- search producer -------------------------------------------------------------------------

  /**
   * Admits a search, expands it into one job per site and queues them. Throws `ValidationError`
   * for unknown site ids, `OverloadedError` when the buffer has no room and `UnavailableError`
   * while shutting down.
   */
  submit(query: BusinessQuery, options: SubmitOptions = {}): Search {
    if (!this.accepting) throw new UnavailableError('sitescan is shutting down and takes no new searches', 5_000);
    const priority = options.priority ?? 'interactive';
    const createdAt = this.now();
    const abort = new AbortController();
    const created = createSearch({
      abort,
      registry: this.registry,
      query,
      sites: options.sites,
      priority,
      createdAt,
      deadlineAt: createdAt + this.deadlines[priority],
    });
    const buffered = this.scheduler.bufferedJobs;
    if (buffered + created.results.length > this.maxBufferedJobs) {
      throw new OverloadedError(
        `too many site jobs waiting (${buffered} buffered, limit ${this.maxBufferedJobs})`,
        this.estimateDrainMs(),
      );
    }
    const { search } = created;
    this.eventLog.create(search, created.results);

    // Every job of the search listens on this one signal (p-queue, the connector): dozens by design.
    setMaxListeners(0, abort.signal);
    const running: RunningSearch = { search, abort, jobs: new Map() };
    this.running.set(search.id, running);
    for (const { siteId, reason } of created.skipped) this.eventLog.emit(search.id, { type: 'site:skipped', siteId, data: { reason } });
    const { jobs } = created;
    for (const job of jobs) running.jobs.set(job.siteId, job);
    running.deadlineTimer = setTimeout(() => this.end(search.id, 'deadline'), Math.max(0, search.deadlineAt - createdAt - DEADLINE_LEAD_MS));
    if (!this.completeIfDone(running)) {
      this.scheduler.enqueue(jobs.filter((job) => this.runner.admit(job)));
    }
    return this.eventLog.search(search.id) ?? search;
  }

  /** Rough time until the buffer drains: buffered jobs over the sites' mean rate. */
  private estimateDrainMs(): number {
    let perSecond = 0;
    for (const connector of this.registry.all()) {
      const { requests, perMs } = connector.definition.limits;
      perSecond += (requests * 1000) / perMs;
    }
    const sites = Math.max(1, this.requesters.size);
    return Math.max(1_000, Math.ceil((this.scheduler.bufferedJobs / Math.max(perSecond / sites, 0.001)) * 1000));
  }

  // --- the ledger of site jobs (see site-job-runner.ts) ---------------------------------------

  /** Whether a job is still open: its search running here, the job not ended. */
  isOpen(job: SiteJob): boolean {
    return this.running.get(job.searchId)?.jobs.get(job.siteId) === job;
  }

  /** Records a transition of an open job. */
  record(job: SiteJob, draft: SiteProgressDraft): void {
    if (this.isOpen(job)) this.eventLog.emit(job.searchId, draft);
  }

  /** Ends an open job with its terminal event, and the search once its last job has ended. */
  finish(job: SiteJob, draft: SiteEndDraft): void {
    const running = this.running.get(job.searchId);
    if (!running || running.jobs.get(job.siteId) !== job) return;
    running.jobs.delete(job.siteId);
    this.eventLog.emit(job.searchId, draft);
    this.completeIfDone(running);
  }

  private completeIfDone(running: RunningSearch): boolean {
    if (running.jobs.size > 0) return false;
    this.forget(running);
    this.eventLog.emit(running.search.id, {
      type: 'search:completed',
      data: { summary: this.eventLog.search(running.search.id)?.summary },
    });
    return true;
  }

  private forget(running: RunningSearch): void {
    clearTimeout(running.deadlineTimer);
    this.scheduler.removeSearch(running.search.id);
    this.running.delete(running.search.id);
  }

  // --- the end of a search ---------------------------------------------------------------------

  /**
   * Ends every open job of a search from outside its attempts, then ends the search:
   * - `deadline`: jobs fail with reason `deadline`, the search completes with what it has;
   * - `cancel`: jobs are cancelled, the search is cancelled;
   * - `shutdown`: jobs fail with reason `interrupted`, the search is interrupted.
   */
  private end(searchId: string, why: Exclude<JobEndedError['why'], 'elsewhere'>): void {
    const running = this.running.get(searchId);
    if (!running) return;
    const jobs = [...running.jobs.values()];
    running.jobs.clear();
    this.forget(running);
    const now = this.now();
    running.abort.abort(new JobEndedError(why));
    for (const { siteId, attempts: attempt, firstStartedAt } of jobs) {
      if (why === 'cancel') {
        this.eventLog.emit(searchId, { type: 'site:cancelled', siteId, data: { attempt } });
        continue;
      }
      const reason = why === 'deadline' ? 'deadline' : 'interrupted';
      const latency = firstStartedAt ? { latencyMs: now - firstStartedAt } : {};
      this.eventLog.emit(searchId, { type: 'site:failed', siteId, data: { attempt, reason, ...latency } });
    }
    const summary = this.eventLog.search(searchId)?.summary;
    const type = why === 'deadline' ? 'search:completed' : why === 'cancel' ? 'search:cancelled' : 'search:interrupted';
    this.eventLog.emit(searchId, { type, data: { summary } });
    this.logger.info({ searchId, why, open: jobs.length }, 'search ended before all sites answered');
  }

  /** Cancels a running search: in-flight requests are aborted, pending jobs dropped. */
  cancel(searchId: string): boolean {
    if (!this.running.has(searchId)) return false;
    this.end(searchId, 'cancel');
    return true;
  }

  /** Whether a search is still running in this process. */
  isRunning(searchId: string): boolean {
    return this.running.has(searchId);
  }

  /**
   * Ends searches a previous process left `running` (it stopped before they finished): their open
   * jobs fail with reason `interrupted` and the search ends `search:interrupted`, keeping every
   * result that was already in.
   */
  interrupt(snapshots: readonly SearchSnapshot[]): void {
    for (const snapshot of snapshots) {
      this.eventLog.resume(snapshot);
      // The results as the log has them: the store's rows are written only when a search ends.
      for (const result of this.eventLog.snapshot(snapshot.search.id)?.results ?? snapshot.results) {
        if (isTerminalStatus(result.status)) continue;
        this.eventLog.emit(snapshot.search.id, {
          type: 'site:failed',
          siteId: result.siteId,
          data: { attempt: result.attempts, reason: 'interrupted' },
        });
      }
      this.eventLog.emit(snapshot.search.id, {
        type: 'search:interrupted',
        data: { summary: this.eventLog.search(snapshot.search.id)?.summary },
      });
    }
  }

  // --- operations ------------------------------------------------------------------------------

  /** Live figures of one site, or undefined for a site that is not run (skipped). */
  siteStats(siteId: string): SiteLiveStats | undefined {
    const requester = this.requesters.get(siteId);
    const scheduled = this.scheduler.siteStats(siteId);
    return requester && scheduled ? siteLiveStats(scheduled, requester, this.now()) : undefined;
  }

  /** Every registered site with its limits and live figures, in registry order. */
  sites(): SiteInfo[] {
    return this.registry.all().map((connector) => siteInfo(connector, this.siteStats(connector.definition.id), this.requesters.get(connector.definition.id)));
  }

  /** Searches running now, and site jobs waiting in the scheduler. */
  load(): RunnerLoad {
    return { runningSearches: this.running.size, bufferedJobs: this.scheduler.bufferedJobs };
  }

  /**
   * Shutdown: stops admitting searches and starting requests, lets the requests in flight finish
   * (at most `drainMs`, default 10 s) so their answers are kept, then ends what is still open as
   * interrupted.
   */
  async close(drainMs = 10_000): Promise<void> {
    this.accepting = false;
    await drainWithin(this.scheduler, drainMs);
    for (const searchId of [...this.running.keys()]) this.end(searchId, 'shutdown');
    this.scheduler.close();
    for (const requester of this.requesters.values()) requester.close();
  }
}
