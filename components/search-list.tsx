import Link from 'next/link';
import { formatDateTime } from '@/lib/format';
import type { SearchListItem } from '@/lib/types';
import { StatusBadge } from './status-badge';
import { card, link, muted } from './ui';

/** A search's outcome counts in words: "4 found · 2 possible errors · 20 not found · 1 failed". */
export function OutcomeCounts({ item }: { item: Pick<SearchListItem, 'summary'> }) {
  const { found, partial, notFound, failed, open } = item.summary;
  const parts = [
    `${found} found`,
    `${partial} possible errors`,
    `${notFound} not found`,
    ...(failed ? [`${failed} failed`] : []),
    ...(open ? [`${open} open`] : []),
  ];
  return <span className="tabular-nums">{parts.join(' · ')}</span>;
}

/** Past searches as a list, each linking to its result page. */
export function SearchList({ items, label }: { items: readonly SearchListItem[]; label: string }) {
  return (
    <ul aria-label={label} className={`${card} divide-y divide-slate-200 dark:divide-slate-800`}>
      {items.map((item) => (
        <li key={item.id} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1 px-4 py-3">
          <div className="min-w-0 flex-1">
            <Link href={`/s/${item.id}`} className={`block break-words ${link}`}>
              {item.query.name}
            </Link>
            <p className={`break-words text-xs ${muted}`}>
              {[item.query.location, item.query.phone].filter(Boolean).join(' · ') || 'Any location'} ·{' '}
              <time dateTime={new Date(item.createdAt).toISOString()} suppressHydrationWarning>
                {formatDateTime(item.createdAt)}
              </time>
            </p>
            <p className={`text-xs ${muted}`}>
              <OutcomeCounts item={item} />
            </p>
          </div>
          <StatusBadge status={item.status} />
        </li>
      ))}
    </ul>
  );
}
