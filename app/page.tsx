import Link from 'next/link';
import { SearchForm } from '@/components/search-form';
import { StatusBadge } from '@/components/status-badge';
import { getServices } from '@/server/services';
import { formatDateTime } from '@/lib/format';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const { items } = await getServices().searches.list({ limit: 8 });
  return (
    <div className="grid gap-8 lg:grid-cols-[2fr_1fr]">
      <section aria-labelledby="search-heading" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 id="search-heading" className="text-2xl font-semibold tracking-tight">
          Scan the directories for a business
        </h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          sitescan asks every directory and place API at once, within each site&apos;s limits, and shows each answer as it
          arrives.
        </p>
        <SearchForm />
      </section>
      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500">
          Recent searches
        </h2>
        {items.length === 0 ? (
          <p className="mt-3 text-sm text-slate-500">No searches yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {items.map((item) => (
              <li key={item.id} className="flex items-center justify-between gap-3 px-4 py-3">
                <div className="min-w-0">
                  <Link href={`/s/${item.id}`} className="block truncate font-medium text-sky-700 hover:underline dark:text-sky-400">
                    {item.query.name}
                  </Link>
                  <p className="truncate text-xs text-slate-500">
                    {item.query.location ? `${item.query.location} · ` : ''}
                    {formatDateTime(item.createdAt)}
                  </p>
                </div>
                <StatusBadge status={item.status} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
