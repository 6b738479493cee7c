import Link from 'next/link';
import { formatUtcMinute } from '@/lib/format';
import { CHANGE_TEXT, changeClauses, type PreviousScanSummary, type ScanChanges, type SiteChangeOf } from '@/lib/scan-changes';
import type { Outcome } from '@/lib/types';
import { link, muted } from './ui';

const TONES = {
  up: 'text-emerald-800 dark:text-emerald-300',
  down: 'text-red-800 dark:text-red-300',
  side: 'text-amber-800 dark:text-amber-300',
  none: 'text-slate-600 dark:text-slate-400',
} as const;

const TONE_OF: Record<SiteChangeOf['change'], keyof typeof TONES> = {
  fixed: 'up',
  new: 'up',
  lost: 'down',
  worse: 'down',
  changed: 'side',
  same: 'none',
  unknown: 'none',
  pending: 'none',
};

const WAS: Record<Outcome, string> = { found: 'found', partial: 'possible errors', not_found: 'not found' };

/**
 * "Since the last scan, 2026-11-03 14:05 UTC: 2 listings fixed, 1 new, 1 lost", linking to that
 * scan; counts follow the search live while it runs.
 */
export function ScanChangesLine({ previous, changes, running }: { previous: PreviousScanSummary; changes: ScanChanges; running: boolean }) {
  const clauses = changeClauses(changes.counts);
  const notCompared = changes.counts.unknown;
  const open = changes.counts.pending;
  return (
    <p className="text-sm" data-testid="scan-changes">
      <span className="font-medium">
        Since the last scan,{' '}
        <time dateTime={new Date(previous.createdAt).toISOString()}>{formatUtcMinute(previous.createdAt)}</time>:
      </span>{' '}
      {clauses.join(', ')}
      {running && open > 0 ? ` so far (${open} still running)` : ''}
      {notCompared > 0 ? <span className={muted}> · {notCompared} not compared (no answer in one of the scans)</span> : null}{' '}
      <Link href={`/s/${previous.id}`} className={`${link} print:hidden`}>
        See that scan
      </Link>
    </p>
  );
}

/** A site's change since the last scan, as an arrow and words ("↑ Fixed, was possible errors"). */
export function SiteChangeMark({ change }: { change: SiteChangeOf }) {
  if (change.change === 'pending') return null;
  const text = CHANGE_TEXT[change.change];
  const was = change.before && change.change !== 'same' ? `, was ${WAS[change.before]}` : '';
  return (
    <span className={`block text-xs font-medium ${TONES[TONE_OF[change.change]]}`} data-change={change.change}>
      <span aria-hidden="true">{text.arrow} </span>
      <span className="sr-only">Since the last scan: </span>
      {text.cell}
      {was}
    </span>
  );
}
