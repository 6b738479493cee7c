import { memo } from 'react';
import { formatDuration } from '@/lib/format';
import { safeHref } from '@/lib/safe-href';
import type { FieldVerdict, MatchField, SiteResult } from '@/lib/types';
import { OutcomeLabel, SandboxBadge, StatusBadge, VerdictMark } from './status-badge';
import { card, link, muted } from './ui';

const FIELDS: { field: MatchField; label: string; value: (listing: NonNullable<SiteResult['listing']>) => string | undefined }[] = [
  { field: 'name', label: 'Name', value: (listing) => listing.name },
  { field: 'address', label: 'Address', value: (listing) => listing.address },
  { field: 'phone', label: 'Phone', value: (listing) => listing.phone },
  { field: 'website', label: 'Website', value: (listing) => listing.website },
];

/** The listing a site returned, each field with its verdict. Every value is site data: text only. */
function ListingFound({ result }: { result: SiteResult }) {
  const listing = result.listing;
  if (!listing) return null;
  const href = safeHref(listing.url);
  const rows = FIELDS.filter(({ field, value }) => value(listing) !== undefined || result.fields?.[field] !== undefined);
  return (
    <div className="mt-1 space-y-1">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
        {rows.map(({ field, label, value }) => {
          const verdict: FieldVerdict | undefined = result.fields?.[field];
          return (
            <div key={field} className="contents" data-field={field} data-verdict={verdict}>
              <dt className={muted}>{label}</dt>
              <dd className="flex min-w-0 flex-wrap items-baseline gap-x-2">
                <span className="break-words text-slate-900 dark:text-slate-100">{value(listing) ?? '—'}</span>
                {verdict && <VerdictMark verdict={verdict} />}
              </dd>
            </div>
          );
        })}
      </dl>
      {href && (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow" className={`inline-block text-xs ${link}`}>
          Open listing on {result.siteName}
          <span aria-hidden="true"> ↗</span>
          <span className="sr-only"> (opens in a new tab)</span>
        </a>
      )}
    </div>
  );
}

const showsError = (result: SiteResult) =>
  Boolean(result.error) && (result.status === 'failed' || result.status === 'skipped' || result.status === 'retrying');

/** One row per site: status, attempts, latency, outcome and the listing found, updated live. */
export const SiteTable = memo(function SiteTable({ results }: { results: readonly SiteResult[] }) {
  return (
    <div className={`${card} overflow-hidden`}>
      {/* Explicit roles: on a phone the rows are laid out as grids, and the table must stay a table. */}
      <table role="table" className="w-full table-fixed divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <caption className="sr-only">Sites searched</caption>
        <thead role="rowgroup" className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 max-sm:sr-only dark:bg-slate-900 dark:text-slate-400">
          <tr role="row">
            <th role="columnheader" scope="col" className="w-[24%] px-3 py-2 sm:px-4">Site</th>
            <th role="columnheader" scope="col" className="w-[20%] px-3 py-2">Status</th>
            <th role="columnheader" scope="col" className="hidden w-[8%] px-3 py-2 text-right sm:table-cell">Attempts</th>
            <th role="columnheader" scope="col" className="hidden w-[9%] px-3 py-2 text-right sm:table-cell">Latency</th>
            <th role="columnheader" scope="col" className="px-3 py-2">Listing found</th>
          </tr>
        </thead>
        <tbody role="rowgroup" className="divide-y divide-slate-100 dark:divide-slate-800">
          {results.map((result) => (
            <tr role="row" key={result.siteId} data-site={result.siteId} data-status={result.status} data-outcome={result.outcome} className="align-top max-sm:grid max-sm:grid-cols-2">
              <th role="rowheader" scope="row" className="px-3 py-2 text-left font-medium sm:px-4">
                <span className="block break-words">{result.siteName}</span>
                <span className={`flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs font-normal ${muted}`}>
                  <span className="break-all">{result.siteId}</span>
                  {result.sandbox && <SandboxBadge />}
                </span>
              </th>
              <td role="cell" className="px-3 py-2">
                <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <StatusBadge status={result.status} />
                  {result.outcome && <OutcomeLabel outcome={result.outcome} />}
                </span>
                <span className={`mt-1 block text-xs tabular-nums sm:hidden ${muted}`}>
                  {result.attempts} {result.attempts === 1 ? 'attempt' : 'attempts'} · {formatDuration(result.latencyMs)}
                </span>
                {showsError(result) && <span className="mt-1 block break-words text-xs text-red-800 dark:text-red-300">{result.error}</span>}
              </td>
              <td role="cell" className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{result.attempts}</td>
              <td role="cell" className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{formatDuration(result.latencyMs)}</td>
              <td role="cell" className="px-3 py-2 max-sm:col-span-2 max-sm:pt-0">
                {result.listing ? (
                  <ListingFound result={result} />
                ) : (
                  <span className={`text-xs ${muted}`}>{result.status === 'done' ? 'No listing for this business' : '—'}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
