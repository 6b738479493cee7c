import { describeEvent, formatClock } from '@/lib/format';
import { eventLabel } from '@/lib/search-state';
import type { SearchEvent } from '@/lib/types';

/** Every event of a search with its timestamp, in seq order. */
export function EventLog({ events }: { events: readonly SearchEvent[] }) {
  return (
    <section aria-labelledby="event-log-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id="event-log-heading" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold dark:border-slate-800">
        Event log <span className="font-normal text-slate-500">({events.length})</span>
      </h2>
      <ol aria-label="Events" className="max-h-96 overflow-y-auto px-4 py-2 font-mono text-xs leading-6">
        {events.map((event) => (
          <li key={event.seq} className="flex gap-3">
            <time dateTime={new Date(event.at).toISOString()} suppressHydrationWarning className="shrink-0 text-slate-500">
              {formatClock(event.at)}
            </time>
            <span className="shrink-0 font-semibold">{eventLabel(event)}</span>
            <span className="truncate text-slate-600 dark:text-slate-400">{describeEvent(event)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
