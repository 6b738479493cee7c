'use client';

import { memo, useId, useLayoutEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import type { EventList } from '@/lib/event-list';
import { describeEvent, formatClock } from '@/lib/format';
import { eventLabel } from '@/lib/search-state';
import { SEARCH_EVENT_TYPES, type SearchEvent, type SiteResult } from '@/lib/types';
import { card, input, muted, secondaryButton } from './ui';

/** Height of one log line in px (Tailwind `h-6`); the window arithmetic relies on it. */
const ROW_PX = 24;
/** Lines visible at once (the scroller is `h-96`, 384 px). */
const VISIBLE_ROWS = 16;
/** Lines rendered above and below the visible ones, so fast scrolling shows no blank. */
const OVERSCAN = 10;


interface Filter {
  readonly siteId: string;
  readonly type: string;
}

const matches = (event: SearchEvent, filter: Filter) =>
  (!filter.siteId || event.siteId === filter.siteId) && (!filter.type || event.type === filter.type);

/**
 * Indexes of the events that pass the filter, kept across renders: when the log only grew,
 * only the new events are scanned, so a filtered log of thousands of events stays cheap.
 */
function useFilteredIndexes(events: EventList, filter: Filter): readonly number[] | undefined {
  const cache = useRef<{ filter: Filter; scanned: number; tail?: SearchEvent; indexes: number[] }>(undefined);
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
  const [filter, setFilter] = useState<Filter>({ siteId: '', type: '' });
  const [scrollTop, setScrollTop] = useState(0);
  const [following, setFollowing] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);
  const id = useId();

  const indexes = useFilteredIndexes(events, filter);
  const total = indexes ? indexes.length : events.length;
  const eventAt = (position: number) => events.at(indexes ? indexes[position]! : position)!;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [following, total]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    setScrollTop(element.scrollTop);
    setFollowing(element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_PX / 2);
  };

  // While following, the window is the last lines: scrollTop state lags the layout effect by a frame.
  const firstVisible = following ? Math.max(0, total - VISIBLE_ROWS) : Math.floor(scrollTop / ROW_PX);
  const start = Math.max(0, firstVisible - OVERSCAN);
  const end = Math.min(total, firstVisible + VISIBLE_ROWS + OVERSCAN);
  const lines: SearchEvent[] = [];
  for (let position = start; position < end; position++) lines.push(eventAt(position));

  const sites = useMemo(() => [...results].sort((a, b) => a.siteId.localeCompare(b.siteId)), [results]);
  const newest = events.last;
  const filtered = indexes !== undefined;

  return (
    <section aria-labelledby={`${id}-heading`} className={card}>
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-3 py-2 sm:px-4 dark:border-slate-800">
        <h2 id={`${id}-heading`} className="text-sm font-semibold">
          Event log{' '}
          <span className={`font-normal ${muted}`} aria-live="off">
            ({filtered ? `${total} of ${events.length}` : events.length})
          </span>
        </h2>
        <div className="flex flex-wrap gap-2">
          <div>
            <label htmlFor={`${id}-site`} className={`block text-xs ${muted}`}>
              Site
            </label>
            <select
              id={`${id}-site`}
              value={filter.siteId}
              onChange={(event) => setFilter({ ...filter, siteId: event.target.value })}
              className={`${input} py-1 text-sm`}
            >
              <option value="">All sites</option>
              {sites.map((result) => (
                <option key={result.siteId} value={result.siteId}>
                  {result.siteId}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-type`} className={`block text-xs ${muted}`}>
              Event type
            </label>
            <select
              id={`${id}-type`}
              value={filter.type}
              onChange={(event) => setFilter({ ...filter, type: event.target.value })}
              className={`${input} py-1 text-sm`}
            >
              <option value="">All types</option>
              {SEARCH_EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </div>
        </div>
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
        <ol aria-label="Events" className="min-w-max" style={{ height: total * ROW_PX, paddingTop: start * ROW_PX }}>
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
          <button type="button" className={`${secondaryButton} py-0.5`} onClick={() => setFollowing(true)}>
            Jump to newest
          </button>
        )}
      </div>
    </section>
  );
});
