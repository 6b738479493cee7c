/**
 * The history list's paging rules, shared by every store so they page alike: page size bounds
 * and the opaque cursor — base64url of `[createdAt, id]`, the last item of a page in the order
 * newest first, id descending on ties.
 */
import type { Search, SearchListItem } from '../../lib/types';
import { ValidationError } from '../errors';

/** Page size of the history list when none is asked for. */
export const DEFAULT_LIMIT = 20;
/** Largest history page. */
export const MAX_LIMIT = 100;

/** A position in the history order: the last item of a page. */
export interface Position {
  readonly createdAt: number;
  readonly id: string;
}

/** The page size asked for, within 1–MAX_LIMIT; DEFAULT_LIMIT when absent or not a number. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/** The cursor that continues after `item`. */
export function encodeCursor(item: SearchListItem): string {
  return Buffer.from(JSON.stringify([item.createdAt, item.id])).toString('base64url');
}

/** The position a cursor names; throws `ValidationError` saying what is wrong with a bad one. */
export function decodeCursor(cursor: string): Position {
  const invalid = (reason: string) =>
    new ValidationError(
      `Expected \`cursor\` to be the \`next\` of a previous page, got ${JSON.stringify(cursor.slice(0, 64))} (${reason})`,
      { cursor: cursor.slice(0, 64), reason },
    );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== 'string'
  ) {
    throw invalid('not a [createdAt, id] position');
  }
  return { createdAt: value[0], id: value[1] };
}

/** A search as the history lists it: no priority or deadline, absent fields left out. */
export function toListItem(search: Search): SearchListItem {
  return {
    id: search.id,
    query: search.query,
    status: search.status,
    createdAt: search.createdAt,
    ...(search.completedAt === undefined ? {} : { completedAt: search.completedAt }),
    summary: search.summary,
  };
}
