import { formatDuration, formatPercent } from '@/lib/format';
import type { ResultView } from '@/lib/result-views';
import type { NapAccuracy } from '@/lib/search-metrics';
import type { SearchSummary } from '@/lib/types';
import { muted } from './ui';

/** A figure whose count is a view of the sites table: clicking it shows that view (again: all). */
interface Shows {
  readonly view: ResultView;
  readonly current: ResultView;
  readonly onView: (view: ResultView) => void;
}

function Figure({ label, value, note, tone, shows }: { label: string; value: string | number; note?: string; tone?: string; shows?: Shows }) {
  const pressed = shows !== undefined && shows.current === shows.view;
  const box = `rounded-lg border bg-white px-3 py-2 dark:bg-slate-900 ${
    pressed ? 'border-sky-700 ring-2 ring-sky-700 dark:border-sky-500 dark:ring-sky-500' : 'border-slate-200 dark:border-slate-800'
  }`;
  const figure = (
    <dd className={`text-xl font-semibold tabular-nums ${tone ?? ''}`} suppressHydrationWarning>
      {value}
    </dd>
  );
  return (
    <div className={box}>
      <dt className={`text-xs ${muted}`}>{label}</dt>
      {shows ? (
        <dd className="print:contents">
          <button
            type="button"
            aria-pressed={pressed}
            aria-controls="sites-table"
            title={pressed ? 'Show all sites' : `Show only the sites: ${label.toLowerCase()}`}
            onClick={() => shows.onView(pressed ? 'all' : shows.view)}
            className={`-mx-1 rounded px-1 text-xl font-semibold tabular-nums underline decoration-dotted underline-offset-4 hover:bg-slate-100 dark:hover:bg-slate-800 ${tone ?? ''}`}
            suppressHydrationWarning
          >
            {value}
            <span className="sr-only"> — {pressed ? 'showing only these sites; show all' : 'show only these sites'}</span>
          </button>
        </dd>
      ) : (
        figure
      )}
      {note && <dd className={`text-xs ${muted}`}>{note}</dd>}
    </div>
  );
}

/**
 * The figures of a search at a glance: outcomes, NAP accuracy, elapsed time. With `onView`, the
 * outcome counts are buttons that show those sites in the table below.
 */
export function SummaryStrip({
  summary,
  accuracy,
  elapsedMs,
  view = 'all',
  onView,
}: {
  summary: SearchSummary;
  accuracy: NapAccuracy;
  elapsedMs: number;
  view?: ResultView;
  onView?: (view: ResultView) => void;
}) {
  const shows = (target: ResultView): Shows | undefined => onView && { view: target, current: view, onView };
  return (
    <div>
      <dl aria-label="Summary" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <Figure label="Found" value={summary.found} tone="text-emerald-800 dark:text-emerald-300" shows={shows('found')} />
        <Figure label="Possible errors" value={summary.partial} tone="text-amber-800 dark:text-amber-300" shows={shows('partial')} />
        <Figure label="Not found" value={summary.notFound} shows={shows('not_found')} />
        <Figure
          shows={shows('failed')}
          label="Failed"
          value={summary.failed}
          tone={summary.failed > 0 ? 'text-red-800 dark:text-red-300' : undefined}
          note={summary.skipped + summary.cancelled > 0 ? `${summary.skipped} skipped · ${summary.cancelled} cancelled` : undefined}
        />
        <Figure
          label="NAP accuracy"
          value={formatPercent(accuracy.score)}
          note={accuracy.compared > 0 ? `${accuracy.matched} of ${accuracy.compared} fields on ${accuracy.listings} listings` : 'no listing yet'}
        />
        <Figure label="Elapsed" value={formatDuration(elapsedMs)} />
      </dl>
      <p className={`mt-2 text-xs ${muted}`}>
        NAP accuracy: of the fields you gave (the name, the address from Location, the phone), the share that the sites
        listing the business show correctly.
      </p>
    </div>
  );
}
