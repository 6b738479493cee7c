import type { Connection } from './use-live-socket';

const LABELS: Record<Connection, { text: string; mark: string; className: string }> = {
  connecting: { text: 'Connecting…', mark: '◌', className: 'text-slate-700 ring-slate-300 dark:text-slate-300 dark:ring-slate-600' },
  live: { text: 'Live', mark: '●', className: 'text-emerald-800 ring-emerald-300 dark:text-emerald-300 dark:ring-emerald-700' },
  offline: {
    text: 'Offline — reconnecting…',
    mark: '⚠',
    className: 'bg-amber-50 text-amber-900 ring-amber-400 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700',
  },
  closed: { text: '', mark: '', className: '' },
};

/** The live link's state in words (a live region), so a dropped connection is never silent. */
export function ConnectionStatus({ connection, closedText = '' }: { connection: Connection; closedText?: string }) {
  const label = LABELS[connection];
  const text = connection === 'closed' ? closedText : label.text;
  return (
    <span role="status" aria-live="polite" className="inline-flex">
      {text && (
        <span className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${label.className || 'text-slate-700 ring-slate-300 dark:text-slate-300 dark:ring-slate-600'}`}>
          {label.mark && <span aria-hidden="true">{label.mark}</span>}
          <span>{text}</span>
        </span>
      )}
    </span>
  );
}
