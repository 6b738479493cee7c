import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { Search } from '@/lib/types';
import { readErrorMessage, startAndOpen } from './read-error-message';

/** What the result page's actions show and do, as `useSearchActions` hands it to the buttons. */
export interface SearchActionsState {
  /** Words for the status line: the copied link, or the link to copy by hand. */
  readonly notice: string;
  /** Why the last action failed; empty when it did not. */
  readonly problem: string;
  /** The action under way, which disables both cancel and run again until it ends. */
  readonly busy: 'cancel' | 'rerun' | undefined;
  /** Puts the page's address on the clipboard. */
  readonly copyLink: () => Promise<void>;
  /** Asks the server to cancel the search; the live log shows when it did. */
  readonly cancel: () => Promise<void>;
  /** Starts the same query as a new search and goes to its page. */
  readonly runAgain: () => Promise<void>;
}

/**
 * The result page's actions on `search`: copy the share link, cancel it, start it again (and go
 * to the new search's page). Each action shows its own failure as `notice` or `problem` and never
 * rejects, so a button starts it and lets it run.
 */
export function useSearchActions(search: Search): SearchActionsState {
  const router = useRouter();
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState<'cancel' | 'rerun' | undefined>();

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
    const init = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(search.query) };
    const problem = await startAndOpen({ url: '/api/searches', init, what: 'start the search' }, (url) => router.push(url));
    if (problem) {
      setProblem(problem);
      setBusy(undefined);
    }
  }

  return { notice, problem, busy, copyLink, cancel, runAgain };
}
