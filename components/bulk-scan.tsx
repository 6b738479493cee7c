'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { BULK_COLUMNS, MAX_BULK_BYTES, MAX_BULK_ROWS } from '@/lib/bulk-csv';
import type { BulkRun, RowError, StartedSearch } from './bulk-run';
import { BulkRunView } from './bulk-run-view';
import { readErrorMessage } from './read-error-message';
import { card, input, muted, primaryButton, secondaryButton } from './ui';

const SAMPLE = `name,location,phone,website
Blue Door Bakery,"Austin, TX",(512) 555-0134,bluedoorbakery.com
Corner Deli,"Portland, OR",,
`;

/**
 * The bulk view: upload a CSV of businesses, start one bulk-priority search per row, and go to the
 * run's own page (`/bulk/<id>`) to follow them all live. Should the run not be recorded (the store
 * is down), its searches are followed here instead.
 */
export function BulkScan() {
  const router = useRouter();
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
      const response = await fetch(`/api/bulk?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: await file.text(),
      });
      if (response.status === 503) {
        // The searches started; only the run's record is missing. Follow them here.
        const { error } = (await response.json()) as { error: { message: string; details?: { searches: StartedSearch[]; errors: RowError[] } } };
        setProblem(error.message);
        if (error.details) setRun({ key: ++runs.current, startedAt: Date.now(), fileName: file.name, ...error.details });
        return;
      }
      if (!response.ok) {
        setProblem(`${file.name} was not started: ${await readErrorMessage(response)}`);
        return;
      }
      const body = (await response.json()) as { url: string };
      router.push(body.url);
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
      {run && <BulkRunView key={run.key} run={run} localExport />}
    </div>
  );
}
