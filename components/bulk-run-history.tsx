import Link from 'next/link';
import { formatUtcMinute } from '@/lib/format';
import type { BulkRunView, SearchListItem } from '@/lib/types';
import { HistorySearchForm } from './history-search-form';
import { SearchList } from './search-list';
import { card, link, muted, secondaryButton } from './ui';

/** A page of the history filtered by one bulk run, as `/history?bulk=<id>` loaded it. */
export interface BulkRunHistoryPage {
  readonly run: Pick<BulkRunView, 'id' | 'createdAt' | 'name'>;
  readonly items: readonly SearchListItem[];
  /** How many searches the run has. */
  readonly total: number;
  /** The first search of the page, counted from 0 in the run's order. */
  readonly offset: number;
  /** The page number, from 1. */
  readonly page: number;
  readonly pageSize: number;
}

/** What `/history?bulk=…` shows: the run's searches, or why it cannot (`runId` when the run exists). */
export type BulkRunHistoryResult = { readonly ok: true; readonly page: BulkRunHistoryPage } | { readonly ok: false; readonly error: string; readonly runId?: string };

const pageHref = (runId: string, page: number) => `/history?bulk=${runId}${page > 1 ? `&page=${page}` : ''}`;

/**
 * The history filtered by one bulk run: the run named at the top with a link back to its page and
 * a way to clear the filter, then its searches in the order of its rows, a page at a time.
 */
export function BulkRunHistory({ result, yours }: { result: BulkRunHistoryResult; yours: boolean }) {
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-semibold tracking-tight">{yours ? 'Your history' : 'History'}</h1>
      <HistorySearchForm />
      {result.ok ? (
        <BulkRunSearches page={result.page} />
      ) : (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {result.error}.{' '}
          {result.runId && (
            <>
              <Link href={`/bulk/${result.runId}`} className="font-medium underline">
                Open the bulk run
              </Link>
              {' · '}
            </>
          )}
          <Link href="/history" className="font-medium underline">
            Show all searches
          </Link>
        </div>
      )}
    </div>
  );
}

function BulkRunSearches({ page }: { page: BulkRunHistoryPage }) {
  const { run, items, total, offset } = page;
  const last = offset + items.length;
  return (
    <>
      <section aria-labelledby="bulk-filter-heading" className={`${card} space-y-1 p-4`}>
        <h2 id="bulk-filter-heading" className="text-lg font-semibold break-words">
          Searches of the bulk run{run.name ? ` of ${run.name}` : ''}
        </h2>
        <p className={`text-sm ${muted}`}>
          Started <time dateTime={new Date(run.createdAt).toISOString()}>{formatUtcMinute(run.createdAt)}</time> · {total}{' '}
          {total === 1 ? 'search' : 'searches'}, in the order of the run&apos;s rows.
        </p>
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <Link href={`/bulk/${run.id}`} className={link}>
            Open the bulk run
          </Link>
          <Link href="/history" className={link}>
            Show all searches
          </Link>
        </p>
      </section>
      {items.length === 0 ? (
        <p className={`text-sm ${muted}`}>{total === 0 ? 'This run started no search.' : 'No search on this page.'}</p>
      ) : (
        <>
          <p className={`text-sm ${muted}`} aria-live="polite">
            Searches {offset + 1}–{last} of {total}
          </p>
          <SearchList items={items} label="Searches of the bulk run" />
        </>
      )}
      <nav aria-label="Pages" className="flex flex-wrap justify-between gap-3">
        {page.page > 1 ? (
          <Link href={pageHref(run.id, page.page - 1)} className={secondaryButton} rel="prev">
            <span aria-hidden="true">←</span> Previous
          </Link>
        ) : (
          <span />
        )}
        {offset + page.pageSize < total && (
          <Link href={pageHref(run.id, page.page + 1)} className={secondaryButton} rel="next">
            Next <span aria-hidden="true">→</span>
          </Link>
        )}
      </nav>
    </>
  );
}
