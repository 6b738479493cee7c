'use client';

import { memo } from 'react';
import { cellOf, coverageSites, coverageTotals, type CoverageCell, type CoverageSite } from '@/lib/bulk-coverage';
import { formatPercent } from '@/lib/format';
import type { SiteResult } from '@/lib/types';
import type { StartedSearch } from './bulk-run';
import { card, muted } from './ui';
import type { SearchProgress } from './use-bulk-run-progress';

/** Each cell as a mark, a word and a colour: the mark and the word carry it without the colour. */
const CELLS: Record<CoverageCell, { mark: string; label: string; className: string }> = {
  found: { mark: '✓', label: 'found', className: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100' },
  partial: { mark: '!', label: 'found, possible errors', className: 'bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100' },
  not_found: { mark: '–', label: 'not found', className: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300' },
  failed: { mark: '✕', label: 'failed', className: 'bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100' },
  skipped: { mark: '·', label: 'skipped', className: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300' },
  cancelled: { mark: '⊘', label: 'cancelled', className: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300' },
  open: { mark: '○', label: 'still running', className: 'bg-white text-slate-500 dark:bg-slate-900 dark:text-slate-400' },
};

const cellBox = 'h-6 w-6 min-w-6 border border-white text-center align-middle text-[11px] font-semibold leading-none dark:border-slate-950';

// Memoized: a row redraws only when its own search's progress was replaced, or the columns changed.
const CoverageRow = memo(function CoverageRow({ started, results, sites }: { started: StartedSearch; results: readonly SiteResult[]; sites: readonly CoverageSite[] }) {
  const bySite = new Map(results.map((result) => [result.siteId, result]));
  return (
    <tr data-search={started.id}>
      <th scope="row" className="sticky left-0 z-10 max-w-48 truncate bg-white px-2 py-0.5 text-left font-normal dark:bg-slate-900" title={started.name}>
        {started.name}
      </th>
      {sites.map((site) => {
        const kind = cellOf(bySite.get(site.siteId));
        const cell = CELLS[kind];
        return (
          <td key={site.siteId} data-site={site.siteId} data-cell={kind} title={`${started.name} on ${site.siteName}: ${cell.label}`} className={`${cellBox} ${cell.className}`}>
            <span aria-hidden="true">{cell.mark}</span>
            <span className="sr-only">{cell.label}</span>
          </td>
        );
      })}
    </tr>
  );
});

const NO_RESULTS: readonly SiteResult[] = [];

/**
 * The coverage matrix of a bulk run: one row per business, one column per site, each cell its
 * outcome; the last row says on what share of the businesses each site lists them.
 */
export function BulkCoverageMatrix({ searches, progress }: { searches: readonly StartedSearch[]; progress: ReadonlyMap<string, SearchProgress> }) {
  const rows = searches.map((started) => progress.get(started.id)?.results ?? NO_RESULTS);
  const sites = coverageSites(rows);
  if (sites.length === 0) return null;
  const totals = coverageTotals(rows, sites);
  return (
    <section aria-labelledby="coverage-heading" className={`${card} p-4`}>
      <h3 id="coverage-heading" className="text-base font-semibold">
        Coverage: each business on each site
      </h3>
      <ul aria-label="Legend" className={`mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs ${muted}`}>
        {Object.values(CELLS).map((cell) => (
          <li key={cell.label} className="flex items-center gap-1">
            <span aria-hidden="true" className={`inline-flex h-4 w-4 items-center justify-center rounded-sm text-[10px] font-semibold ${cell.className}`}>
              {cell.mark}
            </span>
            {cell.label}
          </li>
        ))}
      </ul>
      {/* relative: the cells' sr-only words are absolutely placed, and must scroll (and clip) with the table, not widen the page. */}
      <div className="relative mt-3 max-h-[32rem] overflow-auto">
        <table className="border-collapse text-xs">
          <caption className="sr-only">Coverage of the bulk run: one row per business, one column per site</caption>
          <thead>
            <tr>
              <th scope="col" className="sticky left-0 top-0 z-20 bg-white px-2 text-left align-bottom dark:bg-slate-900">
                Business
              </th>
              {sites.map((site) => (
                <th key={site.siteId} scope="col" title={site.siteName} className="sticky top-0 z-10 h-28 w-6 bg-white p-0 align-bottom font-normal dark:bg-slate-900">
                  <span className="mx-auto block max-h-28 overflow-hidden whitespace-nowrap py-1 [writing-mode:vertical-rl] rotate-180">{site.siteName}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {searches.map((started, i) => (
              <CoverageRow key={started.id} started={started} results={rows[i]!} sites={sites} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="sticky left-0 bg-white px-2 py-1 text-left dark:bg-slate-900">
                Listed on
              </th>
              {sites.map((site) => {
                const total = totals.get(site.siteId)!;
                return (
                  <td key={site.siteId} data-site={site.siteId} className="h-28 w-6 p-0 align-top" title={`${site.siteName}: lists ${total.listed} of ${total.answered} businesses that it answered for`}>
                    <span className="mx-auto block whitespace-nowrap py-1 tabular-nums [writing-mode:vertical-rl] rotate-180">
                      {total.share === undefined ? '–' : `${formatPercent(total.share)} (${total.listed}/${total.answered})`}
                    </span>
                  </td>
                );
              })}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
