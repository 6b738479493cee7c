import { memo } from 'react';
import { formatDuration } from '@/lib/format';
import { safeHref } from '@/lib/safe-href';
import type { SiteChangeOf } from '@/lib/scan-changes';
import { diffWords, type DiffSegment } from '@/lib/text-diff';
import type { BusinessQuery, FieldVerdict, MatchField, SiteResult } from '@/lib/types';
import { SiteChangeMark } from './scan-changes';
import { OutcomeLabel, SandboxBadge, StatusBadge, VerdictMark } from './status-badge';
import { card, link, muted } from './ui';

const FIELDS: {
  field: MatchField;
  label: string;
  value: (listing: NonNullable<SiteResult['listing']>) => string | undefined;
  expected: (query: BusinessQuery) => string | undefined;
}[] = [
  { field: 'name', label: 'Name', value: (listing) => listing.name, expected: (query) => query.name },
  { field: 'address', label: 'Address', value: (listing) => listing.address, expected: (query) => query.location },
  { field: 'phone', label: 'Phone', value: (listing) => listing.phone, expected: (query) => query.phone },
  { field: 'website', label: 'Website', value: (listing) => listing.website, expected: (query) => query.website },
];

const markClass = 'rounded-sm bg-amber-200 px-0.5 text-slate-950 dark:bg-amber-800 dark:text-amber-50';

/** A side of a mismatch, what differs from the other side marked. */
function Marked({ segments }: { segments: readonly DiffSegment[] }) {
  return (
    <>
      {segments.map((segment, i) =>
        segment.differs ? (
          <mark key={i} className={markClass}>
            {segment.text}
          </mark>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </>
  );
}

/** A mismatched field: the listing's value and the one the user gave, the differing words marked. */
function Mismatch({ found, expected }: { found: string; expected: string }) {
  const diff = diffWords(expected, found);
  return (
    <span className="flex min-w-0 flex-col">
      <span className="break-words text-slate-900 dark:text-slate-100" data-part="found">
        <Marked segments={diff.found} />
      </span>
      <span className={`break-words ${muted}`} data-part="expected">
        expected <Marked segments={diff.expected} />
      </span>
    </span>
  );
}

/**
 * The listing a site returned, each field with its verdict; a mismatch also shows what the user
 * gave, the differing words marked. Every value is site data: text only.
 */
function ListingFound({ result, query }: { result: SiteResult; query?: BusinessQuery }) {
  const listing = result.listing;
  if (!listing) return null;
  const href = safeHref(listing.url);
  const rows = FIELDS.filter(({ field, value }) => value(listing) !== undefined || result.fields?.[field] !== undefined);
  return (
    <div className="mt-1 space-y-1">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
        {rows.map(({ field, label, value, expected }) => {
          const verdict: FieldVerdict | undefined = result.fields?.[field];
          const found = value(listing);
          const given = query && expected(query);
          return (
            <div key={field} className="contents" data-field={field} data-verdict={verdict}>
              <dt className={muted}>{label}</dt>
              <dd className="flex min-w-0 flex-wrap items-baseline gap-x-2">
                {verdict === 'mismatch' && found !== undefined && given ? (
                  <Mismatch found={found} expected={given} />
                ) : (
                  <span className="break-words text-slate-900 dark:text-slate-100">{found ?? '—'}</span>
                )}
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

/**
 * One row per site: status, attempts, latency, outcome and the listing found, updated live; with
 * `changes`, each site's change since the last scan under its status.
 */
export const SiteTable = memo(function SiteTable({
  results,
  query,
  changes,
}: {
  results: readonly SiteResult[];
  query?: BusinessQuery;
  changes?: ReadonlyMap<string, SiteChangeOf>;
}) {
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
          {results.map((result) => {
            const change = changes?.get(result.siteId);
            return (
            <tr role="row" key={result.siteId} data-site={result.siteId} data-status={result.status} data-outcome={result.outcome} data-change={change?.change} className="align-top max-sm:grid max-sm:grid-cols-2">
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
                {change && <SiteChangeMark change={change} />}
                <span className={`mt-1 block text-xs tabular-nums sm:hidden ${muted}`}>
                  {result.attempts} {result.attempts === 1 ? 'attempt' : 'attempts'} · {formatDuration(result.latencyMs)}
                </span>
                {showsError(result) && <span className="mt-1 block break-words text-xs text-red-800 dark:text-red-300">{result.error}</span>}
              </td>
              <td role="cell" className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{result.attempts}</td>
              <td role="cell" className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{formatDuration(result.latencyMs)}</td>
              <td role="cell" className="px-3 py-2 max-sm:col-span-2 max-sm:pt-0">
                {result.listing ? (
                  <ListingFound result={result} query={query} />
                ) : (
                  <span className={`text-xs ${muted}`}>{result.status === 'done' ? 'No listing for this business' : '—'}</span>
                )}
              </td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
});
