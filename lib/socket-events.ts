/**
 * Typed Socket.IO event maps shared by the hub and the browser, so every `emit` is checked at
 * compile time on both sides.
 */
import type { ChartHistory, ChartSample } from './chart-samples';
import type { SearchEvent, SearchListItem, SiteInfo } from './types';

/** A live event as pushed to a search's room: the event plus its search id. */
export type LiveSearchEvent = SearchEvent & { readonly searchId: string };

/**
 * Answer to `search:subscribe`: the events after `afterSeq`, or why it was refused. `reset` says
 * the log the client holds is not the server's any more (a crash lost events it was shown, and
 * their seqs now name others): `events` is then the whole log from seq 1, to replace its own.
 * Refusal codes: `invalid_request` (the payload, each bad field named), `not_found`,
 * `too_many_searches` (the connection follows as many as it may), `internal`; `unsubscribed` and
 * `disconnected` answer a subscribe overtaken by an unsubscribe or the end of the connection.
 */
export type SubscribeAck =
  | { readonly ok: true; readonly events: readonly SearchEvent[]; readonly reset?: boolean }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/**
 * Answer to `recent:subscribe`: the client's recent searches now (newest first, at most
 * {@link RECENT_LIMIT}), or why it was refused (`invalid_request`, `internal`).
 */
export type RecentAck =
  | { readonly ok: true; readonly items: readonly SearchListItem[] }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** What the server sends. */
export interface ServerToClientEvents {
  'search:event': (event: LiveSearchEvent) => void;
  /** Every site with its live figures, pushed every second to the clients that sent `sites:subscribe`. */
  'sites:stats': (sites: readonly SiteInfo[]) => void;
  /**
   * Recent searches that changed (started, counted a site's answer, ended), newest first, to the
   * clients that sent `recent:subscribe`: at most one push a second per list, each item whole.
   */
  'recent:changed': (items: readonly SearchListItem[]) => void;
  /** The charts' sample of the second just ended, to the clients that sent `charts:subscribe`. */
  'charts:sample': (sample: ChartSample) => void;
}

/** What the client sends. */
export interface ClientToServerEvents {
  'search:subscribe': (
    /**
     * `lastAt`: the `at` of the client's event `afterSeq`, so the server can tell it still has it.
     * sitescan's own client always sends it with `afterSeq > 0` (`SearchFollower.follow` takes both
     * or neither); the hub accepts its absence, since `{searchId, afterSeq}` is the fixed interface.
     */
    payload: { searchId: string; afterSeq?: number; lastAt?: number },
    ack: (answer: SubscribeAck) => void,
  ) => void;
  'search:unsubscribe': (payload: { searchId: string }) => void;
  /** Joins the operations view: acks with every site now, then `sites:stats` follows. */
  'sites:subscribe': (ack: (sites: readonly SiteInfo[]) => void) => void;
  'sites:unsubscribe': () => void;
  /**
   * Follows the recent list of the home page: acks with the list now, then `recent:changed`
   * follows. With HISTORY_SCOPE=owner, the list of the handshake's history key only. No payload
   * (an empty object is accepted).
   */
  'recent:subscribe': (ack: (answer: RecentAck) => void) => void;
  'recent:unsubscribe': () => void;
  /**
   * Follows the live charts of `/sites`: acks with the samples kept (the last five minutes),
   * then `charts:sample` follows every second. No payload; the ack is the last argument.
   */
  'charts:subscribe': (ack: (history: ChartHistory) => void) => void;
  'charts:unsubscribe': () => void;
}

/** How many searches the home page lists, and how many of them are pushed live. */
export const RECENT_LIMIT = 8;

/** The room that receives `sites:stats`. */
export const SITES_ROOM = 'sites';

/** The room that receives `charts:sample`. */
export const CHARTS_ROOM = 'charts';

/**
 * The room that receives `recent:changed` for one list: everyone's (HISTORY_SCOPE=all, no
 * `owner`), or the searches of one owner (the digest of a history key, never the key).
 */
export function recentRoomFor(owner?: string): string {
  return owner === undefined ? 'recent' : `recent:${owner}`;
}

/** The room that receives one search's events. */
export function roomFor(searchId: string): string {
  return `search:${searchId}`;
}
