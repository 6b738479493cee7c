'use client';

import { useMemo, useState } from 'react';
import { RESULT_VIEWS, resultsInView, viewCounts, type ResultView } from '@/lib/result-views';
import type { SiteChangeOf } from '@/lib/scan-changes';
import type { BusinessQuery, SiteResult } from '@/lib/types';
import { SiteTable } from './site-table';
import { muted } from './ui';

const chip = (pressed: boolean) =>
  `rounded-full border px-3 py-1 text-sm font-medium ${
    pressed
      ? 'border-sky-700 bg-sky-700 text-white dark:border-sky-500 dark:bg-sky-500 dark:text-slate-950'
      : 'border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800'
  }`;

/**
 * The sites of a result: chips to show one view (needs attention, possible errors, not found,
 * failed, found, all) with its count, and the order — what needs attention first, or the sites'
 * own. A search that has ended opens with what needs attention first; a running one in the
 * sites' order, so rows do not move under the reader while they finish. The view is the page's
 * (the summary strip's counts choose it too).
 */
export function SiteResults({
  results,
  running,
  view,
  onView,
  query,
  changes,
}: {
  results: readonly SiteResult[];
  running: boolean;
  view: ResultView;
  onView: (view: ResultView) => void;
  query?: BusinessQuery;
  changes?: ReadonlyMap<string, SiteChangeOf>;
}) {
  const [attentionFirst, setAttentionFirst] = useState(!running);
  const counts = useMemo(() => viewCounts(results), [results]);
  const shown = useMemo(() => resultsInView(results, view, attentionFirst), [results, view, attentionFirst]);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 print:hidden">
        <div role="group" aria-label="Show sites" className="flex flex-wrap gap-2">
          {RESULT_VIEWS.map(({ view: option, label }) => (
            <button key={option} type="button" aria-pressed={view === option} onClick={() => onView(option)} className={chip(view === option)}>
              {label} <span className="tabular-nums">({counts[option]})</span>
            </button>
          ))}
        </div>
        <label className={`flex items-center gap-2 text-sm sm:ml-auto ${muted}`}>
          <input type="checkbox" checked={attentionFirst} onChange={(event) => setAttentionFirst(event.target.checked)} className="h-4 w-4" />
          Needs attention first
        </label>
      </div>
      <div id="sites-table">
        {shown.length === 0 ? (
          <p className={`text-sm ${muted}`}>No site in this view.</p>
        ) : (
          <SiteTable results={shown} query={query} changes={changes} />
        )}
      </div>
    </div>
  );
}
