/**
 * Search results as CSV: one row per search × site, the same columns for the export of one
 * search (`GET /api/searches/:id/export?format=csv`) and of a whole bulk run
 * (`GET /api/bulk/:id/export`, and the bulk page when its run could not be recorded).
 *
 * Cells are site data and user input: a cell that a spreadsheet would run as a formula is
 * prefixed with `'` (OWASP "CSV injection").
 */
import Papa from 'papaparse';
import { compareScans, type PreviousScanSummary } from './scan-changes';
import type { MatchField, Search, SiteResult } from './types';

/**
 * Leading characters that make a spreadsheet evaluate a cell. Papa's own `escapeFormulae: true`
 * uses `/^[=+\-@\t\r].*$/`, which a value with a newline after the formula slips past (`.` does
 * not match `\n`); anchoring only the start closes that.
 */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** Columns of the CSV, in order. */
export const RESULT_COLUMNS = [
  'search_id',
  'business_name',
  'business_location',
  'business_phone',
  'business_website',
  'search_status',
  'searched_at',
  'site_id',
  'site_name',
  'sandbox',
  'status',
  'outcome',
  'attempts',
  'latency_ms',
  'error',
  'listing_name',
  'listing_address',
  'listing_phone',
  'listing_website',
  'listing_url',
  'name_verdict',
  'address_verdict',
  'phone_verdict',
  'website_verdict',
  // The last scan of the same business before this one (`scan-changes.ts`); empty when none.
  'previous_search_id',
  'previous_searched_at',
  'previous_outcome',
  'change_since_previous',
] as const;

/** One row of the CSV. */
export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean>;

const verdict = (result: SiteResult, field: MatchField) => result.fields?.[field] ?? '';

/** The rows of one search: one per site result, each with its change since `previous` when given. */
export function resultRows(
  search: Pick<Search, 'id' | 'query' | 'status' | 'createdAt'>,
  results: readonly SiteResult[],
  previous?: PreviousScanSummary,
): ResultRow[] {
  const changes = previous && compareScans(previous.sites, results).bySite;
  return results.map((result) => ({
    search_id: search.id,
    business_name: search.query.name,
    business_location: search.query.location ?? '',
    business_phone: search.query.phone ?? '',
    business_website: search.query.website ?? '',
    search_status: search.status,
    searched_at: new Date(search.createdAt).toISOString(),
    site_id: result.siteId,
    site_name: result.siteName,
    sandbox: result.sandbox,
    status: result.status,
    outcome: result.outcome ?? '',
    attempts: result.attempts,
    latency_ms: result.latencyMs === undefined ? '' : Math.round(result.latencyMs),
    error: result.error ?? '',
    listing_name: result.listing?.name ?? '',
    listing_address: result.listing?.address ?? '',
    listing_phone: result.listing?.phone ?? '',
    listing_website: result.listing?.website ?? '',
    listing_url: result.listing?.url ?? '',
    name_verdict: verdict(result, 'name'),
    address_verdict: verdict(result, 'address'),
    phone_verdict: verdict(result, 'phone'),
    website_verdict: verdict(result, 'website'),
    previous_search_id: previous?.id ?? '',
    previous_searched_at: previous ? new Date(previous.createdAt).toISOString() : '',
    previous_outcome: changes?.get(result.siteId)?.before ?? '',
    change_since_previous: changes?.get(result.siteId)?.change ?? '',
  }));
}

/**
 * Rows as CSV text (RFC 4180, CRLF line ends, header first), formulas escaped. With
 * `header: false`, the rows alone: a later part of a CSV written a part at a time, which the
 * caller separates from the part before with a CRLF.
 */
export function toCsv(rows: readonly ResultRow[], options: { readonly header?: boolean } = {}): string {
  return Papa.unparse(
    { fields: [...RESULT_COLUMNS], data: rows.map((row) => RESULT_COLUMNS.map((column) => row[column])) },
    { escapeFormulae: FORMULA_START, newline: '\r\n', header: options.header ?? true },
  );
}

/** A file name for a download: `sitescan-blue-door-bakery-<id>.csv`. */
export function exportFileName(name: string, id: string, extension: 'csv' | 'json'): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `sitescan-${slug ? `${slug}-` : ''}${id}.${extension}`;
}
