/**
 * The attempts of site jobs: what happens between a job's admission and its one terminal
 * event, whichever lifecycle owns the job (one process's pipeline, or the cluster's).
 *
 *   admit ─▶ cache / request in flight? ─▶ done            (no queue, no request)
 *     │
 *     ▼ scheduler ─▶ schedule: circuit open ─▶ skipped · paused past deadline ─▶ failed · else scheduled
 *                      │
 *                      ▼ run ─▶ started ─▶ requester ─▶ done
 *                              ▲   │           └─ error ─▶ skipped · failed · retrying ─(delay, same slot)─┐
 *                              │   │                                 └ rate limited ─(delay)─▶ scheduler │
 *                              │   └─ timeout from the site's latency model; slow: hedged                 │
 *                              └──────────────────────────────────────────────────────────────────────────┘
 *
 * Example: a job for a site that answers 502 at 1.2 s into a 5 s search: `planRetry` allows one
 * more attempt after 140 ms, so the runner records `site:retrying` (delayMs 140), keeps the job's
 * slot through the wait and starts attempt 2 at 1.34 s. Had the site answered 429 with
 * Retry-After: 2, the job would go back to the scheduler (`site:rate_limited`), which holds the
 * whole site until then.
 *
 * Invariants:
 * - Every transition goes through the ledger, which drops those of a job that is no longer
 *   open: a job ends in exactly one terminal event, whatever races it (cancel, deadline).
 * - An attempt gets the time the site's hedge policy allows (twice its p99 once its latency model
 *   is ready, never more than the definition's `timeoutMs`), cut to what is left before the
 *   deadline; a hung request is thus abandoned while a retry still has time.
 * - A retry is planned only when it can start before the deadline; an attempt cut short to end
 *   by the deadline ends the job with reason `deadline`, not as a fault of the site.
 * - A retry the site did not ask to delay keeps the job's slot through its backoff; one it did
 *   (429, Retry-After) MUST go back to the scheduler, and so must any retry whose site paused
 *   during the backoff: only the scheduler waits out a pause for the whole site.
 * - An attempt of an ended job is abandoned silently: its search's signal was aborted.
 */
import type { SearchEventDraftOf, SiteEndEventType, SiteEventType } from '../../lib/types';
import { CircuitOpenError, QueryNotSupportedError, SiteTimeoutError } from '../errors';
import type { SiteAnswer } from '../sites/connector';
import { bestMatch } from '../sites/match';
import { planRetry } from './attempt';
import type { Scheduler } from './scheduler';
import type { SiteJob } from './site-job';
import type { SiteRequester } from './site-requester';

/** A transition of a job that does not end it. */
export type SiteProgressDraft = SearchEventDraftOf<Exclude<SiteEventType, SiteEndEventType>>;

/** The one event that ends a job. */
export type SiteEndDraft = SearchEventDraftOf<SiteEndEventType>;

/** What the runner needs of the lifecycle that owns the jobs. */
export interface JobLedger {
  /** Whether the job is still open: its search running, the job not ended. */
  isOpen(job: SiteJob): boolean;
  /** Records a transition of an open job. */
  record(job: SiteJob, draft: SiteProgressDraft): void;
  /** Ends an open job with its terminal event; a job already ended stays as it was. */
  finish(job: SiteJob, draft: SiteEndDraft): void;
}

/** Options of a job runner. */
export interface SiteJobRunnerOptions {
  /** The request path of each site that can be searched, by site id. */
  readonly requesters: ReadonlyMap<string, SiteRequester>;
  readonly scheduler: Scheduler;
  readonly ledger: JobLedger;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Runs site jobs' attempts and decides after each. */
export class SiteJobRunner {
  private readonly requesters: ReadonlyMap<string, SiteRequester>;
  private readonly scheduler: Scheduler;
  private readonly ledger: JobLedger;
  private readonly now: () => number;

  constructor(options: SiteJobRunnerOptions) {
    this.requesters = options.requesters;
    this.scheduler = options.scheduler;
    this.ledger = options.ledger;
    this.now = options.now ?? Date.now;
  }

  private requester(job: SiteJob): SiteRequester {
    const requester = this.requesters.get(job.siteId);
    if (!requester) throw new Error(`no requester for site ${job.siteId}`);
    return requester;
  }

  /**
   * A new job: answers it from the cache or an identical request in flight, or ends it when its
   * site is paused past its deadline. True when the job must queue.
   */
  admit(job: SiteJob): boolean {
    return !this.answerWithoutQueue(job) && !this.failIfPausedPastDeadline(job);
  }

  /**
   * The scheduler offers a job a free slot: take it (`site:scheduled`), or end it here when its
   * site's circuit is open (`skipped`, without spending the site's rate) or the site asked to be
   * left alone past its deadline (`failed`).
   */
  schedule(job: SiteJob): boolean {
    if (!this.ledger.isOpen(job)) return false;
    if (this.requester(job).circuitOpen()) {
      this.ledger.finish(job, { type: 'site:skipped', siteId: job.siteId, data: { reason: 'circuit open' } });
      return false;
    }
    if (this.failIfPausedPastDeadline(job)) return false;
    this.ledger.record(job, { type: 'site:scheduled', siteId: job.siteId });
    return true;
  }

  /**
   * Ends a job at once when its site asked to be left alone (Retry-After, a spent quota) until
   * after the job's deadline: waiting would only hold the search to its deadline. True when ended.
   */
  private failIfPausedPastDeadline(job: SiteJob): boolean {
    const { pausedUntil } = this.scheduler.limiter(job.siteId);
    if (pausedUntil < job.deadlineAt) return false;
    this.ledger.finish(job, {
      type: 'site:failed',
      siteId: job.siteId,
      data: { attempt: job.attempts, reason: `rate limited: the site asked to wait until ${new Date(pausedUntil).toISOString()}` },
    });
    return true;
  }

  /**
   * Answers a new job from the cache, or from an identical request already in flight, without
   * queueing it. Returns false when the job must queue.
   */
  private answerWithoutQueue(job: SiteJob): boolean {
    const requester = this.requester(job);
    const cached = requester.cached(job.answerKey);
    const { siteId } = job;
    if (cached) {
      this.ledger.record(job, { type: 'site:scheduled', siteId });
      this.finishDone(job, cached, 0, 'cache');
      return true;
    }
    const inFlight = requester.inFlight(job.answerKey);
    if (!inFlight) return false;
    const started = this.now();
    this.ledger.record(job, { type: 'site:scheduled', siteId });
    this.ledger.record(job, { type: 'site:started', siteId, data: { attempt: 1, reason: 'coalesced' } });
    job.attempts = 1;
    job.firstStartedAt = started;
    inFlight.then(
      (answer) => {
        if (this.ledger.isOpen(job)) this.finishDone(job, answer, this.now() - started, 'coalesced');
      },
      () => {
        // The shared request failed: this job tries on its own, within its own deadline.
        if (!this.ledger.isOpen(job)) return;
        job.attempts = 0;
        this.scheduler.enqueue([job], { front: true });
      },
    );
    return true;
  }

  private finishDone(job: SiteJob, answer: SiteAnswer, latencyMs: number, source?: 'cache' | 'coalesced'): void {
    const match = bestMatch(job.query, answer.listings);
    this.ledger.finish(job, {
      type: 'site:done',
      siteId: job.siteId,
      data: {
        attempt: job.attempts,
        latencyMs,
        outcome: match.outcome,
        score: match.score,
        ...(source ? { reason: source } : {}),
        ...(match.listing ? { listing: match.listing, fields: match.fields } : {}),
      },
    });
  }

  /**
   * The attempts of a job the scheduler started, in the slot it was given; never rejects. A retry
   * after a timeout or a fault keeps the slot through its backoff (`retryInSlot`); a retry the
   * site asked for (429, Retry-After) goes back to the scheduler, which waits out the pause.
   */
  async run(job: SiteJob): Promise<void> {
    for (;;) {
      const retryAfterMs = await this.attempt(job);
      if (retryAfterMs === undefined || !(await this.retryInSlot(job, retryAfterMs))) return;
    }
  }

  /** One attempt; the backoff before a retry in the same slot, or undefined when there is none. */
  private async attempt(job: SiteJob): Promise<number | undefined> {
    if (!this.ledger.isOpen(job)) return undefined;
    const requester = this.requester(job);
    const cached = requester.cached(job.answerKey);
    if (cached) {
      this.finishDone(job, cached, 0, 'cache');
      return undefined;
    }
    const startedAt = this.now();
    job.attempts++;
    job.firstStartedAt ??= startedAt;
    this.ledger.record(job, { type: 'site:started', siteId: job.siteId, data: { attempt: job.attempts } });
    const { definition } = requester.connector;
    const timeout = requester.hedging.attemptTimeout(job.deadlineAt - startedAt, job.attempts <= definition.retries);
    try {
      const { answer, coalesced } = await requester.request({
        query: job.query,
        answerKey: job.answerKey,
        signal: job.abort.signal,
        timeoutMs: timeout.timeoutMs,
        startedAt,
        deadlineAt: job.deadlineAt,
        onHedged: (delayMs) => this.ledger.record(job, { type: 'site:hedged', siteId: job.siteId, data: { attempt: job.attempts, delayMs } }),
      });
      if (this.ledger.isOpen(job)) this.finishDone(job, answer, this.now() - startedAt, coalesced ? 'coalesced' : undefined);
      return undefined;
    } catch (error) {
      return this.attemptFailed(job, error, { startedAt, cutByDeadline: timeout.cutByDeadline, retries: definition.retries });
    }
  }

  /**
   * Waits out a retry's backoff in the job's slot. Measured on the sandbox (`npm run bench:tail`),
   * retries handed back to the queue of a site of concurrency 2 waited 0.9–1.6 s for a slot after
   * a 100–200 ms backoff, and then failed at the deadline; the job is its site's oldest, so
   * keeping its slot for the backoff takes no turn that was not its own. True when the next
   * attempt may start here; false when the job ended meanwhile (cancel, deadline, circuit open)
   * or went back to the scheduler because its site pushed back meanwhile.
   */
  private async retryInSlot(job: SiteJob, delayMs: number): Promise<boolean> {
    const signal = job.abort.signal;
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, delayMs);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
    if (!this.ledger.isOpen(job)) return false;
    if (this.requester(job).circuitOpen()) {
      this.ledger.finish(job, { type: 'site:skipped', siteId: job.siteId, data: { attempt: job.attempts, reason: 'circuit open' } });
      return false;
    }
    if (this.scheduler.limiter(job.siteId).pausedUntil > this.now()) {
      this.scheduler.enqueue([job], { front: true });
      return false;
    }
    return true;
  }

  /** After a failed attempt: skip, fail, or retry within the deadline. Returns the backoff of a retry in the job's slot. */
  private attemptFailed(
    job: SiteJob,
    error: unknown,
    attempt: { startedAt: number; cutByDeadline: boolean; retries: number },
  ): number | undefined {
    const { siteId } = job;
    if (error instanceof CircuitOpenError) {
      this.ledger.finish(job, { type: 'site:skipped', siteId, data: { attempt: job.attempts, reason: 'circuit open' } });
      return;
    }
    if (error instanceof QueryNotSupportedError) {
      this.ledger.finish(job, { type: 'site:skipped', siteId, data: { attempt: job.attempts, reason: error.reason } });
      return;
    }
    if (job.abort.signal.aborted || !this.ledger.isOpen(job)) return;
    const latencyMs = this.now() - attempt.startedAt;
    if (error instanceof SiteTimeoutError && attempt.cutByDeadline) {
      // The attempt was cut short to end by the deadline: the deadline, not the site, ended it.
      this.ledger.finish(job, { type: 'site:failed', siteId, data: { attempt: job.attempts, latencyMs, reason: 'deadline' } });
      return;
    }
    const decision = planRetry(error, {
      attempts: job.attempts,
      retries: attempt.retries,
      now: this.now(),
      deadlineAt: job.deadlineAt,
    });
    if (!decision.retry) {
      this.ledger.finish(job, { type: 'site:failed', siteId, data: { attempt: job.attempts, latencyMs, reason: decision.reason } });
      return;
    }
    const data = { attempt: job.attempts, delayMs: decision.delayMs, reason: decision.reason };
    if (!decision.rateLimited) {
      this.ledger.record(job, { type: 'site:retrying', siteId, data });
      return decision.delayMs;
    }
    this.ledger.record(job, { type: 'site:rate_limited', siteId, data });
    this.scheduler.enqueue([job], { front: true, delayMs: decision.delayMs });
    return undefined;
  }
}
