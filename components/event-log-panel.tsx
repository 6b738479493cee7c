'use client';

import { memo, useId, useRef, useState } from 'react';
import type { EventList } from '@/lib/event-list';
import { describeEvent, formatClock } from '@/lib/format';
import { eventLabel } from '@/lib/search-state';
import type { SearchEvent, SiteResult } from '@/lib/types';
import { EventLogFilters, type EventLogFilter } from './event-log-filters';
import { card, muted, secondaryButton } from './ui';
import { LOG_ROW_PX, useLogWindow } from './use-log-window';

const matches = (event: SearchEvent, filter: EventLogFilter) =>
  (!filter.siteId || event.siteId === filter.siteId) && (!filter.type || event.type === filter.type);

/**
 * Indexes of the events that pass the filter, kept across renders: when the log only grew,
 * only the new events are scanned, so a filtered log of thousands of events stays cheap.
 */
function useFilteredIndexes(events: EventList, filter: EventLogFilter): readonly number[] | undefined {
  const cache = useRef<{ filter: EventLogFilter; scanned: number; tail?: SearchEvent; indexes: number[] }>(undefined);
  if (!filter.siteId && !filter.type) return undefined;
  let entry = cache.current;
  const sameLog = entry && entry.scanned <= events.length && events.at(entry.scanned - 1) === entry.tail;
  if (!entry || entry.filter.siteId !== filter.siteId || entry.filter.type !== filter.type || !sameLog) {
    entry = { filter, scanned: 0, indexes: [] };
  }
  for (let i = entry.scanned; i < events.length; i++) if (matches(events.at(i)!, filter)) entry.indexes.push(i);
  entry.scanned = events.length;
  entry.tail = events.last;
  cache.current = entry;
  return entry.indexes;
}

const LogLine = memo(function LogLine({ event, position, total }: { event: SearchEvent; position: number; total: number }) {
  const description = describeEvent(event);
  return (
    <li data-seq={event.seq} aria-posinset={position} aria-setsize={total} className="flex h-6 items-center gap-3 whitespace-nowrap px-3 sm:px-4">
      <span className={`w-12 shrink-0 text-right ${muted}`}>
        <span className="sr-only">event </span>#{event.seq}
      </span>
      <time dateTime={new Date(event.at).toISOString()} suppressHydrationWarning className={`shrink-0 ${muted}`}>
        {formatClock(event.at)}
      </time>
      <span className="shrink-0 font-semibold">{eventLabel(event)}</span>
      {description && <span className="text-slate-700 dark:text-slate-300">{description}</span>}
    </li>
  );
});

/**
 * The event log: every event with its seq and timestamp, newest at the bottom. It follows new
 * events while the reader is at the bottom and stops when they scroll up; filters by site and
 * type; renders only the lines in view, so thousands of events cost the DOM a few dozen nodes.
 */
export const EventLogPanel = memo(function EventLogPanel({ events, results }: { events: EventList; results: readonly SiteResult[] }) {
  const [filter, setFilter] = useState<EventLogFilter>({ siteId: '', type: '' });
  const id = useId();

  const indexes = useFilteredIndexes(events, filter);
  const total = indexes ? indexes.length : events.length;
  const eventAt = (position: number) => events.at(indexes ? indexes[position]! : position)!;
  const { scroller, onScroll, following, follow, start, end } = useLogWindow(total);
  const lines: SearchEvent[] = [];
  for (let position = start; position < end; position++) lines.push(eventAt(position));

  const newest = events.last;
  const filtered = indexes !== undefined;

  return (
    <section aria-labelledby={`${id}-heading`} className={`${card} print:hidden`}>
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-3 py-2 sm:px-4 dark:border-slate-800">
        <h2 id={`${id}-heading`} className="text-sm font-semibold">
          Event log{' '}
          <span className={`font-normal ${muted}`} aria-live="off">
            ({filtered ? `${total} of ${events.length}` : events.length})
          </span>
        </h2>
        <EventLogFilters idPrefix={id} filter={filter} onChange={setFilter} results={results} />
      </div>
      <div
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label="Events, scrollable"
        // No scroll anchoring: the window of lines moves by its padding as the reader scrolls, and
        // the browser "kept the anchor line in place" by pushing scrollTop back one row (seen:
        // a wheel scroll to the top stuck at 24 px while events came in).
        className="relative max-h-96 overflow-auto py-1 font-mono text-xs [overflow-anchor:none]"
      >
        <ol aria-label="Events" className="min-w-max" style={{ height: total * LOG_ROW_PX, paddingTop: start * LOG_ROW_PX }}>
          {lines.map((event, i) => (
            <LogLine key={event.seq} event={event} position={start + i + 1} total={total} />
          ))}
        </ol>
        {total === 0 && <p className={`px-4 py-2 ${muted}`}>{filtered ? 'No event matches the filter.' : 'No events yet.'}</p>}
      </div>
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-3 py-1.5 text-xs sm:px-4 dark:border-slate-800">
        <span className={muted}>
          {following ? 'Following new events' : 'Paused: scroll to the bottom to follow new events'}
          {newest && <span className="sr-only">; newest is {eventLabel(newest)}</span>}
        </span>
        {!following && (
          <button type="button" className={`${secondaryButton} py-0.5`} onClick={follow}>
            Jump to newest
          </button>
        )}
      </div>
    </section>
  );
});
