/**
 * Figures the result pages derive from a search's state: the NAP accuracy score and the time
 * left. Pure, so the search page, the bulk page and their tests agree.
 */
import type { FieldVerdict, SiteResult } from './types';

/** NAP accuracy of a search: how many supplied fields the listings found show correctly. */
export interface NapAccuracy {
  /** Field verdicts that are `match`. */
  readonly matched: number;
  /** Field verdicts over every listing found (found and possible errors). */
  readonly compared: number;
  /** Listings found. */
  readonly listings: number;
  /** matched / compared, 0–1; undefined before any listing is found. */
  readonly score?: number;
}

/**
 * The NAP accuracy score: of the fields the user supplied (the name always; the address when a
 * location was given; phone and website when given), the share that the listings found show
 * correctly — `match` verdicts over all verdicts, across every site that listed the business.
 * Sites without a listing do not count: they are the "not found" figure.
 *
 * Example: 3 sites list the business; the query gave name and phone; two list both right, one
 * has an old phone → 5 matches of 6 verdicts → 83 %.
 */
export function napAccuracy(results: readonly SiteResult[]): NapAccuracy {
  let matched = 0;
  let compared = 0;
  let listings = 0;
  for (const result of results) {
    if (!result.listing || !result.fields) continue;
    listings++;
    for (const verdict of Object.values<FieldVerdict>(result.fields)) {
      compared++;
      if (verdict === 'match') matched++;
    }
  }
  return compared === 0 ? { matched, compared, listings } : { matched, compared, listings, score: matched / compared };
}

/** Inputs of {@link estimateRemainingMs}. */
export interface ProgressFigures {
  /** Site jobs in all. */
  readonly total: number;
  /** Site jobs not yet terminal. */
  readonly open: number;
  /** When the work started (ms since epoch). */
  readonly startedAt: number;
  readonly now: number;
  /** When open jobs end at the latest (the search's deadline), if known. */
  readonly deadlineAt?: number;
}

/**
 * Time left, from the live rate: open jobs ÷ jobs answered per ms so far, never past the
 * deadline (where open jobs end as failed). Undefined while nothing has answered and no
 * deadline is known; 0 once nothing is open.
 */
export function estimateRemainingMs({ total, open, startedAt, now, deadlineAt }: ProgressFigures): number | undefined {
  if (open <= 0) return 0;
  const toDeadline = deadlineAt === undefined ? undefined : Math.max(0, deadlineAt - now);
  const answered = total - open;
  const elapsed = now - startedAt;
  if (answered <= 0 || elapsed <= 0) return toDeadline;
  const byRate = open / (answered / elapsed);
  return toDeadline === undefined ? byRate : Math.min(byRate, toDeadline);
}
