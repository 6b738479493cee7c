'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { AgainIcon, DownloadIcon } from './icons';
import { startAndOpen } from './read-error-message';
import { secondaryButton } from './ui';

/**
 * A recorded bulk run's actions: download the whole batch (CSV, JSON) from the server, start the
 * run again (its rows as a new run, whose page it then opens) and list its searches in the history.
 */
export function BulkRunActions({ runId }: { runId: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState('');
  const [starting, setStarting] = useState(false);
  const exportHref = (format: 'csv' | 'json') => `/api/bulk/${runId}/export?format=${format}`;

  async function runAgain() {
    setStarting(true);
    setProblem('');
    const problem = await startAndOpen({ url: `/api/bulk/${runId}/rerun`, what: 'run it again' }, (url) => router.push(url));
    if (problem) {
      setProblem(problem);
      setStarting(false);
    }
  }

  return (
    <div className="space-y-2 print:hidden">
      <div role="group" aria-label="Bulk run actions" className="flex flex-wrap gap-2">
        <a className={secondaryButton} href={exportHref('csv')} download>
          <DownloadIcon /> Export all results (CSV)
        </a>
        <a className={secondaryButton} href={exportHref('json')} download>
          <DownloadIcon /> Export all results (JSON)
        </a>
        <button type="button" className={secondaryButton} onClick={() => void runAgain()} disabled={starting}>
          <AgainIcon /> {starting ? 'Starting…' : 'Run again'}
        </button>
        <Link className={secondaryButton} href={`/history?bulk=${runId}`}>
          Searches in history
        </Link>
      </div>
      {problem && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {problem}
        </p>
      )}
    </div>
  );
}
