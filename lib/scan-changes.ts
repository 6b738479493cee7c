/**
 * What changed since the last scan of the same business: the one question a listing manager asks
 * after fixing listings. Each site's result now is compared with its result in the previous scan
 * (`Store.previousScan`), site by site, by outcome and by which fields were wrong.
 *
 *   before \ now     found      partial     not found
 *   found            same       worse       lost
 *   partial          fixed      same¹       lost
 *   not found        new        new         same
 *
 *   ¹ `changed` when other fields are wrong than before (one fixed, another broken).
 *   A site that did not answer with a listing verdict in either scan (failed, skipped, cancelled,
 *   not in the other scan) is `unknown`; one still running now is `pending`.
 *
 * Example: before, yelp found, bbb partial (phone), foursquare not found, manta found; now yelp
 * found, bbb found, foursquare found, manta not found → "1 listing fixed, 1 new, 1 lost": bbb
 * fixed, foursquare new, manta lost, yelp unchanged.
 *
 * Invariants: pure; every site of the current scan gets exactly one change; the counts are the
 * number of sites with each change.
 */
import type { MatchField, Outcome, SiteResult } from './types';

/** The changes, in the order the summary line names them. */
export const SITE_CHANGES = ['fixed', 'new', 'lost', 'worse', 'changed', 'same', 'unknown', 'pending'] as const;

/** How one site's result changed since the previous scan (see the module comment). */
export type SiteChange = (typeof SITE_CHANGES)[number];

/** What a site showed in the previous scan: its outcome and the fields it had wrong. */
export interface PreviousSiteResult {
  readonly siteId: string;
  readonly outcome?: Outcome;
  /** The fields it listed wrong or not at all, sorted. */
  readonly wrong: readonly MatchField[];
}

/** The previous scan as a result page and an export compare with it. */
export interface PreviousScanSummary {
  readonly id: string;
  /** ms since epoch */
  readonly createdAt: number;
  readonly sites: readonly PreviousSiteResult[];
}

/** One site's change, with what it showed before (absent: the site was not in the previous scan or did not answer). */
export interface SiteChangeOf {
  readonly change: SiteChange;
  readonly before?: Outcome;
}

/** The fields a result lists wrong or not at all, sorted. */
export function wrongFields(result: Pick<SiteResult, 'fields'>): MatchField[] {
  return (Object.entries(result.fields ?? {}) as [MatchField, string][])
    .filter(([, verdict]) => verdict !== 'match')
    .map(([field]) => field)
    .sort();
}

/** What the comparison needs of a previous scan's results: done ones with their outcome. */
export function previousSiteResults(results: readonly SiteResult[]): PreviousSiteResult[] {
  return results.map((result) => ({
    siteId: result.siteId,
    ...(result.status === 'done' && result.outcome ? { outcome: result.outcome } : {}),
    wrong: wrongFields(result),
  }));
}

/** A previous scan as the page and the export take it. */
export function summarizePreviousScan(search: { readonly id: string; readonly createdAt: number }, results: readonly SiteResult[]): PreviousScanSummary {
  return { id: search.id, createdAt: search.createdAt, sites: previousSiteResults(results) };
}

const hasListing = (outcome: Outcome) => outcome !== 'not_found';

/** The change of one site, given what it showed before (undefined: nothing known). */
export function siteChange(before: PreviousSiteResult | undefined, now: SiteResult): SiteChangeOf {
  const was = before?.outcome;
  if (now.status !== 'done' || !now.outcome) {
    const open = now.status === 'pending' || now.status === 'scheduled' || now.status === 'running' || now.status === 'retrying';
    return { change: open ? 'pending' : 'unknown', ...(was ? { before: was } : {}) };
  }
  if (!was) return { change: 'unknown' };
  const is = now.outcome;
  let change: SiteChange;
  if (hasListing(is) && !hasListing(was)) change = 'new';
  else if (!hasListing(is) && hasListing(was)) change = 'lost';
  else if (was === 'partial' && is === 'found') change = 'fixed';
  else if (was === 'found' && is === 'partial') change = 'worse';
  else if (was === 'partial' && is === 'partial' && wrongFields(now).join() !== before.wrong.join()) change = 'changed';
  else change = 'same';
  return { change, before: was };
}

/** Every current site's change and the count of each. */
export interface ScanChanges {
  readonly bySite: ReadonlyMap<string, SiteChangeOf>;
  readonly counts: Readonly<Record<SiteChange, number>>;
}

/** Compares the current results with the previous scan's, site by site. */
export function compareScans(previous: readonly PreviousSiteResult[], current: readonly SiteResult[]): ScanChanges {
  const before = new Map(previous.map((result) => [result.siteId, result]));
  const counts = Object.fromEntries(SITE_CHANGES.map((change) => [change, 0])) as Record<SiteChange, number>;
  const bySite = new Map<string, SiteChangeOf>();
  for (const result of current) {
    const change = siteChange(before.get(result.siteId), result);
    bySite.set(result.siteId, change);
    counts[change.change]++;
  }
  return { bySite, counts };
}

/** The changes as an export carries them: the previous scan, the count of each change, each site's. */
export function changesReport(previous: PreviousScanSummary, current: readonly SiteResult[]) {
  const { counts, bySite } = compareScans(previous.sites, current);
  return {
    previous: { id: previous.id, url: `/s/${previous.id}`, createdAt: previous.createdAt },
    counts,
    sites: Object.fromEntries(bySite),
  };
}

/** Words of each change in the summary line (`2 listings fixed`) and in a table cell. */
export const CHANGE_TEXT: Record<SiteChange, { readonly summary: string; readonly cell: string; readonly arrow: string }> = {
  fixed: { summary: 'fixed', cell: 'Fixed', arrow: '↑' },
  new: { summary: 'new', cell: 'New listing', arrow: '↑' },
  lost: { summary: 'lost', cell: 'Lost', arrow: '↓' },
  worse: { summary: 'with new errors', cell: 'New errors', arrow: '↓' },
  changed: { summary: 'with other errors', cell: 'Other errors', arrow: '↔' },
  same: { summary: 'unchanged', cell: 'Unchanged', arrow: '=' },
  unknown: { summary: 'not compared', cell: 'Not compared', arrow: '·' },
  pending: { summary: 'still running', cell: 'Still running', arrow: '…' },
};

/**
 * The summary line's clauses, movements first, e.g. `["2 listings fixed", "1 new", "1 lost"]`;
 * "no change" when nothing moved. Unchanged, not compared and running sites are not clauses.
 */
export function changeClauses(counts: Readonly<Record<SiteChange, number>>): string[] {
  const moved = (['fixed', 'new', 'lost', 'worse', 'changed'] as const).filter((change) => counts[change] > 0);
  if (moved.length === 0) return ['no listing changed'];
  return moved.map((change, i) => {
    const n = counts[change];
    const noun = i === 0 ? (n === 1 ? ' listing' : ' listings') : '';
    return `${n}${noun} ${CHANGE_TEXT[change].summary}`;
  });
}
