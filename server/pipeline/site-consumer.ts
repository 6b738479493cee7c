/**
 * A site consumer runs one site's jobs within that site's limits.
 *
 *   dispatcher ──jobs (≤ demand)──▶ [ site consumer: p-queue(concurrency, sliding window) ] ──▶ site
 *        ▲                                        │
 *        └────── demand: 1 per freed slot ────────┘
 *
 * Example: a site allows 2 in flight and 5 requests per second. The consumer asks for 2; both
 * start at once. When one answers, its slot frees and the consumer asks for 1 more, which starts
 * at once unless 5 requests already started in the last second, in which case p-queue holds it
 * until the window lets it through.
 *
 * Invariants:
 * - Jobs held here (waiting + running) MUST NOT exceed `concurrency`: everything else waits in
 *   the dispatcher, where fairness applies.
 * - Starts in any window of `perMs + RATE_MARGIN_MS` MUST NOT exceed `requests` (p-queue's strict
 *   sliding window; its default fixed window lets 2x the cap through at a window edge).
 * - Demand is asked for only when a slot frees; nothing polls.
 */
import PQueue from 'p-queue';
import type { SiteLimits } from '../sites/site-definition';
import type { SiteJob } from './site-job';

/**
 * Added to a site's rate window. The site counts arrivals, not our starts: two requests started
 * exactly one window apart can arrive closer together when the first meets more delay on the way.
 * 25 ms covers event-loop lag plus loopback jitter with room to spare, at a cost of ≤ 2.5% of a
 * 1 s window's throughput.
 */
export const RATE_MARGIN_MS = 25;

/** Options of a site consumer. */
export interface SiteConsumerOptions {
  readonly siteId: string;
  readonly limits: SiteLimits;
  /** Asks the dispatcher for `count` more jobs. */
  readonly ask: (count: number) => void;
  /** Runs one job's attempt; called when p-queue starts it. Must not throw. */
  readonly run: (job: SiteJob) => Promise<void>;
  /** Called when a job is handed to the queue (`site:scheduled`). */
  readonly onScheduled: (job: SiteJob) => void;
}

/** Live figures of one site's consumer. */
export interface SiteConsumerStats {
  /** Jobs in p-queue waiting for the rate window. */
  readonly queued: number;
  /** Requests in flight. */
  readonly inFlight: number;
}

/** Runs one site's jobs within its concurrency and rate limit. */
export class SiteConsumer {
  readonly siteId: string;
  private readonly queue: PQueue;
  private readonly options: SiteConsumerOptions;
  private held = 0;

  constructor(options: SiteConsumerOptions) {
    this.options = options;
    this.siteId = options.siteId;
    const { concurrency, requests, perMs } = options.limits;
    this.queue = new PQueue({
      concurrency,
      intervalCap: requests,
      interval: perMs + RATE_MARGIN_MS,
      strict: true,
    });
  }

  /** Asks for the first jobs: one per slot. */
  start(): void {
    this.options.ask(this.options.limits.concurrency);
  }

  /** Receives jobs the dispatcher hands over (never more than asked for). */
  handleEvents(jobs: readonly SiteJob[]): void {
    for (const job of jobs) {
      this.held++;
      if (this.held > this.options.limits.concurrency) {
        // A dispatcher bug, not a site fault: fail loudly rather than break a site's limit.
        throw new Error(
          `${this.siteId} received more jobs than it asked for (${this.held} held, concurrency ${this.options.limits.concurrency})`,
        );
      }
      this.options.onScheduled(job);
      this.queue
        .add(() => this.options.run(job), { signal: job.abort.signal })
        .catch(() => {
          // Aborted (cancel or deadline) before or while running: the pipeline has already
          // recorded the job's end; here only the slot is given back.
        })
        .finally(() => {
          this.held--;
          this.options.ask(1);
        });
    }
  }

  stats(): SiteConsumerStats {
    return { queued: this.queue.size, inFlight: this.queue.pending };
  }

  /** Waits until every held job has finished. */
  async onIdle(): Promise<void> {
    await this.queue.onIdle();
  }
}
