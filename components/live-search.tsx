'use client';

import { useEffect, useReducer, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { formatDuration } from '@/lib/format';
import { applyEvent } from '@/lib/search-state';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/socket-events';
import type { SearchEvent, SearchSnapshot } from '@/lib/types';
import { EventLog } from './event-log';
import { SiteTable } from './site-table';
import { StatusBadge } from './status-badge';

function reduce(snapshot: SearchSnapshot, events: readonly SearchEvent[]): SearchSnapshot {
  let next = snapshot;
  for (const event of events) next = applyEvent(next, event);
  return next;
}

type Connection = 'live' | 'connecting' | 'offline' | 'closed';

/**
 * The live result page: starts from the snapshot the server rendered, then follows the search's
 * events over Socket.IO until it ends. On every (re)connect it resubscribes with the last seq it
 * has, so nothing is missed or applied twice.
 */
export function LiveSearch({ initial }: { initial: SearchSnapshot }) {
  const [snapshot, apply] = useReducer(reduce, initial);
  const lastSeq = useRef(initial.events.at(-1)?.seq ?? 0);
  lastSeq.current = snapshot.events.at(-1)?.seq ?? 0;
  const running = snapshot.search.status === 'running';
  const [connection, setConnection] = useState<Connection>(running ? 'connecting' : 'closed');
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!running) return;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket', 'polling'] });
    const searchId = initial.search.id;
    const subscribe = () =>
      socket.emit('search:subscribe', { searchId, afterSeq: lastSeq.current }, (answer) => {
        if (answer.ok) apply(answer.events);
      });
    socket.on('connect', () => {
      setConnection('live');
      subscribe();
    });
    socket.on('disconnect', () => setConnection('offline'));
    socket.on('search:event', (event) => {
      if (event.searchId !== searchId) return;
      if (event.seq > lastSeq.current + 1) subscribe(); // a gap: fetch what is missing
      else apply([event]);
    });
    return () => {
      socket.close();
    };
  }, [running, initial.search.id]);

  useEffect(() => {
    if (!running) {
      setConnection('closed');
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [running]);

  const { search, results, events } = snapshot;
  const summary = search.summary;
  const elapsed = (search.completedAt ?? now) - search.createdAt;
  const done = summary.total - summary.open;

  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight">{search.query.name}</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {[search.query.location, search.query.phone, search.query.website].filter(Boolean).join(' · ') || 'Any location'}
          </p>
        </div>
        <div className="flex items-center gap-3 text-sm">
          <StatusBadge status={search.status} />
          <span aria-live="polite" className="text-slate-600 dark:text-slate-400">
            {connection === 'offline' ? 'Offline — reconnecting…' : connection === 'live' ? 'Live' : ''}
          </span>
        </div>
      </header>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5" aria-label="Summary">
        {[
          ['Found', summary.found],
          ['Possible errors', summary.partial],
          ['Not found', summary.notFound],
          ['Failed', summary.failed],
          ['Elapsed', formatDuration(elapsed)],
        ].map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums" suppressHydrationWarning>
              {value}
            </dd>
          </div>
        ))}
      </dl>

      <div>
        <div className="mb-1 flex justify-between text-xs text-slate-500">
          <span>
            {done} of {summary.total} sites answered
          </span>
        </div>
        <div
          role="progressbar"
          aria-label="Sites answered"
          aria-valuemin={0}
          aria-valuemax={summary.total}
          aria-valuenow={done}
          className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        >
          <div className="h-full bg-sky-500 transition-all" style={{ width: `${summary.total ? (done / summary.total) * 100 : 100}%` }} />
        </div>
      </div>

      <SiteTable results={results} />
      <EventLog events={events} />
    </div>
  );
}
