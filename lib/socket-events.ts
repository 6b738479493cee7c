/**
 * Typed Socket.IO event maps shared by the hub and the browser, so every `emit` is checked at
 * compile time on both sides.
 */
import type { SearchEvent } from './types';

/** A live event as pushed to a search's room: the event plus its search id. */
export interface LiveSearchEvent extends SearchEvent {
  readonly searchId: string;
}

/** Answer to `search:subscribe`: the events after `afterSeq`, or why it was refused. */
export type SubscribeAck =
  | { readonly ok: true; readonly events: readonly SearchEvent[] }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** What the server sends. */
export interface ServerToClientEvents {
  'search:event': (event: LiveSearchEvent) => void;
}

/** What the client sends. */
export interface ClientToServerEvents {
  'search:subscribe': (
    payload: { searchId: string; afterSeq?: number },
    ack: (answer: SubscribeAck) => void,
  ) => void;
  'search:unsubscribe': (payload: { searchId: string }) => void;
}

/** The room that receives one search's events. */
export function roomFor(searchId: string): string {
  return `search:${searchId}`;
}
