import { formatDuration } from '@/lib/format';
import type { FieldVerdict, MatchField, SiteResult } from '@/lib/types';
import { OutcomeLabel, StatusBadge } from './status-badge';

const VERDICT_MARKS: Record<FieldVerdict, { mark: string; className: string }> = {
  match: { mark: '✓', className: 'text-emerald-700 dark:text-emerald-400' },
  mismatch: { mark: '≠', className: 'text-amber-700 dark:text-amber-400' },
  missing: { mark: '∅', className: 'text-slate-500' },
};

function Verdicts({ fields }: { fields: SiteResult['fields'] }) {
  if (!fields) return null;
  const entries = Object.entries(fields) as [MatchField, FieldVerdict][];
  return (
    <ul className="mt-1 flex flex-wrap gap-x-3 text-xs" aria-label="Field verdicts">
      {entries.map(([field, verdict]) => (
        <li key={field} className={VERDICT_MARKS[verdict].className}>
          <span aria-hidden="true">{VERDICT_MARKS[verdict].mark} </span>
          {field} {verdict}
        </li>
      ))}
    </ul>
  );
}

/** One row per site: status, attempts, latency, outcome and the listing found. Site data is text only. */
export function SiteTable({ results }: { results: readonly SiteResult[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <caption className="sr-only">Sites searched</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900">
          <tr>
            <th scope="col" className="px-4 py-2">Site</th>
            <th scope="col" className="px-4 py-2">Status</th>
            <th scope="col" className="px-4 py-2 text-right">Attempts</th>
            <th scope="col" className="px-4 py-2 text-right">Latency</th>
            <th scope="col" className="px-4 py-2">Result</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {results.map((result) => (
            <tr key={result.siteId} data-site={result.siteId} data-status={result.status} className="align-top">
              <th scope="row" className="px-4 py-2 text-left font-medium">
                <span>{result.siteName}</span>
                <span className="block text-xs font-normal text-slate-500">{result.siteId}</span>
                {result.sandbox && (
                  <span className="mt-1 inline-block rounded bg-violet-100 px-1.5 text-[11px] font-semibold uppercase tracking-wide text-violet-800 dark:bg-violet-950 dark:text-violet-200">
                    sandbox
                  </span>
                )}
              </th>
              <td className="px-4 py-2">
                <StatusBadge status={result.status} />
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{result.attempts}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatDuration(result.latencyMs)}</td>
              <td className="px-4 py-2">
                {result.outcome && <OutcomeLabel outcome={result.outcome} />}
                {result.listing && (
                  <div className="mt-1 text-xs text-slate-700 dark:text-slate-300">
                    <p className="font-medium">
                      {result.listing.url ? (
                        <a href={result.listing.url} rel="noopener noreferrer nofollow" target="_blank" className="text-sky-700 hover:underline dark:text-sky-400">
                          {result.listing.name}
                        </a>
                      ) : (
                        result.listing.name
                      )}
                    </p>
                    {result.listing.address && <p>{result.listing.address}</p>}
                    {result.listing.phone && <p>{result.listing.phone}</p>}
                    <Verdicts fields={result.fields} />
                  </div>
                )}
                {(result.status === 'failed' || result.status === 'skipped' || result.status === 'retrying') && result.error && (
                  <p className="text-xs text-red-700 dark:text-red-400">{result.error}</p>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
