'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { Search } from '@/lib/types';
import { AgainIcon, CopyIcon, DownloadIcon, StopIcon } from './icons';
import { dangerButton, primaryButton, secondaryButton } from './ui';

/** Reads an API error answer as one sentence, with Retry-After when the server sent one. */
export async function readErrorMessage(response: Response): Promise<string> {
  let message = `the server answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const retryAfter = response.headers.get('retry-after');
  return retryAfter ? `${message} — try again in ${retryAfter} s` : message;
}

/** The result page's actions: copy the share link, export, cancel a running search, run it again. */
export function SearchActions({ search }: { search: Search }) {
  const router = useRouter();
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState<'cancel' | 'rerun' | undefined>();
  const running = search.status === 'running';

  // Each handler shows its own failure (notice or problem) and never rejects, so the buttons
  // start them and let them run.
  async function copyLink() {
    setProblem('');
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      setNotice('Share link copied');
    } catch {
      // No clipboard permission (or an insecure context): show the link to copy by hand.
      setNotice(`Copy this link: ${url}`);
    }
  }

  async function cancel() {
    setBusy('cancel');
    setProblem('');
    try {
      const response = await fetch(`/api/searches/${search.id}/cancel`, { method: 'POST' });
      // On success the live log shows search:cancelled; only a refusal needs words here.
      if (!response.ok) setProblem(`Could not cancel: ${await readErrorMessage(response)}`);
    } catch (error) {
      setProblem(`Could not reach sitescan: ${(error as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  }

  async function runAgain() {
    setBusy('rerun');
    setProblem('');
    try {
      const response = await fetch('/api/searches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(search.query),
      });
      if (!response.ok) {
        setProblem(`Could not start the search: ${await readErrorMessage(response)}`);
        setBusy(undefined);
        return;
      }
      const { url } = (await response.json()) as { url: string };
      router.push(url);
    } catch (error) {
      setProblem(`Could not reach sitescan: ${(error as Error).message}`);
      setBusy(undefined);
    }
  }

  const exportHref = (format: 'csv' | 'json') => `/api/searches/${search.id}/export?format=${format}`;

  return (
    <div className="space-y-2">
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
        {running && (
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
