/**
 * Reads the CSV of a bulk run: a header row naming the columns (`name`, and optionally
 * `location`, `phone`, `website`, in any order and case; other columns are ignored), then one
 * business per row. Parsed with papaparse; each row is validated as the search form is.
 *
 * A bad row does not stop the others: it is reported with its line number in the file (a quoted
 * field may span lines, so rows and lines differ) and the reason.
 */
import Papa from 'papaparse';
import { businessQuerySchema, describeZodError } from './schemas';
import type { BusinessQuery } from './types';

/** Most businesses one bulk run may hold. */
export const MAX_BULK_ROWS = 1000;
/** Largest bulk CSV accepted, in bytes. */
export const MAX_BULK_BYTES = 512 * 1024;

/** Columns a bulk CSV may use. */
export const BULK_COLUMNS = ['name', 'location', 'phone', 'website'] as const;

/** A row that becomes a search. */
export interface BulkRow {
  /** Line of the file where the row starts (the header is line 1). */
  readonly line: number;
  readonly query: BusinessQuery;
}

/** A row that does not, and why. */
export interface BulkRowError {
  readonly line: number;
  readonly message: string;
}

/** The rows of a bulk CSV, or why the file as a whole cannot be used. */
export type BulkParseResult =
  | { readonly ok: true; readonly rows: readonly BulkRow[]; readonly errors: readonly BulkRowError[] }
  | { readonly ok: false; readonly message: string };

/** Parses a bulk CSV; `maxRows` caps the businesses (default {@link MAX_BULK_ROWS}). */
export function parseBulkCsv(text: string, options: { maxRows?: number } = {}): BulkParseResult {
  const maxRows = options.maxRows ?? MAX_BULK_ROWS;
  // Every physical line stays a row (no skipEmptyLines), so line numbers can be counted back.
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: false });
  const newline = parsed.meta.linebreak === '\r' ? '\r' : '\n';
  const lines: number[] = [];
  let line = 1;
  for (const row of parsed.data) {
    lines.push(line);
    line += 1 + row.reduce((sum, cell) => sum + cell.split(newline).length - 1, 0);
  }

  const header = parsed.data[0]?.map((cell) => cell.trim().toLowerCase());
  if (!header || header.every((cell) => cell === '')) {
    return { ok: false, message: `the file is empty: expected a header row with the columns ${BULK_COLUMNS.join(', ')}` };
  }
  const nameIndex = header.indexOf('name');
  if (nameIndex === -1) {
    return { ok: false, message: `the header row has no "name" column (found: ${header.filter(Boolean).join(', ') || 'nothing'}); expected ${BULK_COLUMNS.join(', ')}` };
  }
  const index = Object.fromEntries(BULK_COLUMNS.map((column) => [column, header.indexOf(column)])) as Record<(typeof BULK_COLUMNS)[number], number>;

  const rowErrors = new Map<number, string>();
  for (const error of parsed.errors) {
    if (error.row !== undefined && error.row !== null) rowErrors.set(error.row, `${error.message} (${error.code})`);
  }

  const rows: BulkRow[] = [];
  const errors: BulkRowError[] = [];
  let businesses = 0;
  for (let i = 1; i < parsed.data.length; i++) {
    const cells = parsed.data[i]!;
    if (cells.every((cell) => cell.trim() === '')) continue;
    businesses++;
    if (businesses > maxRows) {
      return { ok: false, message: `the file has more than ${maxRows} businesses; split it into runs of at most ${maxRows}` };
    }
    const at = lines[i]!;
    const parseError = rowErrors.get(i);
    if (parseError) {
      errors.push({ line: at, message: parseError });
      continue;
    }
    const cell = (column: (typeof BULK_COLUMNS)[number]) => (index[column] === -1 ? undefined : cells[index[column]]);
    const query = businessQuerySchema.safeParse({
      name: cell('name') ?? '',
      location: cell('location'),
      phone: cell('phone'),
      website: cell('website'),
    });
    if (query.success) rows.push({ line: at, query: query.data });
    else errors.push({ line: at, message: describeZodError(query.error) });
  }
  if (businesses === 0) return { ok: false, message: 'the file has a header row but no businesses' };
  return { ok: true, rows, errors };
}
