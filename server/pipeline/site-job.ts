/**
 * A site job: one search × one site, as it moves through the pipeline.
 */
import type { BusinessQuery, SearchPriority } from '../../lib/types';

/** The unit of work the dispatcher buffers and a site consumer runs. */
export interface SiteJob {
  readonly searchId: string;
  readonly siteId: string;
  readonly query: BusinessQuery;
  /** Its answer's key in the cache and among requests in flight (`answerKey`). */
  readonly answerKey: string;
  readonly priority: SearchPriority;
  /** When the search's open jobs fail with reason `deadline` (ms since epoch). */
  readonly deadlineAt: number;
  /** Aborts this job's attempts: set off by cancel and by the deadline (shared by the search's jobs). */
  readonly abort: AbortController;
  /** Attempts made so far. */
  attempts: number;
  /** When the first attempt started, for the job's latency. */
  firstStartedAt?: number;
}

