'use client';

import Link from 'next/link';
import { memo, useEffect, useRef, useState, type FormEvent } from 'react';
import { BULK_COLUMNS, MAX_BULK_BYTES, MAX_BULK_ROWS } from '@/lib/bulk-csv';
import { resultRows, toCsv } from '@/lib/csv-export';
import { SearchFollower } from '@/lib/search-follower';
import { estimateRemainingMs } from '@/lib/search-metrics';
import { applyEventToResults, applyEventToSearch } from '@/lib/search-state';
import type { Search, SearchEvent, SiteResult } from '@/lib/types';
import { ConnectionStatus } from './connection-status';
import { ProgressBar } from './progress-bar';
import { DownloadIcon } from './icons';
import { readErrorMessage } from './read-error-message';
import { OutcomeCounts } from './search-list';
import { StatusBadge } from './status-badge';
import { card, input, link, muted, primaryButton, secondaryButton } from './ui';
import { useLiveSocket, useNow } from './use-live-socket';

/** A search started by the bulk run, as `POST /api/bulk` answers. */
interface StartedSearch {
  readonly line: number;
  readonly id: string;
  readonly url: string;
  readonly name: string;
}

interface RowError {
  readonly line: number;
  readonly message: string;
}

interface BulkRun {
  readonly key: number;
  readonly startedAt: number;
  readonly fileName: string;
  readonly searches: readonly StartedSearch[];
  readonly errors: readonly RowError[];
}

/** One search's state on the bulk page: the search record and results, without the log. */
interface SearchProgress {
  readonly search?: Search;
  readonly results: readonly SiteResult[];
}

const SAMPLE = `name,location,phone,website
Blue Door Bakery,"Austin, TX",(512) 555-0134,bluedoorbakery.com
Corner Deli,"Portland, OR",,
`;

const applyAll = (progress: SearchProgress, events: readonly SearchEvent[]): SearchProgress => {
  let { search, results } = progress;
  for (const event of events) {
    results = applyEventToResults(results, event);
    const base = event.type === 'search:created' ? event.data?.search : search;
    if (base) search = applyEventToSearch(base, results, event);
  }
  return { search, results };
};

const BulkRow = memo(function BulkRow({ started, progress }: { started: StartedSearch; progress: SearchProgress | undefined }) {
  const search = progress?.search;
  return (
    <tr data-search={started.id} data-status={search?.status ?? 'pending'} className="border-t border-slate-100 dark:border-slate-800">
      <td className={`px-3 py-2 tabular-nums ${muted}`}>{started.line}</td>
      <th scope="row" className="px-3 py-2 text-left font-normal">
        <Link href={started.url} className={`break-words ${link}`}>
          {started.name}
        </Link>
      </th>
      <td className="px-3 py-2">{search ? <StatusBadge status={search.status} /> : <StatusBadge status="pending" />}</td>
      <td className="px-3 py-2 text-xs tabular-nums">
        {search ? (
          <>
            <span className="block">
              {search.summary.total - search.summary.open} of {search.summary.total} sites
            </span>
            <span className={muted}>
              <OutcomeCounts item={search} />
            </span>
          </>
        ) : (
          <span className={muted}>waiting for the first event</span>
        )}
      </td>
    </tr>
  );
});

/** Follows every search of one bulk run over one socket; shows overall progress and each search. */
function BulkRunView({ run }: { run: BulkRun }) {
  // Thousands of events a second may arrive: state lives in a ref and the view redraws once a frame.
  const progress = useRef(new Map<string, SearchProgress>());
  const [, setVersion] = useState(0);
  const frame = useRef<number | undefined>(undefined);
  const redraw = () => {
    frame.current ??= requestAnimationFrame(() => {
      frame.current = undefined;
      setVersion((version) => version + 1);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current ?? 0), []);

  let total = 0;
  let open = 0;
  let ended = 0;
  let deadlineAt = 0;
  for (const started of run.searches) {
    const search = progress.current.get(started.id)?.search;
    if (!search) continue;
    total += search.summary.total;
    open += search.summary.open;
    deadlineAt = Math.max(deadlineAt, search.deadlineAt);
    if (search.status !== 'running') ended++;
  }
  const known = run.searches.filter((s) => progress.current.get(s.id)?.search).length;
  const running = ended < run.searches.length;
  // Until every search has said how many sites it has, count the unknown ones as wholly open.
  const perSearch = known > 0 ? total / known : 0;
  const estimatedTotal = Math.round(total + perSearch * (run.searches.length - known));
  const estimatedOpen = Math.round(open + perSearch * (run.searches.length - known));

  const connection = useLiveSocket(running && run.searches.length > 0, (socket) => {
    const follower = new SearchFollower({
      socket,
      onEvents: (searchId, events) => {
        progress.current.set(searchId, applyAll(progress.current.get(searchId) ?? { results: [] }, events));
        redraw();
      },
    });
    for (const started of run.searches) follower.follow(started.id, 0);
    return () => follower.close();
  });
  const now = useNow(running, 500);

  function exportAll() {
    const rows = run.searches.flatMap((started) => {
      const state = progress.current.get(started.id);
      return state?.search ? resultRows(state.search, state.results) : [];
    });
    const blob = new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = `sitescan-bulk-${new Date(run.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <section aria-labelledby="run-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="run-heading" className="text-lg font-semibold">
          Bulk run of {run.fileName}
        </h2>
        <div className="flex flex-wrap items-center gap-2">
          <ConnectionStatus connection={connection} closedText={run.searches.length > 0 ? 'All searches ended' : ''} />
          <button type="button" className={secondaryButton} onClick={exportAll} disabled={known === 0}>
            <DownloadIcon /> Export all results (CSV)
          </button>
        </div>
      </div>

      {run.searches.length > 0 && (
        <ProgressBar
          label="Bulk progress"
          value={estimatedTotal - estimatedOpen}
          max={estimatedTotal}
          unit="site jobs answered"
          active={running}
          remainingMs={estimateRemainingMs({
            total: estimatedTotal,
            open: estimatedOpen,
            startedAt: run.startedAt,
            now,
            deadlineAt: deadlineAt || undefined,
          })}
          detail={`${ended} of ${run.searches.length} searches ended`}
        />
      )}

      {run.errors.length > 0 && (
        <div className={`${card} border-red-200 dark:border-red-900`}>
          <p role="alert" className="px-4 pt-3 text-sm font-medium text-red-900 dark:text-red-200">
            {run.errors.length} {run.errors.length === 1 ? 'row was' : 'rows were'} not started
          </p>
          <table className="mt-2 w-full text-sm">
            <caption className="sr-only">Rows not started</caption>
            <thead className={`text-left text-xs uppercase tracking-wide ${muted}`}>
              <tr>
                <th scope="col" className="w-20 px-3 py-1 sm:px-4">Line</th>
                <th scope="col" className="px-3 py-1">Reason</th>
              </tr>
            </thead>
            <tbody>
              {run.errors.map((error) => (
                <tr key={`${error.line}:${error.message}`} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="px-3 py-1.5 tabular-nums sm:px-4">{error.line}</td>
                  <td className="break-words px-3 py-1.5">{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {run.searches.length > 0 && (
        <div className={`${card} overflow-x-auto`}>
          <table className="w-full text-sm">
            <caption className="sr-only">Searches of the bulk run</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide dark:bg-slate-900 ${muted}`}>
              <tr>
                <th scope="col" className="w-16 px-3 py-2">Line</th>
                <th scope="col" className="px-3 py-2">Business</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">Results</th>
              </tr>
            </thead>
            <tbody>
              {run.searches.map((started) => (
                <BulkRow key={started.id} started={started} progress={progress.current.get(started.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The bulk view: upload a CSV of businesses, start one bulk-priority search per row, follow them
 * all live, export every result.
 */
export function BulkScan() {
  const [run, setRun] = useState<BulkRun | undefined>();
  const [problem, setProblem] = useState('');
  const [uploading, setUploading] = useState(false);
  const runs = useRef(0);

  // Shows its own failure as the problem line and never rejects, so the form starts it and lets it run.
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem('');
    const file = (event.currentTarget.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) {
      setProblem('Choose a CSV file first.');
      return;
    }
    if (file.size > MAX_BULK_BYTES) {
      setProblem(`${file.name} is ${Math.ceil(file.size / 1024)} KB; the limit is ${MAX_BULK_BYTES / 1024} KB.`);
      return;
    }
    setUploading(true);
    try {
      const response = await fetch('/api/bulk', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
      if (!response.ok) {
        setProblem(`${file.name} was not started: ${await readErrorMessage(response)}`);
        return;
      }
      const body = (await response.json()) as { searches: StartedSearch[]; errors: RowError[] };
      setRun({ key: ++runs.current, startedAt: Date.now(), fileName: file.name, searches: body.searches, errors: body.errors });
    } catch (error) {
      setProblem(`Could not reach sitescan: ${(error as Error).message}`);
    } finally {
      setUploading(false);
    }
  }

  return (
    <div className="space-y-6">
      <section aria-labelledby="upload-heading" className={`${card} p-5 sm:p-6`}>
        <h1 id="upload-heading" className="text-2xl font-semibold tracking-tight">
          Bulk scan
        </h1>
        <p className={`mt-1 text-sm ${muted}`}>
          Upload a CSV with a header row and one business per line: columns <code className="font-mono">{BULK_COLUMNS.join(', ')}</code>{' '}
          (only <code className="font-mono">name</code> is required), up to {MAX_BULK_ROWS} rows. Each row runs as a bulk search, served
          after interactive searches at every site.
        </p>
        <form onSubmit={(event) => void onSubmit(event)} className="mt-4 flex flex-wrap items-end gap-3" aria-describedby={problem ? 'bulk-problem' : undefined}>
          <div className="min-w-0 flex-[1_1_18rem]">
            <label htmlFor="bulk-file" className="block text-sm font-medium">
              CSV file
            </label>
            <input id="bulk-file" name="file" type="file" accept=".csv,text/csv" required className={`mt-1 ${input} py-1.5 text-sm file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-3 file:py-1 file:text-sm file:font-medium file:text-slate-900 dark:file:bg-slate-800 dark:file:text-slate-100`} />
          </div>
          <button type="submit" className={`${primaryButton} py-2 text-base`} disabled={uploading}>
            {uploading ? 'Starting…' : 'Start bulk scan'}
          </button>
          <a className={`${secondaryButton} py-2 text-base`} href={`data:text/csv;charset=utf-8,${encodeURIComponent(SAMPLE)}`} download="sitescan-sample.csv">
            Sample CSV
          </a>
        </form>
        {problem && (
          <p id="bulk-problem" role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
            {problem}
          </p>
        )}
      </section>
      {run && <BulkRunView key={run.key} run={run} />}
    </div>
  );
}
