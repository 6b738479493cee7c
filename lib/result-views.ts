/**
 * Which sites of a result page need the user's attention, and the page's views of them: a
 * listing manager reads a result for what to fix, not in the sites' order.
 *
 *   found with possible errors ─▶ fix the listing          ┐
 *   not found                  ─▶ create a listing          ├ needs attention, in this order
 *   failed                     ─▶ nothing known: try again  ┘
 *   still running · skipped · cancelled ─▶ then these
 *   found                      ─▶ last: nothing to do
 *
 * Example: 41 sites, 26 found, 1 with possible errors, 13 not found, 1 failed → "Needs attention
 * (15)" lists the one with possible errors first, then the 13 not found, then the failed one.
 *
 * Invariants: pure; the order within a group is the sites' own (stable); every view is a subset
 * of `all` and the counts are those of the views.
 */
import type { SiteResult } from './types';

/** The views of the result table, with their chip labels. */
export const RESULT_VIEWS = [
  { view: 'attention', label: 'Needs attention' },
  { view: 'partial', label: 'Possible errors' },
  { view: 'not_found', label: 'Not found' },
  { view: 'failed', label: 'Failed' },
  { view: 'found', label: 'Found' },
  { view: 'all', label: 'All' },
] as const;

/** A view of the result table. */
export type ResultView = (typeof RESULT_VIEWS)[number]['view'];

/** The group a result is in. */
function groupOf(result: SiteResult): 'partial' | 'not_found' | 'failed' | 'found' | 'other' {
  if (result.status === 'done') return result.outcome === 'partial' ? 'partial' : result.outcome === 'found' ? 'found' : 'not_found';
  if (result.status === 'failed') return 'failed';
  return 'other';
}

const RANK = { partial: 0, not_found: 1, failed: 2, other: 3, found: 4 } as const;

/** Whether `result` is in `view`. */
export function inView(result: SiteResult, view: ResultView): boolean {
  const group = groupOf(result);
  if (view === 'all') return true;
  if (view === 'attention') return group === 'partial' || group === 'not_found' || group === 'failed';
  return group === view;
}

/** The results `view` shows, needs-attention order first when `attentionFirst`, else the sites' order. */
export function resultsInView(results: readonly SiteResult[], view: ResultView, attentionFirst: boolean): SiteResult[] {
  const shown = results.filter((result) => inView(result, view));
  if (!attentionFirst) return shown;
  return shown
    .map((result, index) => ({ result, index }))
    .sort((a, b) => RANK[groupOf(a.result)] - RANK[groupOf(b.result)] || a.index - b.index)
    .map(({ result }) => result);
}

/** How many results each view shows. */
export function viewCounts(results: readonly SiteResult[]): Record<ResultView, number> {
  const counts = Object.fromEntries(RESULT_VIEWS.map(({ view }) => [view, 0])) as Record<ResultView, number>;
  for (const result of results) for (const { view } of RESULT_VIEWS) if (inView(result, view)) counts[view]++;
  return counts;
}
