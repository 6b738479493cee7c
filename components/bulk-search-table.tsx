import Link from 'next/link';
import { memo } from 'react';
import type { StartedSearch } from './bulk-run';
import { OutcomeCounts } from './search-list';
import { StatusBadge } from './status-badge';
import { card, link, muted } from './ui';
import type { SearchProgress } from './use-bulk-run-progress';

// Memoized: a row redraws only when its own search's progress object was replaced.
const BulkRow = memo(function BulkRow({ started, progress }: { started: StartedSearch; progress: SearchProgress | undefined }) {
  const search = progress?.search;
  return (
    <tr data-search={started.id} data-status={search?.status ?? 'pending'} className="border-t border-slate-100 dark:border-slate-800">
      <td className={`px-3 py-2 tabular-nums ${muted}`}>{started.line}</td>
      <th scope="row" className="px-3 py-2 text-left font-normal">
        <Link href={started.url} className={`break-words ${link}`}>
          {started.name}
        </Link>
      </th>
      <td className="px-3 py-2">{search ? <StatusBadge status={search.status} /> : <StatusBadge status="pending" />}</td>
      <td className="px-3 py-2 text-xs tabular-nums">
        {search ? (
          <>
            <span className="block">
              {search.summary.total - search.summary.open} of {search.summary.total} sites
            </span>
            <span className={muted}>
              <OutcomeCounts item={search} />
            </span>
          </>
        ) : (
          <span className={muted}>waiting for the first event</span>
        )}
      </td>
    </tr>
  );
});

/** The searches of a bulk run, one row each: its line, business (linking to its page), status and results. */
export function BulkSearchTable({
  searches,
  progress,
}: {
  searches: readonly StartedSearch[];
  progress: ReadonlyMap<string, SearchProgress>;
}) {
  return (
    <div className={`${card} overflow-x-auto`}>
      <table className="w-full text-sm">
        <caption className="sr-only">Searches of the bulk run</caption>
        <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide dark:bg-slate-900 ${muted}`}>
          <tr>
            <th scope="col" className="w-16 px-3 py-2">Line</th>
            <th scope="col" className="px-3 py-2">Business</th>
            <th scope="col" className="px-3 py-2">Status</th>
            <th scope="col" className="px-3 py-2">Results</th>
          </tr>
        </thead>
        <tbody>
          {searches.map((started) => (
            <BulkRow key={started.id} started={started} progress={progress.get(started.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
