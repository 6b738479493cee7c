'use client';

import { useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { formatUtcMinute } from '@/lib/format';
import type { ResultView } from '@/lib/result-views';
import { compareScans, type PreviousScanSummary } from '@/lib/scan-changes';
import { SearchFollower } from '@/lib/search-follower';
import { napAccuracy, estimateRemainingMs } from '@/lib/search-metrics';
import { applyEvent, toSearchState, type SearchState } from '@/lib/search-state';
import type { Search, SearchEvent, SearchSnapshot } from '@/lib/types';
import { ConnectionStatus } from './connection-status';
import { EventLogPanel } from './event-log-panel';
import { ProgressBar } from './progress-bar';
import { ScanChangesLine } from './scan-changes';
import { SearchActions } from './search-actions';
import { SiteResults } from './site-results';
import { StatusBadge } from './status-badge';
import { SummaryStrip } from './summary-strip';
import { muted } from './ui';
import { useLiveSocket, useNow, type Connection } from './use-live-socket';

type Action = { readonly events: readonly SearchEvent[]; readonly reset?: boolean };

function reduce(state: SearchState, { events, reset }: Action): SearchState {
  // A reset replaces the log: start again from the search alone; search:created brings the rest.
  let next = reset ? toSearchState({ search: state.search, results: [], events: [] }) : state;
  for (const event of events) next = applyEvent(next, event);
  return next;
}

/** The page's title, report line, status, actions and what is said under them (`children`). */
function ResultHeader({
  search,
  connection,
  owner,
  refused,
  children,
}: {
  search: Search;
  connection: Connection;
  owner: boolean;
  refused: string;
  children?: ReactNode;
}) {
  const query = [search.query.location, search.query.phone, search.query.website].filter(Boolean).join(' · ');
  return (
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
          <ConnectionStatus connection={connection} closedText={search.status === 'running' ? '' : 'Final result'} />
        </div>
      </div>
      {children}
      <SearchActions search={search} owner={owner} />
      {refused && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {refused}
        </p>
      )}
    </header>
  );
}

/**
 * The live result page: starts from the snapshot the server rendered, then follows the search's
 * events over Socket.IO until it ends. A finished search opens no connection at all. On every
 * (re)connect the follower resubscribes from the last seq it handed on, so nothing is missed or
 * applied twice. With `previous` (the last scan of the same business), each site's change since
 * then, counted in a line under the title, following the search live.
 */
export function LiveSearch({ initial, owner = false, previous }: { initial: SearchSnapshot; owner?: boolean; previous?: PreviousScanSummary }) {
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
  const changes = useMemo(() => previous && compareScans(previous.sites, results), [previous, results]);
  const [view, setView] = useState<ResultView>('all');
  const showView = (next: ResultView) => {
    setView(next);
    document.getElementById('sites-heading')?.scrollIntoView({ block: 'start' });
  };
  const elapsed = (search.completedAt ?? Math.max(now, search.createdAt)) - search.createdAt;
  const remaining = estimateRemainingMs({
    total: summary.total,
    open: summary.open,
    startedAt: search.createdAt,
    now,
    deadlineAt: search.deadlineAt,
  });

  return (
    <div className="space-y-6">
      <ResultHeader search={search} connection={connection} owner={owner} refused={refused}>
        {previous && changes && <ScanChangesLine previous={previous} changes={changes} running={running} />}
      </ResultHeader>

      <SummaryStrip summary={summary} accuracy={accuracy} elapsedMs={elapsed} view={view} onView={showView} />

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
        <SiteResults results={results} running={running} view={view} onView={setView} query={search.query} changes={changes?.bySite} />
      </section>

      <EventLogPanel events={events} results={results} />
    </div>
  );
}
