import { useMemo } from 'react';
import { SEARCH_EVENT_TYPES, type SiteResult } from '@/lib/types';
import { input, muted } from './ui';

/** Which events the log shows: one site's, one type's, or (empty strings) all. */
export interface EventLogFilter {
  readonly siteId: string;
  readonly type: string;
}

/**
 * The event log's two filter selects, by site (the sites of `results`, sorted) and by event type.
 * Their ids start with `idPrefix`, so two logs on one page do not clash.
 */
export function EventLogFilters({
  idPrefix,
  filter,
  onChange,
  results,
}: {
  idPrefix: string;
  filter: EventLogFilter;
  onChange: (filter: EventLogFilter) => void;
  results: readonly SiteResult[];
}) {
  const sites = useMemo(() => [...results].sort((a, b) => a.siteId.localeCompare(b.siteId)), [results]);
  return (
    <div className="flex flex-wrap gap-2">
      <div>
        <label htmlFor={`${idPrefix}-site`} className={`block text-xs ${muted}`}>
          Site
        </label>
        <select
          id={`${idPrefix}-site`}
          value={filter.siteId}
          onChange={(event) => onChange({ ...filter, siteId: event.target.value })}
          className={`${input} py-1 text-sm`}
        >
          <option value="">All sites</option>
          {sites.map((result) => (
            <option key={result.siteId} value={result.siteId}>
              {result.siteId}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${idPrefix}-type`} className={`block text-xs ${muted}`}>
          Event type
        </label>
        <select
          id={`${idPrefix}-type`}
          value={filter.type}
          onChange={(event) => onChange({ ...filter, type: event.target.value })}
          className={`${input} py-1 text-sm`}
        >
          <option value="">All types</option>
          {SEARCH_EVENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
