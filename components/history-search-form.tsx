import Link from 'next/link';
import { SEARCH_STATUSES } from '@/lib/types';
import { input, primaryButton, secondaryButton } from './ui';

/**
 * The history's filter: words to find and a status, sent as a plain GET to `/history`, so it
 * works without JavaScript. Shows a Clear link while a filter is applied.
 */
export function HistorySearchForm({ q, status }: { q?: string; status?: string }) {
  return (
    <form method="get" action="/history" role="search" aria-label="Search the history" className="flex flex-wrap items-end gap-3">
      <div className="min-w-0 flex-[1_1_16rem]">
        <label htmlFor="history-q" className="block text-sm font-medium">
          Search past searches
        </label>
        <input id="history-q" name="q" type="search" defaultValue={q ?? ''} placeholder="Business name or location" className={`mt-1 ${input}`} />
      </div>
      <div>
        <label htmlFor="history-status" className="block text-sm font-medium">
          Status
        </label>
        <select id="history-status" name="status" defaultValue={status ?? ''} className={`mt-1 ${input}`}>
          <option value="">Any status</option>
          {SEARCH_STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={`${primaryButton} py-2 text-base`}>
        Search
      </button>
      {Boolean(q || status) && (
        <Link href="/history" className={`${secondaryButton} py-2 text-base`}>
          Clear
        </Link>
      )}
    </form>
  );
}
