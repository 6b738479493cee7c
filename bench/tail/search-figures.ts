/**
 * What the tail bench reads from the searches of a round: their times, how their site jobs ended,
 * the hedges they sent, and how far past its deadline a search ended — all from each search's
 * own event log, as a user's result page shows it.
 */
import { isSiteEndEvent, type SearchSnapshot } from '../../lib/types';
import { percentile, round } from '../../scripts/support/figures';

/** Percentiles of a duration, in ms. */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** How the site jobs of some searches ended. */
export interface JobEnds {
  /** Jobs that ended at all (`site:done`, `site:failed`, `site:skipped`, `site:cancelled`). */
  readonly ended: number;
  readonly done: number;
  /** `site:failed` by reason (`deadline`, the site's error …). */
  readonly failed: Readonly<Record<string, number>>;
  readonly skipped: number;
  readonly cancelled: number;
}

/** The figures of some searches. */
export interface SearchFigures {
  readonly searches: number;
  /** `search:completed`'s `at` minus the search's `createdAt`. */
  readonly searchMs: Percentiles;
  /** Largest `search:completed` `at` minus `deadlineAt`: > 0 is an overshoot; negative when no search reached its deadline. */
  readonly maxPastDeadlineMs: number;
  /** Searches with at least one job failed for `deadline` (still open at the deadline, or no time left for its retry). */
  readonly withDeadlineFailure: number;
  readonly jobs: JobEnds;
  /** Jobs failed for `deadline`, by site id. */
  readonly deadlineFailuresBySite: Readonly<Record<string, number>>;
  /** `site:hedged` events, by site id. */
  readonly hedgesBySite: Readonly<Record<string, number>>;
  readonly hedges: number;
}

/** Percentiles of `values` (nearest rank), rounded to whole ms. */
export function percentiles(values: readonly number[]): Percentiles {
  return {
    p50: round(percentile(values, 50), 0),
    p95: round(percentile(values, 95), 0),
    p99: round(percentile(values, 99), 0),
    max: round(Math.max(...values), 0),
  };
}

/** When a search ended: its `search:completed` event (or, failing that, its `completedAt`). */
export function endOf(snapshot: SearchSnapshot): number {
  const completed = snapshot.events.find((event) => event.type === 'search:completed');
  return completed?.at ?? snapshot.search.completedAt ?? Number.NaN;
}

/** The figures of `snapshots`. */
export function searchFigures(snapshots: readonly SearchSnapshot[]): SearchFigures {
  const times: number[] = [];
  let maxPastDeadlineMs = Number.NEGATIVE_INFINITY;
  let withDeadlineFailure = 0;
  const failed: Record<string, number> = {};
  const hedgesBySite: Record<string, number> = {};
  const deadlineFailuresBySite: Record<string, number> = {};
  let ended = 0;
  let done = 0;
  let skipped = 0;
  let cancelled = 0;
  for (const snapshot of snapshots) {
    const end = endOf(snapshot);
    times.push(end - snapshot.search.createdAt);
    maxPastDeadlineMs = Math.max(maxPastDeadlineMs, end - snapshot.search.deadlineAt);
    let deadlineFailures = 0;
    for (const event of snapshot.events) {
      switch (event.type) {
        case 'site:hedged':
          hedgesBySite[event.siteId] = (hedgesBySite[event.siteId] ?? 0) + 1;
          break;
        case 'site:done':
          ended++;
          done++;
          break;
        case 'site:failed':
          ended++;
          failed[event.data.reason] = (failed[event.data.reason] ?? 0) + 1;
          if (event.data.reason === 'deadline') {
            deadlineFailures++;
            deadlineFailuresBySite[event.siteId] = (deadlineFailuresBySite[event.siteId] ?? 0) + 1;
          }
          break;
        case 'site:skipped':
          ended++;
          skipped++;
          break;
        case 'site:cancelled':
          ended++;
          cancelled++;
          break;
        default:
          break;
      }
    }
    if (deadlineFailures > 0) withDeadlineFailure++;
  }
  return {
    searches: snapshots.length,
    searchMs: percentiles(times),
    maxPastDeadlineMs: round(maxPastDeadlineMs, 0),
    withDeadlineFailure,
    jobs: { ended, done, failed, skipped, cancelled },
    deadlineFailuresBySite,
    hedgesBySite,
    hedges: Object.values(hedgesBySite).reduce((sum, n) => sum + n, 0),
  };
}

/** Of the searches slower than `ms`, how many sent a hedge: whether the slow ones were left unhedged. */
export function slowerThan(snapshots: readonly SearchSnapshot[], ms: number): { readonly searches: number; readonly hedged: number } {
  const slow = snapshots.filter((snapshot) => endOf(snapshot) - snapshot.search.createdAt > ms);
  return { searches: slow.length, hedged: slow.filter((snapshot) => snapshot.events.some((event) => event.type === 'site:hedged')).length };
}

/** `on / off`, to 2 decimals; `–` when it means nothing (off is 0 or negative, or either is missing). */
export function ratio(on: number | undefined, off: number | undefined): number | string {
  if (on === undefined || off === undefined || !Number.isFinite(on) || !Number.isFinite(off) || off <= 0 || on < 0) return '–';
  return round(on / off, 2);
}

/** `met` or `MISSED`, as the other benches print a target. */
export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** The job that ended a slow search last, and where its time went. */
export interface LastJob {
  readonly siteId: string;
  /**
   * Search created → the job's first `site:started`: the wait for a slot of its site (the pipeline
   * records `site:scheduled` only when the slot is free) and for its send window. The whole time
   * when it never started.
   */
  readonly queuedMs: number;
  /** First `site:started` → its end (0 when it never started). */
  readonly ranMs: number;
  readonly attempts: number;
  readonly hedged: boolean;
  /** `done`, or the failure's reason. */
  readonly end: string;
  /** Its events, ms after the search was created: `start#1 0 · retry 2839 (timeout after 2839 ms) · start#2 3050 · done 4343`. */
  readonly timeline: string;
}

/**
 * For each search slower than `ms`, the job that ended last (the one the user waited for): did it
 * wait for its site's slot, or was its request slow, or was it retried? Says what a faster tail
 * needs — a hedge only helps a request that runs long, not a job that waits for a slot.
 */
export function lastJobs(snapshots: readonly SearchSnapshot[], ms: number): LastJob[] {
  const jobs: LastJob[] = [];
  for (const snapshot of snapshots) {
    if (endOf(snapshot) - snapshot.search.createdAt <= ms) continue;
    const bySite = new Map<string, typeof snapshot.events>();
    for (const event of snapshot.events) {
      if (!event.siteId) continue;
      bySite.set(event.siteId, [...(bySite.get(event.siteId) ?? []), event]);
    }
    let last: LastJob | undefined;
    let lastAt = Number.NEGATIVE_INFINITY;
    for (const [siteId, events] of bySite) {
      const ending = events.findLast(isSiteEndEvent);
      if (!ending || ending.at < lastAt) continue;
      const started = events.find((event) => event.type === 'site:started')?.at;
      lastAt = ending.at;
      last = {
        siteId,
        queuedMs: (started ?? ending.at) - snapshot.search.createdAt,
        ranMs: started === undefined ? 0 : ending.at - started,
        attempts: events.filter((event) => event.type === 'site:started').length,
        hedged: events.some((event) => event.type === 'site:hedged'),
        end: ending.type === 'site:failed' ? ending.data.reason : ending.type.slice('site:'.length),
        timeline: events.map((event) => describeStep(event, snapshot.search.createdAt)).join(' · '),
      };
    }
    if (last) jobs.push(last);
  }
  return jobs;
}

/** One event of a job's timeline, for `LastJob.timeline`. */
function describeStep(event: SearchSnapshot['events'][number], createdAt: number): string {
  const at = Math.round(event.at - createdAt);
  const name = event.type.slice('site:'.length);
  switch (event.type) {
    case 'site:started':
      return `start#${event.data.attempt} ${at}`;
    case 'site:retrying':
    case 'site:rate_limited':
    case 'site:failed':
      return `${name} ${at} (${event.data.reason})`;
    case 'site:hedged':
      return `hedged ${at} (after ${Math.round(event.data.delayMs)})`;
    default:
      return `${name} ${at}`;
  }
}

/** What the last jobs of slow searches had in common, counted: the shape of the tail. */
export function lastJobShapes(jobs: readonly LastJob[]): Record<string, number> {
  const count = (test: (job: LastJob) => boolean) => jobs.filter(test).length;
  return {
    searches: jobs.length,
    'first attempt timed out': count((job) => /^start#1 \d+ · (hedged \d+ \([^)]*\) · )?retrying \d+ \(timeout/.test(job.timeline.replace(/^scheduled \d+ · /, ''))),
    'retried after a fault': count((job) => /retrying \d+ \((?!timeout)/.test(job.timeline)),
    hedged: count((job) => job.hedged),
    'queued over 500 ms': count((job) => job.queuedMs > 500),
    'ended done': count((job) => job.end === 'done'),
    'ended at the deadline': count((job) => job.end === 'deadline'),
  };
}
