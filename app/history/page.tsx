import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { BulkRunHistory, type BulkRunHistoryResult } from '@/components/bulk-run-history';
import { HistorySearchForm } from '@/components/history-search-form';
import { SearchList } from '@/components/search-list';
import { muted, secondaryButton } from '@/components/ui';
import { bulkHistoryQuerySchema, describeZodError, listSearchesQuerySchema } from '@/lib/schemas';
import type { SearchListItem } from '@/lib/types';
import { ForbiddenError, NotFoundError, ValidationError } from '@/server/errors';
import { historyKeyOf } from '@/server/http/history-key';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'History — sitescan' };

/** Searches per page, unless `?limit=` says otherwise. */
const PAGE_SIZE = 20;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

async function load(params: Record<string, string | string[] | undefined>) {
  const parsed = listSearchesQuerySchema.safeParse({
    q: first(params.q),
    status: first(params.status),
    cursor: first(params.cursor),
    limit: first(params.limit),
  });
  if (!parsed.success) return { error: describeZodError(parsed.error), items: [] as SearchListItem[], query: {} };
  const query = parsed.data;
  try {
    const key = historyKeyOf((await headers()).get('cookie'));
    const page = await getServices().searches.list(
      { q: query.q || undefined, status: query.status, cursor: query.cursor, limit: query.limit ?? PAGE_SIZE },
      key,
    );
    return { items: page.items, next: page.next, query };
  } catch (error) {
    // By name: the error class in this bundle is not the one the store threw.
    if (error instanceof ValidationError) return { error: (error as Error).message, items: [] as SearchListItem[], query };
    throw error;
  }
}

/** The history filtered by a bulk run (`?bulk=<id>&page=<n>`): a page of its searches, or why not. */
async function loadBulkRun(params: Record<string, string | string[] | undefined>): Promise<BulkRunHistoryResult> {
  const parsed = bulkHistoryQuerySchema.safeParse({ bulk: first(params.bulk), page: first(params.page) });
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  const { bulk, page = 1 } = parsed.data;
  try {
    const key = historyKeyOf((await headers()).get('cookie'));
    const found = await getServices().searches.bulkRunHistory(bulk, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }, key);
    return { ok: true, page: { ...found, page, pageSize: PAGE_SIZE } };
  } catch (error) {
    if (error instanceof NotFoundError) return { ok: false, error: `There is no bulk run with id ${bulk}` };
    // Owner-scoped history, and the run is someone else's: its page (a share link) still opens.
    if (error instanceof ForbiddenError) {
      return { ok: false, error: 'This bulk run was not started from this browser, so its searches are not in your history; its page lists them', runId: bulk };
    }
    throw error;
  }
}

/**
 * Past searches: full-text search, a status filter and pages by cursor, or (`?bulk=<id>`) the
 * searches of one bulk run. Works without JavaScript (a GET form).
 */
export default async function HistoryPage({ searchParams }: Props) {
  const params = await searchParams;
  if (params.bulk !== undefined) {
    return <BulkRunHistory result={await loadBulkRun(params)} yours={getServices().searches.historyScope === 'owner'} />;
  }
  const result = await load(params);
  const { q, status, cursor, limit } = result.query as { q?: string; status?: string; cursor?: string; limit?: number };
  const pageHref = (nextCursor?: string) => {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (status) params.set('status', status);
    if (limit) params.set('limit', String(limit));
    if (nextCursor) params.set('cursor', nextCursor);
    const text = params.toString();
    return text ? `/history?${text}` : '/history';
  };
  const filtered = Boolean(q || status);
  const yours = getServices().searches.historyScope === 'owner';

  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-semibold tracking-tight">{yours ? 'Your history' : 'History'}</h1>
      {yours && <p className={`text-sm ${muted}`}>The searches started from this browser. A share link opens any search.</p>}
      <HistorySearchForm q={q} status={status} />

      {result.error ? (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {result.error}.{' '}
          <Link href="/history" className="font-medium underline">
            Start from the newest searches
          </Link>
        </div>
      ) : result.items.length === 0 ? (
        <p className={`text-sm ${muted}`}>{filtered ? 'No search matches.' : 'No searches yet.'}</p>
      ) : (
        <>
          <p className={`text-sm ${muted}`} aria-live="polite">
            {cursor ? 'Older searches' : 'Newest first'}
            {q ? ` matching “${q}”` : ''}
            {status ? `, ${status}` : ''}
          </p>
          <SearchList items={result.items} label="Searches" />
        </>
      )}

      <nav aria-label="Pages" className="flex flex-wrap justify-between gap-3">
        {cursor ? (
          <Link href={pageHref()} className={secondaryButton}>
            <span aria-hidden="true">⇤</span> Newest
          </Link>
        ) : (
          <span />
        )}
        {'next' in result && result.next && (
          <Link href={pageHref(result.next)} className={secondaryButton} rel="next">
            Older <span aria-hidden="true">→</span>
          </Link>
        )}
      </nav>
    </div>
  );
}
