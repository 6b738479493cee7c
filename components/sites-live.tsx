'use client';

import { useRef, useState, type ReactNode } from 'react';
import { ChartWindow, type ChartHistory, type ChartSample } from '@/lib/chart-samples';
import { formatAgo, formatClock, formatDuration, formatLongQuota, formatPercent, formatRate } from '@/lib/format';
import type { SiteInfo, SiteLiveStats } from '@/lib/types';
import { ConnectionStatus } from './connection-status';
import { SitesCharts } from './sites-charts';
import { CircuitBadge, SandboxBadge } from './status-badge';
import { card, muted } from './ui';
import { useLiveSocket, useNow } from './use-live-socket';

const th = 'px-3 py-2 text-left font-semibold';
const td = 'px-3 py-2 align-top';

/** The table's column headers, in the order `SiteRow` fills them. */
const COLUMNS = ['Site', 'Queue', 'In flight', 'Requests/s', 'Latency', 'Timeout', 'Hedge after', 'Hedges', 'Errors', 'Attempts', 'Circuit', 'Last error'];

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

/** A figure with its short label in front, one per line: `p95 1.90 s`. */
function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <span className="block whitespace-nowrap">
      <span className={`text-xs ${muted}`}>{label}</span> {children}
    </span>
  );
}

/** When a slow request gets a hedge now, or why it gets none. */
function HedgeDelay({ site, stats }: { site: SiteInfo; stats: SiteLiveStats }) {
  if (!site.hedge) return <span className={muted}>no hedging</span>;
  if (stats.hedgeDelayMs !== undefined) return <span className="whitespace-nowrap">{formatDuration(stats.hedgeDelayMs)}</span>;
  // The model sets the delay from the site's answers; until it has enough there is none.
  return <span className={muted}>{stats.latencyP95Ms === undefined ? 'learning' : 'not hedged'}</span>;
}

/** The Latency, Timeout, Hedge after and Hedges cells of a site that runs. */
function TimingCells({ site, stats }: { site: SiteInfo; stats: SiteLiveStats }) {
  const timeoutLowered = stats.attemptTimeoutMs < site.timeoutMs;
  return (
    <>
      <td className={`${td} tabular-nums`}>
        <Labelled label="p50">{formatDuration(stats.latencyP50Ms)}</Labelled>
        <Labelled label="p95">{formatDuration(stats.latencyP95Ms)}</Labelled>
        <Labelled label="p99">{formatDuration(stats.latencyP99Ms)}</Labelled>
      </td>
      <td className={`${td} whitespace-nowrap tabular-nums`}>
        {formatDuration(stats.attemptTimeoutMs)}
        <span className={`block text-xs ${muted}`}>{timeoutLowered ? `configured ${formatDuration(site.timeoutMs)}` : 'as configured'}</span>
      </td>
      <td className={`${td} tabular-nums`}>
        <HedgeDelay site={site} stats={stats} />
      </td>
      <td className={`${td} tabular-nums`}>
        <span className="font-semibold">{stats.hedges}</span>
        <Labelled label="won">{formatPercent(stats.hedges > 0 ? stats.hedgeWins / stats.hedges : undefined)}</Labelled>
        <Labelled label="share">{formatPercent(stats.hedgeShare)}</Labelled>
      </td>
    </>
  );
}

function SiteRow({ site, now }: { site: SiteInfo; now: number }) {
  const stats = site.stats;
  const depth = stats ? stats.buffered + stats.queued : 0;
  const slowed = stats !== undefined && stats.adaptiveLimitPerSec < stats.limitPerSec - 1e-9;
  const paused = stats?.pausedUntil !== undefined && stats.pausedUntil > now;
  const longQuota = formatLongQuota(site.limits);
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
        <td colSpan={COLUMNS.length - 1} className={`${td} text-sm ${muted}`}>
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
            {formatRate(stats.requestsPerSec)} <span className={muted}>of {longQuota ?? formatRate(stats.limitPerSec)}</span>
            {/* Against a long window's average a site keeping to its quota would fill the bar: none. */}
            {longQuota === undefined && <Meter value={stats.requestsPerSec} max={stats.limitPerSec} warn={slowed} />}
            {slowed && (
              <span className="mt-1 block text-xs text-amber-800 dark:text-amber-300">
                <span aria-hidden="true">▼ </span>adaptive {formatRate(stats.adaptiveLimitPerSec)}
              </span>
            )}
          </td>
          <TimingCells site={site} stats={stats} />
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
 * rate against its (adaptive) limit, latency, attempt timeout, hedging, error rate, circuit and
 * last error, pushed by the hub every second over Socket.IO (`sites:subscribe` → `sites:stats`);
 * above them, the last five minutes as charts (`charts:subscribe` → `charts:sample`).
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
    const history = ({ samples, scope }: ChartHistory) => {
      // After a reconnect the server's history replaces ours: it has what we missed meanwhile.
      charts.current.replace(samples);
      setChartScope(scope);
      setChartSamples(charts.current.samples.slice());
    };
    const sample = (next: ChartSample) => {
      if (charts.current.push(next)) setChartSamples(charts.current.samples.slice());
    };
    socket.on('connect', () => {
      socket.emit('sites:subscribe', receive);
      socket.emit('charts:subscribe', history);
    });
    socket.on('sites:stats', receive);
    socket.on('charts:sample', sample);
  });
  const charts = useRef(new ChartWindow());
  const [chartSamples, setChartSamples] = useState<readonly ChartSample[]>([]);
  const [chartScope, setChartScope] = useState<ChartHistory['scope']>('process');
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
      <SitesCharts samples={chartSamples} scope={chartScope} sites={sites} />
      <div className={`${card} overflow-x-auto`} tabIndex={0} role="region" aria-label="Sites, scrollable">
        <table className="w-full min-w-[72rem] text-sm">
          <caption className="sr-only">Live figures of every site</caption>
          <thead className={`bg-slate-50 text-xs uppercase tracking-wide dark:bg-slate-900 ${muted}`}>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" className={th}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sites.map((site) => (
              <SiteRow key={site.id} site={site} now={now} />
            ))}
          </tbody>
        </table>
      </div>
      <div className={`space-y-1 text-xs ${muted}`}>
        <p>
          Queue = jobs buffered in the dispatcher + jobs in the site&apos;s queue. Requests/s over the last 10 s against the
          configured limit; &ldquo;adaptive&rdquo; shows the lower limit kept after the site pushed back. Latency from the
          site&apos;s latency model over its last few hundred answers (&mdash; until it has enough); errors over the last 200
          attempts.
        </p>
        <p>
          Timeout = the time an attempt may take now: learned from the latency model, never more than configured. A request
          still unanswered after the hedge delay (the site&apos;s usual latency) gets one copy, a hedge, within the same
          limits; the first answer wins and the other is aborted. &ldquo;Learning&rdquo;: not enough answers yet to set a
          delay; &ldquo;no hedging&rdquo;: the site&apos;s terms forbid extra requests, hedging is off
          (<code>HEDGING=off</code>), or the site runs in a cluster. Hedges = sent since start; won = the share of them that answered first; share = hedges
          among all requests sent.
        </p>
      </div>
    </div>
  );
}
