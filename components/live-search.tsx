'use client';

import { useMemo, useReducer, useRef, useState } from 'react';
import { formatUtcMinute } from '@/lib/format';
import { SearchFollower } from '@/lib/search-follower';
import { napAccuracy, estimateRemainingMs } from '@/lib/search-metrics';
import { applyEvent, toSearchState, type SearchState } from '@/lib/search-state';
import type { SearchEvent, SearchSnapshot } from '@/lib/types';
import { ConnectionStatus } from './connection-status';
import { EventLogPanel } from './event-log-panel';
import { ProgressBar } from './progress-bar';
import { SearchActions } from './search-actions';
import { SiteResults } from './site-results';
import { StatusBadge } from './status-badge';
import { SummaryStrip } from './summary-strip';
import { muted } from './ui';
import { useLiveSocket, useNow } from './use-live-socket';

type Action = { readonly events: readonly SearchEvent[]; readonly reset?: boolean };

function reduce(state: SearchState, { events, reset }: Action): SearchState {
  // A reset replaces the log: start again from the search alone; search:created brings the rest.
  let next = reset ? toSearchState({ search: state.search, results: [], events: [] }) : state;
  for (const event of events) next = applyEvent(next, event);
  return next;
}

/**
 * The live result page: starts from the snapshot the server rendered, then follows the search's
 * events over Socket.IO until it ends. A finished search opens no connection at all. On every
 * (re)connect the follower resubscribes from the last seq it handed on, so nothing is missed or
 * applied twice.
 */
export function LiveSearch({ initial, owner = false }: { initial: SearchSnapshot; owner?: boolean }) {
  const [state, apply] = useReducer(reduce, initial, toSearchState);
  const last = useRef(state.events.last);
  last.current = state.events.last;
  const { search, results, events } = state;
  const running = search.status === 'running';

  const [refused, setRefused] = useState('');
  const connection = useLiveSocket(running, (socket) => {
    const follower = new SearchFollower({
      socket,
      onEvents: (_id, next) => apply({ events: next }),
      onReset: (_id, log) => apply({ events: log, reset: true }),
      onError: (_id, error) => setRefused(`Live updates stopped: ${error.message}. Reload the page to try again.`),
    });
    follower.follow(search.id, last.current);
    return () => follower.close();
  });

  const now = useNow(running);
  const summary = search.summary;
  const answered = summary.total - summary.open;
  const accuracy = useMemo(() => napAccuracy(results), [results]);
  const elapsed = (search.completedAt ?? Math.max(now, search.createdAt)) - search.createdAt;
  const remaining = estimateRemainingMs({
    total: summary.total,
    open: summary.open,
    startedAt: search.createdAt,
    now,
    deadlineAt: search.deadlineAt,
  });
  const query = [search.query.location, search.query.phone, search.query.website].filter(Boolean).join(' · ');

  return (
    <div className="space-y-6">
      <header className="space-y-3">
        <p className="hidden text-sm print:block">
          sitescan report · searched{' '}
          <time dateTime={new Date(search.createdAt).toISOString()}>{formatUtcMinute(search.createdAt)}</time>
        </p>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h1 className="break-words text-2xl font-semibold tracking-tight">{search.query.name}</h1>
            <p className={`break-words text-sm ${muted}`}>
              {query || 'Any location'}
              {search.priority === 'bulk' ? ' · bulk' : ''}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <StatusBadge status={search.status} />
            <ConnectionStatus connection={connection} closedText={running ? '' : 'Final result'} />
          </div>
        </div>
        <SearchActions search={search} owner={owner} />
        {refused && (
          <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            {refused}
          </p>
        )}
      </header>

      <SummaryStrip summary={summary} accuracy={accuracy} elapsedMs={elapsed} />

      <ProgressBar
        label="Sites answered"
        value={answered}
        max={summary.total}
        unit="sites answered"
        active={running}
        remainingMs={remaining}
        detail={summary.open > 0 ? `${summary.open} open` : undefined}
      />

      <section aria-labelledby="sites-heading" className="space-y-2">
        <h2 id="sites-heading" className="text-lg font-semibold">
          Sites
        </h2>
        <SiteResults results={results} running={running} />
      </section>

      <EventLogPanel events={events} results={results} />
    </div>
  );
}
