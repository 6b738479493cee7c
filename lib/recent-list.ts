/**
 * The home page's recent list as the browser keeps it: what the server rendered, then the
 * subscribe's answer and every `recent:changed` push merged in, in whatever order they arrive.
 *
 *   server render ─┐
 *   ack {items} ───┼─▶ mergeRecent ─▶ newest first, one line per search, at most `limit`
 *   recent:changed ┘
 *
 * The hub joins the client to the list's room before it reads the list, so a push may arrive
 * before the ack that holds an older copy of the same search. A search only moves forward — its
 * open jobs only fall, and it ends once — so of two copies the one further along is kept.
 *
 * Example: the page shows "Bakery · running, 30 open"; a push says "running, 12 open"; then the
 * ack, read a moment before that push, says "running, 20 open": the line stays at 12 open. When
 * "completed, 0 open" arrives it replaces either.
 *
 * Invariants:
 * - each search MUST appear at most once, and the list MUST stay sorted newest first;
 * - a line MUST never go back: an ended search never shows running again, open never rises.
 */
import type { SearchListItem } from './types';

/** How far along a search is: ended beats running, then fewer open jobs. */
function progressOf(item: SearchListItem): number {
  return (item.status === 'running' ? 0 : 1) * (item.summary.total + 1) + (item.summary.total - item.summary.open);
}

/** The copy of one search that is further along (`next` when they are as far). */
export function furtherAlong(current: SearchListItem, next: SearchListItem): SearchListItem {
  return progressOf(next) >= progressOf(current) ? next : current;
}

/** `current` with `incoming` merged in: newest first, each search once, at most `limit`. */
export function mergeRecent(current: readonly SearchListItem[], incoming: readonly SearchListItem[], limit: number): readonly SearchListItem[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((item) => [item.id, item]));
  for (const item of incoming) {
    const known = byId.get(item.id);
    byId.set(item.id, known ? furtherAlong(known, item) : item);
  }
  return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id)).slice(0, limit);
}
