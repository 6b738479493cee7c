'use client';

import { resultRows, toCsv } from '@/lib/csv-export';
import type { BulkRun } from './bulk-run';
import { BulkCoverageMatrix } from './bulk-coverage-matrix';
import { BulkRowErrors } from './bulk-row-errors';
import { BulkSearchTable } from './bulk-search-table';
import { ConnectionStatus } from './connection-status';
import { DownloadIcon } from './icons';
import { ProgressBar } from './progress-bar';
import { secondaryButton } from './ui';
import { useBulkRunProgress, type SearchProgress } from './use-bulk-run-progress';

/** Downloads every result of the run's searches so far as one CSV, named for the run's start. */
function downloadResults(run: BulkRun, progress: ReadonlyMap<string, SearchProgress>) {
  const rows = run.searches.flatMap((started) => {
    const state = progress.get(started.id);
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

/**
 * Follows every search of one bulk run over one socket; shows overall progress and each search.
 * `localExport` offers a CSV made in the browser from what the view has followed: for a run with
 * no record (the store refused it), which the server cannot export.
 */
export function BulkRunView({ run, localExport = false }: { run: BulkRun; localExport?: boolean }) {
  const { progress, connection, known, ended, running, estimatedTotal, estimatedOpen, remainingMs } = useBulkRunProgress(run);

  return (
    <section aria-labelledby="run-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="run-heading" className="text-lg font-semibold">
          Progress and results
        </h2>
        <div className="flex flex-wrap items-center gap-2 print:hidden">
          <ConnectionStatus connection={connection} closedText={run.searches.length > 0 ? 'All searches ended' : ''} />
          {localExport && (
            <button type="button" className={secondaryButton} onClick={() => downloadResults(run, progress)} disabled={known === 0}>
              <DownloadIcon /> Export all results (CSV)
            </button>
          )}
        </div>
      </div>

      {run.searches.length > 0 && (
        <ProgressBar
          label="Bulk progress"
          value={estimatedTotal - estimatedOpen}
          max={estimatedTotal}
          unit="site jobs answered"
          active={running}
          remainingMs={remainingMs}
          detail={`${ended} of ${run.searches.length} searches ended`}
        />
      )}

      {run.errors.length > 0 && <BulkRowErrors errors={run.errors} />}

      {run.searches.length > 0 && <BulkSearchTable searches={run.searches} progress={progress} />}

      {run.searches.length > 0 && <BulkCoverageMatrix searches={run.searches} progress={progress} />}
    </section>
  );
}
