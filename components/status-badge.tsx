import type { Outcome, SearchStatus, SiteJobStatus } from '@/lib/types';

const STYLES: Record<string, string> = {
  pending: 'bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600',
  scheduled: 'bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600',
  running: 'bg-sky-50 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-700',
  retrying: 'bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700',
  done: 'bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700',
  completed: 'bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700',
  failed: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-700',
  interrupted: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-700',
  cancelled: 'bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600',
  skipped: 'bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-600',
};

const ICONS: Record<string, string> = {
  pending: '○',
  scheduled: '◔',
  running: '◑',
  retrying: '↻',
  done: '✓',
  completed: '✓',
  failed: '✕',
  interrupted: '✕',
  cancelled: '⊘',
  skipped: '–',
};

/** A status as a pill: an icon and a word, so colour is never the only signal. */
export function StatusBadge({ status }: { status: SiteJobStatus | SearchStatus }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status] ?? STYLES.pending}`}
    >
      <span aria-hidden="true">{ICONS[status] ?? '•'}</span>
      {status}
    </span>
  );
}

const OUTCOME_LABELS: Record<Outcome, string> = {
  found: 'found',
  partial: 'found, possible errors',
  not_found: 'not found',
};

const OUTCOME_STYLES: Record<Outcome, string> = {
  found: 'text-emerald-700 dark:text-emerald-400',
  partial: 'text-amber-700 dark:text-amber-400',
  not_found: 'text-slate-600 dark:text-slate-400',
};

/** The outcome of a done site job, in words. */
export function OutcomeLabel({ outcome }: { outcome: Outcome }) {
  return <span className={`text-sm font-medium ${OUTCOME_STYLES[outcome]}`}>{OUTCOME_LABELS[outcome]}</span>;
}
