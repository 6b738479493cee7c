/**
 * The pipeline: one search fans out to every site, within each site's limits, as fast as they
 * allow, and ends by its deadline.
 *
 *   submit ─▶ [search producer] ─jobs─▶ [dispatcher] ─jobs ≤ demand─▶ [site consumer × N] ─▶ sites
 *                                            ▲                               │
 *                                            └────────── demand ─────────────┘
 *   every transition ─▶ event log ─▶ hub (browsers) + store (batched)
 *
 * Example: a search over 10 sites makes 10 site jobs. Each consumer with a free slot takes its
 * job at once (`site:scheduled`), starts it when its rate window allows (`site:started`) and ends
 * it `site:done` / `site:failed`; when the last job ends the search is `search:completed`. At the
 * deadline (5 s interactive) every job still open fails with reason `deadline`.
 *
 * Invariants:
 * - Work moves only on events (a submit, a demand, an answer, a backoff's end): nothing polls.
 * - Every site job ends in exactly one terminal event, and the search ends after all of them.
 * - A retry is planned only when it can start before the deadline.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { BusinessQuery, Search, SearchPriority, SearchSnapshot, SiteInfo, SiteLiveStats, SiteResult } from '../../lib/types';
import { TERMINAL_JOB_STATUSES } from '../../lib/types';
import { summarize } from '../../lib/search-state';
import { OverloadedError, QueryNotSupportedError, SiteRateLimitedError, SiteTimeoutError, UnavailableError, ValidationError } from '../errors';
import type { SiteAnswer, SiteConnector } from '../sites/connector';
import { bestMatch } from '../sites/match';
import type { SiteRegistry } from '../sites/site-registry';
import { describeFailure, planRetry } from './attempt';
import { Dispatcher, type Delivery } from './dispatcher';
import type { EventLog } from './event-log';
import { AnswerCache, answerKey, normalizeQuery } from './answer-cache';
import { SiteCircuit, type SiteCircuitOptions } from './site-circuit';
import { SiteConsumer } from './site-consumer';
import { SiteStats } from './site-stats';
import type { SiteJob } from './site-job';

/** Options of the pipeline. */
export interface PipelineOptions {
  readonly registry: SiteRegistry;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  /** Deadline of an interactive search. Default 5000 ms. */
  readonly searchDeadlineMs?: number;
  /** Deadline of a bulk search. Default 60,000 ms. */
  readonly bulkDeadlineMs?: number;
  /** Site jobs the dispatcher may buffer before searches are refused. Default 50,000. */
  readonly maxBufferedJobs?: number;
  /** Circuit breaker settings shared by every site. */
  readonly circuit?: SiteCircuitOptions;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of one search. */
export interface SubmitOptions {
  /** Restrict the search to these site ids. Default: every site. */
  readonly sites?: readonly string[];
  readonly priority?: SearchPriority;
}


/** Why a job was ended from outside its attempt. */
class JobEndedError extends Error {
  override readonly name = 'JobEndedError';
}

/** Everything the pipeline keeps for one searchable site. */
interface SiteRuntime {
  readonly connector: SiteConnector;
  readonly consumer: SiteConsumer;
  readonly stats: SiteStats;
  readonly circuit: SiteCircuit;
}

interface RunningSearch {
  readonly search: Search;
  /** Aborts every attempt of the search at once: cancel, deadline, shutdown. */
  readonly abort: AbortController;
  /** Open jobs by site id; a job leaves this map when it ends. */
  readonly jobs: Map<string, SiteJob>;
  readonly retryTimers: Set<NodeJS.Timeout>;
  deadlineTimer?: NodeJS.Timeout;
}

/** A new search id: 128 random bits, URL-safe. */
export function newSearchId(): string {
  return randomBytes(16).toString('base64url');
}

/** Fans searches out to sites through the dispatcher and per-site consumers. */
export class Pipeline {
  private readonly registry: SiteRegistry;
  private readonly eventLog: EventLog;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly deadlines: Record<SearchPriority, number>;
  private readonly maxBufferedJobs: number;
  private readonly dispatcher = new Dispatcher();
  private readonly sitesById = new Map<string, SiteRuntime>();
  private readonly cache: AnswerCache;
  private readonly deferred: Delivery[] = [];
  private readonly running = new Map<string, RunningSearch>();
  private accepting = true;

  constructor(options: PipelineOptions) {
    this.registry = options.registry;
    this.eventLog = options.eventLog;
    this.logger = options.logger.child({ module: 'pipeline' });
    this.now = options.now ?? Date.now;
    this.deadlines = {
      interactive: options.searchDeadlineMs ?? 5_000,
      bulk: options.bulkDeadlineMs ?? 60_000,
    };
    this.maxBufferedJobs = options.maxBufferedJobs ?? 50_000;

    this.cache = new AnswerCache(this.now);

    for (const connector of this.registry.all()) {
      if (connector.unavailableReason) continue;
      const { id, limits } = connector.definition;
      const consumer = new SiteConsumer({
        siteId: id,
        limits,
        now: this.now,
        ask: (count) => this.deliver(this.dispatcher.handleDemand(id, count)),
        run: (job) => this.run(job),
        onScheduled: (job) => this.eventLog.emit(job.searchId, 'site:scheduled', job.siteId),
      });
      this.sitesById.set(id, { connector, consumer, stats: new SiteStats(), circuit: new SiteCircuit(options.circuit) });
    }
    for (const site of this.sitesById.values()) site.consumer.start();
  }

  /**
   * Delivers a new search's jobs once the current macrotask ends. A caller that submits many
   * searches in one go would otherwise start requests whose bytes leave only after all its
   * synchronous work: p-queue stamps their start early, the site sees them arrive late, and the
   * next window's requests arrive too close behind them (measured: 60 searches submitted in one
   * loop put `concurrency` extra requests into a site's window).
   */
  private deliverSoon(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return;
    this.deferred.push(...deliveries);
    if (this.deferred.length > deliveries.length) return;
    setImmediate(() => {
      const batch = this.deferred.splice(0);
      for (const delivery of batch) {
        const open = delivery.jobs.filter((job) => this.isOpen(job));
        // Jobs ended meanwhile (cancel, deadline) give their demand back.
        if (open.length < delivery.jobs.length) {
          this.deliver(this.dispatcher.handleDemand(delivery.siteId, delivery.jobs.length - open.length));
        }
        if (open.length > 0) this.deliver({ siteId: delivery.siteId, jobs: open });
      }
    });
  }

  /**
   * Hands delivered jobs to their site's consumer — unless the site's circuit is open (they end
   * `skipped` at once, without spending the site's rate) or the site asked to be left alone past
   * their deadline (they end `failed`): then the demand goes back.
   */
  private deliver(delivery: Delivery | undefined): void {
    while (delivery) {
      const site = this.sitesById.get(delivery.siteId)!;
      let taken: readonly SiteJob[] = [];
      if (site.circuit.state === 'open') {
        for (const job of delivery.jobs) this.finishJob(job, 'site:skipped', { reason: 'circuit open' });
      } else {
        taken = delivery.jobs.filter((job) => !this.failIfPausedPastDeadline(job));
        if (taken.length > 0) site.consumer.handleEvents(taken);
      }
      const unused = delivery.jobs.length - taken.length;
      if (unused === 0) return;
      delivery = this.dispatcher.handleDemand(delivery.siteId, unused);
    }
  }

  /**
   * Ends a job at once when its site asked to be left alone (Retry-After, a spent quota) until
   * after the job's deadline: waiting would only hold the search to its deadline. True when ended.
   */
  private failIfPausedPastDeadline(job: SiteJob): boolean {
    const resumesAt = this.sitesById.get(job.siteId)!.consumer.resumesAt;
    if (resumesAt < job.deadlineAt) return false;
    this.finishJob(job, 'site:failed', {
      attempt: job.attempts,
      reason: `rate limited: the site asked to wait until ${new Date(resumesAt).toISOString()}`,
    });
    return true;
  }

  // --- search producer -------------------------------------------------------------------------

  /**
   * Admits a search, expands it into one job per site and buffers them. Throws `ValidationError`
   * for unknown site ids and `OverloadedError` when the buffer has no room.
   */
  submit(query: BusinessQuery, options: SubmitOptions = {}): Search {
    if (!this.accepting) throw new UnavailableError('sitescan is shutting down and takes no new searches', 5_000);
    const connectors = options.sites
      ? [...new Set(options.sites)].map((id) => ({ id, connector: this.registry.get(id) }))
      : this.registry.all().map((connector) => ({ id: connector.definition.id, connector }));
    const unknown = connectors.filter((entry) => !entry.connector).map((entry) => entry.id);
    if (unknown.length > 0) {
      throw new ValidationError(`sites: unknown site id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    }
    if (this.dispatcher.size + connectors.length > this.maxBufferedJobs) {
      throw new OverloadedError(
        `too many site jobs waiting (${this.dispatcher.size} buffered, limit ${this.maxBufferedJobs})`,
        this.estimateDrainMs(),
      );
    }

    const priority = options.priority ?? 'interactive';
    const createdAt = this.now();
    const results: SiteResult[] = connectors.map(({ connector }) => ({
      siteId: connector!.definition.id,
      siteName: connector!.definition.name,
      sandbox: connector!.definition.sandbox,
      status: 'pending',
      attempts: 0,
    }));
    const search: Search = {
      id: newSearchId(),
      query,
      priority,
      status: 'running',
      createdAt,
      deadlineAt: createdAt + this.deadlines[priority],
      summary: summarize(results),
    };
    this.eventLog.create(search, results);

    const abort = new AbortController();
    // Every job of the search listens on this one signal (p-queue, fetch): dozens by design.
    setMaxListeners(0, abort.signal);
    const running: RunningSearch = { search, abort, jobs: new Map(), retryTimers: new Set() };
    this.running.set(search.id, running);
    // The same query goes to every site: normalise it once for the answer keys.
    const normalized = normalizeQuery(query);
    const jobs: SiteJob[] = [];
    for (const { connector } of connectors) {
      const siteId = connector!.definition.id;
      if (connector!.unavailableReason) {
        this.eventLog.emit(search.id, 'site:skipped', siteId, { reason: connector!.unavailableReason });
        continue;
      }
      const job: SiteJob = {
        searchId: search.id,
        siteId,
        query,
        answerKey: answerKey(siteId, normalized),
        priority,
        deadlineAt: search.deadlineAt,
        abort,
        attempts: 0,
      };
      running.jobs.set(siteId, job);
      jobs.push(job);
    }
    running.deadlineTimer = setTimeout(() => this.end(search.id, 'deadline'), search.deadlineAt - createdAt);
    if (!this.completeIfDone(running)) {
      const toQueue = jobs.filter((job) => !this.answerWithoutQueue(job) && !this.failIfPausedPastDeadline(job));
      this.deliverSoon(this.dispatcher.enqueue(toQueue));
    }
    return this.eventLog.search(search.id) ?? search;
  }

  /** Rough time until the buffer drains: buffered jobs over the sites' combined rate. */
  private estimateDrainMs(): number {
    let perSecond = 0;
    for (const connector of this.registry.all()) {
      const { requests, perMs } = connector.definition.limits;
      perSecond += (requests * 1000) / perMs;
    }
    const sites = Math.max(1, this.sitesById.size);
    return Math.max(1_000, Math.ceil((this.dispatcher.size / Math.max(perSecond / sites, 0.001)) * 1000));
  }

  // --- site jobs -------------------------------------------------------------------------------

  private isOpen(job: SiteJob): boolean {
    return this.running.get(job.searchId)?.jobs.get(job.siteId) === job;
  }

  /**
   * Answers a new job from the cache, or from an identical request already in flight, without
   * queueing it. Returns false when the job must queue.
   */
  private answerWithoutQueue(job: SiteJob): boolean {
    const key = job.answerKey;
    const cached = this.cache.get(key);
    if (cached) {
      this.eventLog.emit(job.searchId, 'site:scheduled', job.siteId);
      this.finishDone(job, cached, 0, 'cache');
      return true;
    }
    const inFlight = this.cache.pending(key);
    if (!inFlight) return false;
    const started = this.now();
    this.eventLog.emit(job.searchId, 'site:scheduled', job.siteId);
    this.eventLog.emit(job.searchId, 'site:started', job.siteId, { attempt: 1, reason: 'coalesced' });
    job.attempts = 1;
    job.firstStartedAt = started;
    inFlight.then(
      (answer) => {
        if (this.isOpen(job)) this.finishDone(job, answer, this.now() - started, 'coalesced');
      },
      () => {
        // The shared request failed: this job tries on its own, within its own deadline.
        if (!this.isOpen(job)) return;
        job.attempts = 0;
        for (const delivery of this.dispatcher.enqueue([job], { front: true })) this.deliver(delivery);
      },
    );
    return true;
  }

  private finishDone(job: SiteJob, answer: SiteAnswer, latencyMs: number, source?: 'cache' | 'coalesced'): void {
    const match = bestMatch(job.query, answer.listings);
    this.finishJob(job, 'site:done', {
      attempt: job.attempts,
      latencyMs,
      outcome: match.outcome,
      score: match.score,
      ...(source ? { reason: source } : {}),
      ...(match.listing ? { listing: match.listing, fields: match.fields } : {}),
    });
  }

  private async run(job: SiteJob): Promise<void> {
    if (!this.isOpen(job)) return;
    const site = this.sitesById.get(job.siteId)!;
    const { connector, consumer, stats, circuit } = site;
    const key = job.answerKey;
    const cached = this.cache.get(key);
    if (cached) {
      this.finishDone(job, cached, 0, 'cache');
      return;
    }
    const started = this.now();
    job.attempts++;
    job.firstStartedAt ??= started;
    this.eventLog.emit(job.searchId, 'site:started', job.siteId, { attempt: job.attempts });
    const timeoutMs = Math.max(1, Math.min(connector.definition.timeoutMs, job.deadlineAt - started));
    // Only the job that makes the request speaks for the site: a job riding on an identical
    // request in flight must not count its attempt, its latency or its 429 a second time.
    let requested = false;
    try {
      const { answer, coalesced } = await this.cache.coalesce(key, async () => {
        requested = true;
        stats.started(started);
        const ticket = await consumer.sendWindow.acquire(job.abort.signal);
        const onSent = () => ticket.markSent(this.now());
        try {
          return await circuit.run(() => connector.search(job.query, { signal: job.abort.signal, timeoutMs, onSent }));
        } finally {
          ticket.settle();
        }
      });
      if (requested) {
        stats.finished(this.now(), this.now() - started);
        consumer.succeeded();
        // A reset within the site's own window is what the send window keeps anyway (and the
        // header's whole seconds would over-wait it); a longer one is a quota nobody configured,
        // such as Yelp's daily cap: leave the site alone until then rather than earn a 429.
        const window = answer.window;
        if (window?.remaining === 0 && window.resetMs !== undefined && window.resetMs > connector.definition.limits.perMs) {
          consumer.windowExhausted(window.resetMs);
        }
        this.cache.set(key, answer, connector.definition.cacheTtlMs);
      }
      if (this.isOpen(job)) this.finishDone(job, answer, this.now() - started, coalesced ? 'coalesced' : undefined);
    } catch (error) {
      if (isCircuitOpen(error)) {
        this.finishJob(job, 'site:skipped', { attempt: job.attempts, reason: 'circuit open' });
        return;
      }
      if (error instanceof QueryNotSupportedError) {
        this.finishJob(job, 'site:skipped', { attempt: job.attempts, reason: error.reason });
        return;
      }
      if (requested) {
        stats.finished(this.now(), this.now() - started, describeFailure(error));
        if (error instanceof SiteRateLimitedError) consumer.pushBack(error.retryAfterMs);
      }
      if (job.abort.signal.aborted || !this.isOpen(job)) return;
      if (error instanceof SiteTimeoutError && timeoutMs < connector.definition.timeoutMs) {
        // The attempt was cut short to end by the deadline: the deadline, not the site, ended it.
        this.finishJob(job, 'site:failed', { attempt: job.attempts, latencyMs: this.now() - started, reason: 'deadline' });
        return;
      }
      const decision = planRetry(error, {
        attempts: job.attempts,
        retries: connector.definition.retries,
        now: this.now(),
        deadlineAt: job.deadlineAt,
      });
      if (!decision.retry) {
        this.finishJob(job, 'site:failed', {
          attempt: job.attempts,
          latencyMs: this.now() - started,
          reason: decision.reason,
        });
        return;
      }
      this.eventLog.emit(job.searchId, decision.rateLimited ? 'site:rate_limited' : 'site:retrying', job.siteId, {
        attempt: job.attempts,
        delayMs: decision.delayMs,
        reason: decision.reason,
      });
      this.retryLater(job, decision.delayMs);
    }
  }

  private retryLater(job: SiteJob, delayMs: number): void {
    const running = this.running.get(job.searchId)!;
    const timer = setTimeout(() => {
      running.retryTimers.delete(timer);
      if (!this.isOpen(job)) return;
      for (const delivery of this.dispatcher.enqueue([job], { front: true })) this.deliver(delivery);
    }, delayMs);
    running.retryTimers.add(timer);
  }

  private finishJob(
    job: SiteJob,
    type: 'site:done' | 'site:failed' | 'site:cancelled' | 'site:skipped',
    data: Parameters<EventLog['emit']>[3],
  ): void {
    const running = this.running.get(job.searchId);
    if (!running || running.jobs.get(job.siteId) !== job) return;
    running.jobs.delete(job.siteId);
    this.eventLog.emit(job.searchId, type, job.siteId, data);
    this.completeIfDone(running);
  }

  private completeIfDone(running: RunningSearch): boolean {
    if (running.jobs.size > 0) return false;
    this.forget(running);
    this.eventLog.emit(running.search.id, 'search:completed', undefined, {
      summary: this.eventLog.search(running.search.id)?.summary,
    });
    return true;
  }

  private forget(running: RunningSearch): void {
    clearTimeout(running.deadlineTimer);
    for (const timer of running.retryTimers) clearTimeout(timer);
    this.running.delete(running.search.id);
  }

  /**
   * Ends every open job of a search from outside its attempts, then ends the search:
   * - `deadline`: jobs fail with reason `deadline`, the search completes with what it has;
   * - `cancel`: jobs are cancelled, the search is cancelled;
   * - `shutdown`: jobs fail with reason `interrupted`, the search is interrupted.
   */
  private end(searchId: string, why: 'deadline' | 'cancel' | 'shutdown'): void {
    const running = this.running.get(searchId);
    if (!running) return;
    const jobs = [...running.jobs.values()];
    running.jobs.clear();
    this.forget(running);
    this.dispatcher.removeSearch(searchId);
    const now = this.now();
    running.abort.abort(new JobEndedError(why));
    for (const job of jobs) {
      if (why === 'cancel') {
        this.eventLog.emit(searchId, 'site:cancelled', job.siteId, { attempt: job.attempts });
        continue;
      }
      this.eventLog.emit(searchId, 'site:failed', job.siteId, {
        attempt: job.attempts,
        reason: why === 'deadline' ? 'deadline' : 'interrupted',
        ...(job.firstStartedAt ? { latencyMs: now - job.firstStartedAt } : {}),
      });
    }
    const summary = this.eventLog.search(searchId)?.summary;
    const type = why === 'deadline' ? 'search:completed' : why === 'cancel' ? 'search:cancelled' : 'search:interrupted';
    this.eventLog.emit(searchId, type, undefined, { summary });
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
        if (TERMINAL_JOB_STATUSES.has(result.status)) continue;
        this.eventLog.emit(snapshot.search.id, 'site:failed', result.siteId, {
          attempt: result.attempts,
          reason: 'interrupted',
        });
      }
      this.eventLog.emit(snapshot.search.id, 'search:interrupted', undefined, {
        summary: this.eventLog.search(snapshot.search.id)?.summary,
      });
    }
  }

  /** Live figures of one site, or undefined for a site without a consumer (skipped). */
  siteStats(siteId: string): SiteLiveStats | undefined {
    const site = this.sitesById.get(siteId);
    if (!site) return undefined;
    const { requests, perMs } = site.connector.definition.limits;
    const now = this.now();
    return {
      siteId,
      buffered: this.dispatcher.sizeOf(siteId),
      ...site.consumer.stats(),
      requestsPerSec: site.stats.requestsPerSec(now),
      limitPerSec: (requests * 1000) / perMs,
      latencyP50Ms: site.stats.latencyPercentile(50),
      latencyP95Ms: site.stats.latencyPercentile(95),
      errorRate: site.stats.errorRate(),
      attempts: site.stats.attempts,
      circuit: site.circuit.state,
      ...(site.stats.lastError ? { lastError: site.stats.lastError } : {}),
    };
  }

  /** Every registered site with its limits and live figures, in registry order. */
  sites(): SiteInfo[] {
    return this.registry.all().map(({ definition, unavailableReason }) => {
      const stats = this.siteStats(definition.id);
      return {
        id: definition.id,
        name: definition.name,
        kind: definition.kind,
        sandbox: definition.sandbox,
        limits: definition.limits,
        timeoutMs: definition.timeoutMs,
        retries: definition.retries,
        status: unavailableReason ? 'skipped' : 'active',
        ...(unavailableReason ? { reason: unavailableReason } : {}),
        ...(stats ? { stats } : {}),
      };
    });
  }

  /** Searches running now, and site jobs waiting in the dispatcher. */
  load(): { readonly runningSearches: number; readonly bufferedJobs: number } {
    return { runningSearches: this.running.size, bufferedJobs: this.dispatcher.size };
  }

  /**
   * Shutdown: stops admitting searches and starting requests, lets the requests in flight finish
   * (at most `drainMs`, default 10 s) so their answers are kept, then ends what is still open as
   * interrupted.
   */
  async close(drainMs = 10_000): Promise<void> {
    this.accepting = false;
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.all([...this.sitesById.values()].map((site) => site.consumer.drain()));
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs);
    });
    await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    for (const searchId of [...this.running.keys()]) this.end(searchId, 'shutdown');
    for (const site of this.sitesById.values()) {
      site.consumer.close();
      site.circuit.close();
    }
  }
}

/** opossum rejects with code EOPENBREAKER while the circuit is open (or a probe is out). */
function isCircuitOpen(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'EOPENBREAKER';
}
