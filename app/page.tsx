import { headers } from 'next/headers';
import Link from 'next/link';
import { SearchForm } from '@/components/search-form';
import { RecentSearches } from '@/components/recent-searches';
import { card, eyebrow, link, muted } from '@/components/ui';
import { RECENT_LIMIT } from '@/lib/socket-events';
import { historyKeyOf } from '@/server/http/history-key';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const { searches } = getServices();
  const { items } = await searches.list({ limit: RECENT_LIMIT }, historyKeyOf((await headers()).get('cookie')));
  const yours = searches.historyScope === 'owner';
  return (
    <div className="grid gap-8 lg:grid-cols-[3fr_2fr]">
      <section aria-labelledby="search-heading" className={`${card} p-5 sm:p-6`}>
        <h1 id="search-heading" className="text-2xl font-semibold tracking-tight">
          Scan the directories for a business
        </h1>
        <p className={`mt-1 text-sm ${muted}`}>
          sitescan asks every directory and place API at once, within each site&apos;s limits, and shows each answer as it
          arrives. Give a location and a phone for a sharper match.
        </p>
        <SearchForm />
      </section>
      <section aria-labelledby="recent-heading" className="min-w-0">
        <div className="flex items-baseline justify-between">
          <h2 id="recent-heading" className={eyebrow}>
            {yours ? 'Your recent searches' : 'Recent searches'}
          </h2>
          <Link href="/history" className={`text-sm ${link}`}>
            {yours ? 'All yours' : 'All searches'}<span aria-hidden="true"> →</span>
          </Link>
        </div>
        <div className="mt-3">
          <RecentSearches initial={items} label={yours ? 'Your recent searches' : 'Recent searches'} />
        </div>
      </section>
    </div>
  );
}
