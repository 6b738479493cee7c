import { formatDuration, formatPercent } from '@/lib/format';
import type { NapAccuracy } from '@/lib/search-metrics';
import type { SearchSummary } from '@/lib/types';
import { muted } from './ui';

function Figure({ label, value, note, tone }: { label: string; value: string | number; note?: string; tone?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
      <dt className={`text-xs ${muted}`}>{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${tone ?? ''}`} suppressHydrationWarning>
        {value}
      </dd>
      {note && <dd className={`text-xs ${muted}`}>{note}</dd>}
    </div>
  );
}

/** The figures of a search at a glance: outcomes, NAP accuracy, elapsed time. */
export function SummaryStrip({ summary, accuracy, elapsedMs }: { summary: SearchSummary; accuracy: NapAccuracy; elapsedMs: number }) {
  return (
    <div>
      <dl aria-label="Summary" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <Figure label="Found" value={summary.found} tone="text-emerald-800 dark:text-emerald-300" />
        <Figure label="Possible errors" value={summary.partial} tone="text-amber-800 dark:text-amber-300" />
        <Figure label="Not found" value={summary.notFound} />
        <Figure
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
