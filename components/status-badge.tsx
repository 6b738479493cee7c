import type { CircuitState, FieldVerdict, Outcome, SearchStatus, SiteJobStatus } from '@/lib/types';

const NEUTRAL = 'bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600';
const BUSY = 'bg-sky-50 text-sky-900 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-700';
const WARN = 'bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700';
const GOOD = 'bg-emerald-50 text-emerald-900 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700';
const BAD = 'bg-red-50 text-red-900 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-700';
const QUIET = 'bg-zinc-100 text-zinc-800 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600';

const BADGES: Record<SiteJobStatus | SearchStatus, { icon: string; className: string }> = {
  pending: { icon: '○', className: NEUTRAL },
  scheduled: { icon: '◔', className: NEUTRAL },
  running: { icon: '◑', className: BUSY },
  retrying: { icon: '↻', className: WARN },
  done: { icon: '✓', className: GOOD },
  completed: { icon: '✓', className: GOOD },
  failed: { icon: '✕', className: BAD },
  interrupted: { icon: '✕', className: BAD },
  cancelled: { icon: '⊘', className: QUIET },
  skipped: { icon: '–', className: QUIET },
};

const pill = 'inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset';

/** A status as a pill: an icon and a word, so colour is never the only signal. */
export function StatusBadge({ status }: { status: SiteJobStatus | SearchStatus }) {
  const badge = BADGES[status] ?? BADGES.pending;
  return (
    <span className={`${pill} ${badge.className}`}>
      <span aria-hidden="true">{badge.icon}</span>
      <span>{status}</span>
    </span>
  );
}

const CIRCUITS: Record<CircuitState, { icon: string; className: string; label: string }> = {
  closed: { icon: '●', className: GOOD, label: 'closed' },
  'half-open': { icon: '◐', className: WARN, label: 'half-open' },
  open: { icon: '○', className: BAD, label: 'open' },
};

/** A circuit breaker's state as a pill. */
export function CircuitBadge({ state }: { state: CircuitState }) {
  const badge = CIRCUITS[state];
  return (
    <span className={`${pill} ${badge.className}`}>
      <span aria-hidden="true">{badge.icon}</span>
      <span>{badge.label}</span>
    </span>
  );
}

const OUTCOMES: Record<Outcome, { label: string; className: string }> = {
  found: { label: 'found', className: 'text-emerald-800 dark:text-emerald-300' },
  partial: { label: 'found, possible errors', className: 'text-amber-800 dark:text-amber-300' },
  not_found: { label: 'not found', className: 'text-slate-700 dark:text-slate-300' },
};

/** The outcome of a done site job, in words. */
export function OutcomeLabel({ outcome }: { outcome: Outcome }) {
  const { label, className } = OUTCOMES[outcome];
  return <span className={`text-sm font-medium ${className}`}>{label}</span>;
}

const VERDICTS: Record<FieldVerdict, { mark: string; className: string }> = {
  match: { mark: '✓', className: 'text-emerald-800 dark:text-emerald-300' },
  mismatch: { mark: '≠', className: 'text-amber-800 dark:text-amber-300' },
  missing: { mark: '∅', className: 'text-slate-700 dark:text-slate-300' },
};

/** A field verdict as a mark and a word. */
export function VerdictMark({ verdict }: { verdict: FieldVerdict }) {
  const { mark, className } = VERDICTS[verdict];
  return (
    <span className={`whitespace-nowrap text-xs font-medium ${className}`}>
      <span aria-hidden="true">{mark} </span>
      <span>{verdict}</span>
    </span>
  );
}

/** A "sandbox" label: results from the simulated network are never mistaken for real ones. */
export function SandboxBadge() {
  return (
    <span
      title="Served by the sandbox network: simulated data"
      className="inline-block rounded bg-violet-100 px-1.5 text-[11px] font-semibold uppercase tracking-wide text-violet-900 dark:bg-violet-950 dark:text-violet-200"
    >
      sandbox
    </span>
  );
}
