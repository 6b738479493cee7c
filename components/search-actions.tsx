'use client';

import type { Search } from '@/lib/types';
import { AgainIcon, CopyIcon, DownloadIcon, StopIcon } from './icons';
import { dangerButton, primaryButton, secondaryButton } from './ui';
import { useSearchActions } from './use-search-actions';

/**
 * The result page's actions: copy the share link, export, cancel a running search (offered only
 * to its owner: the browser that started it), run it again.
 */
export function SearchActions({ search, owner }: { search: Search; owner: boolean }) {
  const { notice, problem, busy, copyLink, cancel, runAgain } = useSearchActions(search);
  const running = search.status === 'running';
  const exportHref = (format: 'csv' | 'json') => `/api/searches/${search.id}/export?format=${format}`;

  return (
    <div className="space-y-2 print:hidden">
      <div role="group" aria-label="Search actions" className="flex flex-wrap gap-2">
        <button type="button" className={secondaryButton} onClick={() => void copyLink()}>
          <CopyIcon /> Copy share link
        </button>
        <a className={secondaryButton} href={exportHref('csv')} download>
          <DownloadIcon /> Export CSV
        </a>
        <a className={secondaryButton} href={exportHref('json')} download>
          <DownloadIcon /> Export JSON
        </a>
        {running && owner && (
          <button type="button" className={dangerButton} onClick={() => void cancel()} disabled={busy !== undefined}>
            <StopIcon /> {busy === 'cancel' ? 'Cancelling…' : 'Cancel search'}
          </button>
        )}
        <button type="button" className={running ? secondaryButton : primaryButton} onClick={() => void runAgain()} disabled={busy !== undefined}>
          <AgainIcon /> {busy === 'rerun' ? 'Starting…' : 'Run again'}
        </button>
      </div>
      <p role="status" className="break-all text-sm text-slate-700 dark:text-slate-300">
        {notice}
      </p>
      {problem && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {problem}
        </p>
      )}
    </div>
  );
}
