'use client';

/**
 * The live charts of `/sites`, drawn with uPlot from the samples the hub pushes every second
 * (`charts:subscribe` → `charts:sample`, see lib/chart-samples.ts):
 *
 *   ┌ searches/s ┐ ┌ site jobs/s ┐ ┌ push latency p95 ┐   the whole instance, with axes
 *   ┌ brownbook.net ───────────┐ ┌ yelp.com ─────┐ …    per site: requests/s against the
 *   │ ▁▂▅▇▇▇▆ - - limit - -    │ │ ▁▁▂▂▁         │       limit it keeps (dashed), and
 *   │ ▂▂▃▂▂▂▃  latency p95     │ │ ▃▃▄▃          │       latency p95, as sparklines
 *   │ now 1.9/s of 2.0/s …     │ │ …             │     ← the text alternative
 *
 * Every chart is a figure whose caption says in words what it draws (now, peak, limit over the
 * last five minutes); the canvas itself is hidden from assistive technology. Colours follow the
 * reader's colour scheme, as the rest of the page does (`prefers-color-scheme`).
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { CHART_WINDOW_MS, overallSeries, seriesFigures, siteSeries, type ChartSample, type ChartSeries } from '@/lib/chart-samples';
import { formatDuration, formatLongQuota, formatRate } from '@/lib/format';
import type { SiteInfo } from '@/lib/types';
import { card, eyebrow, muted } from './ui';

type Scheme = 'light' | 'dark';

/** The reader's colour scheme, followed live. */
function useColorScheme(): Scheme {
  const [scheme, setScheme] = useState<Scheme>('light');
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const update = () => setScheme(query.matches ? 'dark' : 'light');
    update();
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return scheme;
}

/** Tailwind's sky, amber, violet and slate, at the shades that read on each background. */
const PALETTE = {
  light: { rate: '#0369a1', rateFill: 'rgba(3,105,161,0.12)', limit: '#b45309', latency: '#6d28d9', axis: '#475569', grid: '#e2e8f0' },
  dark: { rate: '#38bdf8', rateFill: 'rgba(56,189,248,0.15)', limit: '#fbbf24', latency: '#a78bfa', axis: '#94a3b8', grid: '#1e293b' },
} as const;

type Colour = keyof (typeof PALETTE)['light'];

/** One line of a chart: its colour, and dashed or filled. */
interface Line {
  readonly label: string;
  readonly colour: Colour;
  readonly dashed?: boolean;
  readonly filled?: boolean;
}

/**
 * The x range: from the oldest sample to the newest, at least a minute and at most five, so a
 * young history (a server just started) is not a sliver at the right edge.
 */
const lastMinutes = (u: uPlot, _min: number, max: number): uPlot.Range.MinMax => {
  const first = u.data[0]?.[0] ?? max;
  const span = Math.min(CHART_WINDOW_MS / 1000, Math.max(60, max - first));
  return [max - span, max];
};

/** The y range: from zero, with a little room above the highest value. */
const fromZero = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.15 : 1];

/** 19:58:30 of a time in seconds since epoch, in the reader's time zone. */
const clockOf = (seconds: number) => new Date(seconds * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function options(lines: readonly Line[], scheme: Scheme, width: number, height: number, axes: boolean, unit?: (value: number) => string): uPlot.Options {
  const colours = PALETTE[scheme];
  const axis = (values: uPlot.Axis['values'], extra: Partial<uPlot.Axis>): uPlot.Axis => ({
    stroke: colours.axis,
    grid: { stroke: colours.grid, width: 1 },
    ticks: { stroke: colours.grid, width: 1 },
    font: '11px system-ui, sans-serif',
    values,
    ...extra,
  });
  return {
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    padding: axes ? [8, 8, 0, 0] : [2, 0, 2, 0],
    scales: { x: { time: true, range: lastMinutes }, y: { range: fromZero } },
    axes: axes
      ? [
          // One line of wall-clock time (uPlot's default adds the date on a second line, which
          // collides in a narrow chart), far enough apart to be read.
          axis((_u, ticks) => ticks.map((tick) => clockOf(tick)), { space: 70 }),
          axis((_u, ticks) => ticks.map((tick) => (unit ? unit(tick) : String(tick))), { size: 52 }),
        ]
      : [{ show: false }, { show: false }],
    series: [
      {},
      ...lines.map((line) => ({
        label: line.label,
        stroke: colours[line.colour],
        width: 1.5,
        points: { show: false },
        ...(line.dashed ? { dash: [4, 3] } : {}),
        ...(line.filled ? { fill: colours.rateFill } : {}),
      })),
    ],
  };
}

/**
 * One uPlot chart that follows `data`. It is made again only when its look changes (`scheme`);
 * new samples are `setData`, and a new width `setSize`.
 */
function Chart({
  data,
  lines,
  height,
  scheme,
  axes = false,
  unit,
}: {
  data: ChartSeries;
  lines: readonly Line[];
  height: number;
  scheme: Scheme;
  axes?: boolean;
  unit?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  const look = useRef({ lines, unit });
  look.current = { lines, unit };

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = Math.max(60, element.clientWidth);
    const chart = new uPlot(options(look.current.lines, scheme, width, height, axes, look.current.unit), dataRef.current, element);
    plot.current = chart;
    const resized = new ResizeObserver(() => {
      const next = Math.max(60, element.clientWidth);
      if (next !== chart.width) chart.setSize({ width: next, height });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [scheme, height, axes]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={box} aria-hidden="true" data-scheme={scheme} className="w-full" style={{ height }} />;
}

/**
 * "now 1.9/s, peak 2.0/s" of a series, or what it lacks. A latency is known only when something
 * was answered or pushed: its last value is the latest known, not necessarily this second's.
 */
function describe(values: readonly (number | null)[], format: (value: number) => string, none: string, last = 'now'): string {
  const figures = seriesFigures(values);
  return figures ? `${last} ${format(figures.last)}, peak ${format(figures.peak)}` : none;
}

/** A chart with its title and, as its caption, what it shows in words. */
function Figure({ title, caption, children }: { title: string; caption: string; children: ReactNode }) {
  return (
    <figure className="min-w-0 space-y-1" data-chart={title}>
      <div className="text-sm font-medium">{title}</div>
      {children}
      <figcaption className={`text-xs tabular-nums ${muted}`}>{caption}</figcaption>
    </figure>
  );
}

function Overall({ samples, scope, scheme }: { samples: readonly ChartSample[]; scope: 'node' | 'process'; scheme: Scheme }) {
  // New arrays only when a sample arrives: a re-render for the clock must not redraw.
  const { searches, siteJobs, push } = useMemo(() => overallSeries(samples), [samples]);
  const where = scope === 'node' ? ' on this node' : '';
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <Figure title="Searches/s" caption={`Searches started${where}: ${describe(searches[1], formatRate, 'none yet')}.`}>
        <Chart data={searches} lines={[{ label: 'searches/s', colour: 'rate', filled: true }]} height={110} scheme={scheme} axes unit={formatRate} />
      </Figure>
      <Figure title="Site jobs/s" caption={`Site jobs answered${where}: ${describe(siteJobs[1], formatRate, 'none yet')}.`}>
        <Chart data={siteJobs} lines={[{ label: 'site jobs/s', colour: 'rate', filled: true }]} height={110} scheme={scheme} axes unit={formatRate} />
      </Figure>
      <Figure title="Push latency p95" caption={`Event to socket${where}: ${describe(push[1], formatDuration, 'nothing pushed yet', 'latest')}.`}>
        <Chart data={push} lines={[{ label: 'push latency p95', colour: 'latency' }]} height={110} scheme={scheme} axes unit={formatDuration} />
      </Figure>
    </div>
  );
}

const RATE_LINES: readonly Line[] = [
  { label: 'requests/s', colour: 'rate', filled: true },
  { label: 'kept limit', colour: 'limit', dashed: true },
];
const LATENCY_LINES: readonly Line[] = [{ label: 'latency p95', colour: 'latency' }];

function SiteCharts({ site, samples, scheme }: { site: SiteInfo; samples: readonly ChartSample[]; scheme: Scheme }) {
  // A quota over a long window is not a line at its average: told in words, drawn as gaps.
  const perWindow = formatLongQuota(site.limits);
  const { rate, latency } = useMemo(() => {
    const series = siteSeries(samples, site.id);
    if (perWindow) series.rate[2] = series.rate[2].map(() => null);
    return series;
  }, [samples, site.id, perWindow]);
  const limit = seriesFigures(rate[2]);
  const rateText = describe(rate[1], formatRate, 'no requests yet');
  const limitText = perWindow ? `, limit ${perWindow}` : limit ? `, limit ${formatRate(limit.last)}` : '';
  return (
    <li className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800" data-site-chart={site.id}>
      <h3 className="truncate text-sm font-medium" title={site.name}>
        {site.name}
      </h3>
      <figure className="mt-1">
        <Chart data={rate} lines={RATE_LINES} height={36} scheme={scheme} />
        <figcaption className={`text-xs tabular-nums ${muted}`}>
          Requests/s {rateText}
          {limitText}
        </figcaption>
      </figure>
      <figure className="mt-1">
        <Chart data={latency} lines={LATENCY_LINES} height={36} scheme={scheme} />
        <figcaption className={`text-xs tabular-nums ${muted}`}>Latency p95 {describe(latency[1], formatDuration, 'not known yet', 'latest')}</figcaption>
      </figure>
    </li>
  );
}

/**
 * The charts: the instance's searches/s, site jobs/s and push latency, then one card per site
 * that runs. `samples` oldest first (a `ChartWindow`'s); `scope` as the hub's history says.
 */
export function SitesCharts({ samples, scope, sites }: { samples: readonly ChartSample[]; scope: 'node' | 'process'; sites: readonly SiteInfo[] }) {
  // One listener for every chart, which is made again in the other palette when it changes.
  const scheme = useColorScheme();
  const newest = samples.at(-1);
  const charted = newest ? sites.filter((site) => newest.sites[site.id] !== undefined) : [];
  return (
    <section aria-labelledby="charts-heading" className={`${card} space-y-4 p-4`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="charts-heading" className={eyebrow}>
          Last 5 minutes
        </h2>
        <p className={`text-xs ${muted}`}>
          A sample a second; rates over the last 10 s.
          {scope === 'node' ? ' Searches, site jobs and push latency are this node’s; the sites’ figures are the cluster’s.' : ''}
        </p>
      </div>
      {samples.length === 0 ? (
        <p className={`text-sm ${muted}`}>Waiting for the first samples…</p>
      ) : (
        <>
          <Overall samples={samples} scope={scope} scheme={scheme} />
          <div className="space-y-2">
            <h2 className={eyebrow}>Per site</h2>
            <p className={`text-xs ${muted}`}>
              <span className="font-medium text-sky-700 dark:text-sky-400">Requests/s</span> against the{' '}
              <span className="font-medium text-amber-700 dark:text-amber-400">limit kept</span> (dashed; lower than configured
              after the site pushed back), and <span className="font-medium text-violet-700 dark:text-violet-400">latency p95</span>.
            </p>
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
              {charted.map((site) => (
                <SiteCharts key={site.id} site={site} samples={samples} scheme={scheme} />
              ))}
            </ul>
          </div>
        </>
      )}
    </section>
  );
}
