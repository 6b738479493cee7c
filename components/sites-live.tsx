'use client';

import { useState } from 'react';
import { formatAgo, formatClock, formatDuration, formatPercent, formatRate } from '@/lib/format';
import type { SiteInfo } from '@/lib/types';
import { ConnectionStatus } from './connection-status';
import { CircuitBadge, SandboxBadge } from './status-badge';
import { card, muted } from './ui';
import { useLiveSocket, useNow } from './use-live-socket';

const th = 'px-3 py-2 text-left font-semibold';
const td = 'px-3 py-2 align-top';

/** A small bar of `value` against `max`; the numbers next to it carry the meaning. */
function Meter({ value, max, warn }: { value: number; max: number; warn?: boolean }) {
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <span aria-hidden="true" className="mt-1 block h-1.5 w-24 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
      <span className={`block h-full ${warn ? 'bg-amber-500' : 'bg-sky-600 dark:bg-sky-400'}`} style={{ width: `${ratio * 100}%` }} />
    </span>
  );
}

function Totals({ sites }: { sites: readonly SiteInfo[] }) {
  let inFlight = 0;
  let queued = 0;
  let rate = 0;
  let open = 0;
  let active = 0;
  for (const site of sites) {
    if (site.status === 'active') active++;
    if (!site.stats) continue;
    inFlight += site.stats.inFlight;
    queued += site.stats.buffered + site.stats.queued;
    rate += site.stats.requestsPerSec;
    if (site.stats.circuit !== 'closed') open++;
  }
  const figures: [string, string | number][] = [
    ['Active sites', `${active} of ${sites.length}`],
    ['In flight', inFlight],
    ['Queue depth', queued],
    ['Requests/s', formatRate(rate)],
    ['Circuits not closed', open],
  ];
  return (
    <dl aria-label="Totals" className="grid grid-cols-2 gap-2 sm:grid-cols-5">
      {figures.map(([label, value]) => (
        <div key={label} className="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
          <dt className={`text-xs ${muted}`}>{label}</dt>
          <dd className="text-xl font-semibold tabular-nums" data-figure={label}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function SiteRow({ site, now }: { site: SiteInfo; now: number }) {
  const stats = site.stats;
  const depth = stats ? stats.buffered + stats.queued : 0;
  const slowed = stats !== undefined && stats.adaptiveLimitPerSec < stats.limitPerSec - 1e-9;
  const paused = stats?.pausedUntil !== undefined && stats.pausedUntil > now;
  return (
    <tr data-site={site.id} data-attempts={stats?.attempts ?? 0} className="border-t border-slate-100 dark:border-slate-800">
      <th scope="row" className={`${td} text-left font-medium`}>
        <span className="block">{site.name}</span>
        <span className={`flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs font-normal ${muted}`}>
          <span>
            {site.id} · {site.kind}
          </span>
          {site.sandbox && <SandboxBadge />}
        </span>
      </th>
      {site.status === 'skipped' || !stats ? (
        <td colSpan={8} className={`${td} text-sm ${muted}`}>
          <span className="font-medium">Skipped</span>
          {site.reason ? `: ${site.reason}` : ''}
        </td>
      ) : (
        <>
          <td className={`${td} tabular-nums`}>
            <span className="font-semibold">{depth}</span>
            <span className={`block whitespace-nowrap text-xs ${muted}`}>
              {stats.buffered} buffered · {stats.queued} queued
            </span>
          </td>
          <td className={`${td} tabular-nums`}>
            {stats.inFlight} / {site.limits.concurrency}
            <Meter value={stats.inFlight} max={site.limits.concurrency} />
          </td>
          <td className={`${td} tabular-nums`}>
            {formatRate(stats.requestsPerSec)} <span className={muted}>of {formatRate(stats.limitPerSec)}</span>
            <Meter value={stats.requestsPerSec} max={stats.limitPerSec} warn={slowed} />
            {slowed && (
              <span className="mt-1 block text-xs text-amber-800 dark:text-amber-300">
                <span aria-hidden="true">▼ </span>adaptive {formatRate(stats.adaptiveLimitPerSec)}
              </span>
            )}
          </td>
          <td className={`${td} whitespace-nowrap tabular-nums`}>
            <span className={`text-xs ${muted}`}>p50</span> {formatDuration(stats.latencyP50Ms)}
            <span className="block">
              <span className={`text-xs ${muted}`}>p95</span> {formatDuration(stats.latencyP95Ms)}
            </span>
          </td>
          <td className={`${td} tabular-nums ${stats.errorRate > 0.2 ? 'font-semibold text-red-800 dark:text-red-300' : ''}`}>
            {formatPercent(stats.errorRate)}
          </td>
          <td className={`${td} tabular-nums`}>{stats.attempts}</td>
          <td className={td}>
            <CircuitBadge state={stats.circuit} />
            {paused && (
              <span className="mt-1 block whitespace-nowrap text-xs text-amber-800 dark:text-amber-300" suppressHydrationWarning>
                paused until {formatClock(stats.pausedUntil)}
              </span>
            )}
          </td>
          <td className={`${td} max-w-64 text-xs`}>
            {stats.lastError ? (
              <>
                <span className="block break-words text-red-800 dark:text-red-300">{stats.lastError.message}</span>
                <span className={`block ${muted}`} suppressHydrationWarning>
                  {formatAgo(stats.lastError.at, now)}
                </span>
              </>
            ) : (
              <span className={muted}>none</span>
            )}
          </td>
        </>
      )}
    </tr>
  );
}

/**
 * The operations view, like Sidekiq's or Oban's: every site's queue depth, in-flight requests,
 * rate against its (adaptive) limit, latency, error rate, circuit and last error, pushed by the
 * hub every second over Socket.IO (`sites:subscribe` → `sites:stats`).
 */
export function SitesLive({ initial, renderedAt }: { initial: readonly SiteInfo[]; renderedAt: number }) {
  const [sites, setSites] = useState(initial);
  const [updatedAt, setUpdatedAt] = useState(renderedAt);
  const connection = useLiveSocket(true, (socket) => {
    const receive = (next: readonly SiteInfo[]) => {
      // An empty answer is a hub without a sites provider: keep what the page was rendered with.
      if (next.length === 0) return;
      setSites(next);
      setUpdatedAt(Date.now());
    };
    socket.on('connect', () => socket.emit('sites:subscribe', receive));
    socket.on('sites:stats', receive);
  });
  const now = useNow(true, 1000);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Sites</h1>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <ConnectionStatus connection={connection} />
          <span className={muted} suppressHydrationWarning>
            Updated <time dateTime={new Date(updatedAt).toISOString()}>{formatClock(updatedAt)}</time> ({formatAgo(updatedAt, now)})
          </span>
        </div>
      </div>
      <Totals sites={sites} />
      <div className={`${card} overflow-x-auto`} tabIndex={0} role="region" aria-label="Sites, scrollable">
        <table className="w-full min-w-[60rem] text-sm">
          <caption className="sr-only">Live figures of every site</caption>
          <thead className={`bg-slate-50 text-xs uppercase tracking-wide dark:bg-slate-900 ${muted}`}>
            <tr>
              <th scope="col" className={th}>Site</th>
              <th scope="col" className={th}>Queue</th>
              <th scope="col" className={th}>In flight</th>
              <th scope="col" className={th}>Requests/s</th>
              <th scope="col" className={th}>Latency</th>
              <th scope="col" className={th}>Errors</th>
              <th scope="col" className={th}>Attempts</th>
              <th scope="col" className={th}>Circuit</th>
              <th scope="col" className={th}>Last error</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((site) => (
              <SiteRow key={site.id} site={site} now={now} />
            ))}
          </tbody>
        </table>
      </div>
      <p className={`text-xs ${muted}`}>
        Queue = jobs buffered in the dispatcher + jobs in the site&apos;s queue. Requests/s over the last 10 s against the
        configured limit; &ldquo;adaptive&rdquo; shows the lower limit kept after the site pushed back. Latency and errors over
        the last 200 attempts.
      </p>
    </div>
  );
}
