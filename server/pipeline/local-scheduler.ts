/**
 * The scheduler of one process: the dispatcher buffers jobs, one site consumer per site runs
 * them under that site's limits, and jobs move only against the consumers' demand.
 *
 *   enqueue ──▶ [ dispatcher ] ──jobs ≤ demand──▶ schedule(job)? ──▶ [ site consumer × N ] ──▶ run(job)
 *                    ▲                                  │ declined: the slot asks again │
 *                    └──────────── demand: 1 per freed slot ◀──────────────────────────┘
 *
 * Example: a search over 10 sites is enqueued. After the current macrotask each consumer with a
 * free slot gets its job; the pipeline takes it (`site:scheduled`) and p-queue starts it when
 * the site's window allows. A retry is enqueued with `delayMs`: one timer, then it joins the
 * front of its search's jobs for that site.
 *
 * Invariants (besides those of `scheduler.ts`):
 * - New jobs are handed out once the current macrotask ends (one `setImmediate` for all): a
 *   caller that submits many searches in one go would otherwise start requests whose bytes leave
 *   only after all its synchronous work — p-queue stamps their start early, the site sees them
 *   arrive late, and the next window's requests arrive too close behind them (measured: 60
 *   searches submitted in one loop put `concurrency` extra requests into a site's window).
 * - A job declined by `schedule` gives its slot back at once (the dispatcher is asked again).
 */
import type { Logger } from 'pino';
import type { SiteLimits } from '../sites/site-definition';
import { Dispatcher, type Delivery } from './dispatcher';
import type { EnqueueOptions, Scheduler, SchedulerHooks, SchedulerSiteStats, SiteRateFeedback, SpareSlot } from './scheduler';
import { SiteConsumer } from './site-consumer';
import type { SiteJob } from './site-job';

/** Options of the local scheduler. */
export interface LocalSchedulerOptions {
  /** The sites it runs, with their limits. */
  readonly sites: readonly { readonly id: string; readonly limits: SiteLimits }[];
  readonly hooks: SchedulerHooks;
  readonly logger: Logger;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Dispatcher + one p-queue consumer per site, in this process. */
export class LocalScheduler implements Scheduler {
  private readonly dispatcher = new Dispatcher();
  private readonly consumers = new Map<string, SiteConsumer>();
  private readonly hooks: SchedulerHooks;
  /** Deliveries waiting for the end of the macrotask that made them. */
  private readonly deferred: Delivery[] = [];
  /** Delayed enqueues by search, so `removeSearch` can drop them. */
  private readonly delayed = new Map<string, Set<NodeJS.Timeout>>();

  constructor(options: LocalSchedulerOptions) {
    this.hooks = options.hooks;
    for (const { id, limits } of options.sites) {
      const consumer = new SiteConsumer({
        siteId: id,
        limits,
        logger: options.logger,
        now: options.now,
        ask: (count) => this.deliver(this.dispatcher.handleDemand(id, count)),
        run: (job) => this.hooks.run(job),
      });
      this.consumers.set(id, consumer);
    }
    for (const consumer of this.consumers.values()) consumer.start();
  }

  enqueue(jobs: readonly SiteJob[], options: EnqueueOptions = {}): void {
    if (jobs.length === 0) return;
    const { front = false, delayMs = 0 } = options;
    if (delayMs > 0) {
      this.enqueueLater(jobs, front, delayMs);
      return;
    }
    const deliveries = this.dispatcher.enqueue(jobs, { front });
    // A retry goes out at once (its delay already ended in a timer); new searches wait for the
    // end of the macrotask (see the invariants above).
    if (front) for (const delivery of deliveries) this.deliver(delivery);
    else this.deliverSoon(deliveries);
  }

  private enqueueLater(jobs: readonly SiteJob[], front: boolean, delayMs: number): void {
    const searchId = jobs[0]!.searchId;
    let timers = this.delayed.get(searchId);
    if (!timers) this.delayed.set(searchId, (timers = new Set()));
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (timers.size === 0) this.delayed.delete(searchId);
      this.enqueue(jobs, { front });
    }, delayMs);
    timers.add(timer);
  }

  private deliverSoon(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return;
    this.deferred.push(...deliveries);
    if (this.deferred.length > deliveries.length) return;
    setImmediate(() => {
      for (const delivery of this.deferred.splice(0)) this.deliver(delivery);
    });
  }

  /** Offers delivered jobs to the pipeline; declined ones give their demand back at once. */
  private deliver(delivery: Delivery | undefined): void {
    while (delivery) {
      const taken = delivery.jobs.filter((job) => this.hooks.schedule(job));
      if (taken.length > 0) this.consumers.get(delivery.siteId)!.handleEvents(taken);
      const declined = delivery.jobs.length - taken.length;
      if (declined === 0) return;
      delivery = this.dispatcher.handleDemand(delivery.siteId, declined);
    }
  }

  removeSearch(searchId: string): void {
    for (const timer of this.delayed.get(searchId) ?? []) clearTimeout(timer);
    this.delayed.delete(searchId);
    this.dispatcher.removeSearch(searchId);
  }

  limiter(siteId: string): SiteRateFeedback {
    const consumer = this.consumers.get(siteId);
    if (!consumer) throw new Error(`no site consumer for ${siteId}`);
    return consumer;
  }

  spareSlot(siteId: string): SpareSlot | undefined {
    const consumer = this.consumers.get(siteId);
    if (!consumer?.canLend() || !this.dispatcher.withdrawDemand(siteId)) return undefined;
    return consumer.lend();
  }

  siteStats(siteId: string): SchedulerSiteStats | undefined {
    const consumer = this.consumers.get(siteId);
    if (!consumer) return undefined;
    return { buffered: this.dispatcher.sizeOf(siteId), ...consumer.stats() };
  }

  get bufferedJobs(): number {
    return this.dispatcher.size;
  }

  async drain(): Promise<void> {
    for (const timers of this.delayed.values()) for (const timer of timers) clearTimeout(timer);
    this.delayed.clear();
    await Promise.all([...this.consumers.values()].map((consumer) => consumer.drain()));
  }

  close(): void {
    for (const consumer of this.consumers.values()) consumer.close();
  }
}
