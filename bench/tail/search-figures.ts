/**
 * What the tail bench reads from the searches of a round: their times, how their site jobs ended,
 * the hedges they sent, and how far past its deadline a search ended — all from each search's
 * own event log, as a user's result page shows it.
 */
import type { SearchSnapshot } from '../../lib/types';
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
