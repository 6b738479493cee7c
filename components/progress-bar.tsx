import { formatRemaining } from '@/lib/format';
import { muted } from './ui';

/** Progress with its words: "12 of 33 sites answered · about 3 s left". */
export function ProgressBar({
  label,
  value,
  max,
  unit,
  remainingMs,
  active,
  detail,
}: {
  /** Accessible name of the bar, e.g. "Sites answered". */
  label: string;
  value: number;
  max: number;
  /** Plural noun of what is counted: "sites answered". */
  unit: string;
  /** Time left, while active. */
  remainingMs?: number;
  active: boolean;
  /** Extra words after the count, e.g. "2 skipped". */
  detail?: string;
}) {
  const ratio = max > 0 ? Math.min(1, value / max) : 1;
  const text = `${value} of ${max} ${unit}`;
  return (
    <div>
      <div className={`mb-1 flex flex-wrap justify-between gap-x-4 text-sm ${muted}`}>
        <span>
          {text}
          {detail ? ` · ${detail}` : ''}
        </span>
        {active && <span suppressHydrationWarning>ETA {formatRemaining(remainingMs)}</span>}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={text}
        className="h-2.5 overflow-hidden rounded-full bg-slate-200 ring-1 ring-inset ring-slate-300 dark:bg-slate-800 dark:ring-slate-700"
      >
        <div
          className={`h-full rounded-full transition-[width] duration-300 ${active ? 'bg-sky-600 dark:bg-sky-500' : 'bg-emerald-600 dark:bg-emerald-500'}`}
          style={{ width: `${ratio * 100}%` }}
        />
      </div>
    </div>
  );
}
