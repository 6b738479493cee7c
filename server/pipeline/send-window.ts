/**
 * The send window: a site counts requests when they *arrive*, but p-queue's window counts when
 * a task *starts*. Between the two, a request waits for a connection and for the event loop
 * (measured: the first requests of a busy moment left 110 ms after their start). Then one
 * window's requests arrive bunched behind late ones and the site sees more than its limit.
 *
 *   p-queue start ──(event loop, connect)──▶ bytes leave ──(network)──▶ site counts an arrival
 *                                             ▲ onSent (site-fetch: undici:client:sendHeaders)
 *
 * So each request's start also waits until the request `requests` places before it has been
 * *sent* for a full window (plus a small margin for network jitter). The attempt reports its
 * send through the connector's `onSent` callback.
 *
 * Invariants:
 * - Request k MUST NOT be started before request k − requests was sent + perMs + margin, unless
 *   that request was never sent (it failed before leaving, or rode on another's answer).
 * - Waiting is one timer or one send notification per request; nothing polls.
 */

/**
 * Added to the window for jitter between our send and the site's arrival. 10 ms let one request
 * too many into a 1 s window in 300 × 3 saturation runs on a loaded 2-core machine (sites in
 * another process); 25 ms costs at most 2.4% of the rate.
 */
export const SEND_MARGIN_MS = 25;

/** One request's place in a site's send limit: the attempt reports its send, then its end. */
export interface SendPermit {
  /** The request's first byte left at `at` (ms since epoch). */
  markSent(at: number): void;
  /** The attempt ended (sent or not); call it once it has. */
  settle(): void;
}

/** Admits a site's requests so that the site never counts more than its limit. */
export interface SendGate {
  /** Waits for a place; `signal` ends the wait early (cancel, deadline). */
  acquire(signal: AbortSignal): Promise<SendPermit>;
  /**
   * Whether a place taken now would be had at once, without waiting. Absent: the gate cannot
   * say (a cluster's gate on Redis), and nothing optional — a hedge — is sent through it.
   */
  hasRoomNow?(): boolean;
}

/** One request's place in its site's send window. */
export class SendTicket implements SendPermit {
  /** When its first byte left (ms since epoch), once known. */
  sentAt?: number;
  private settled = false;
  private readonly waiters: (() => void)[] = [];

  /** Records the send (the first only: a same-host redirect is a second request). */
  markSent(at: number): void {
    if (this.sentAt !== undefined || this.settled) return;
    this.sentAt = at;
    this.wake();
  }

  /** The attempt ended (call it once it has); a ticket never sent no longer constrains anyone. */
  settle(): void {
    this.settled = true;
    this.wake();
  }

  /** Whether the ticket no longer holds a place: sent, or ended without being sent. */
  get released(): boolean {
    return this.sentAt !== undefined || this.settled;
  }

  /** Resolves with the send time, or undefined when it will never be sent. */
  whenSent(): Promise<number | undefined> {
    if (this.sentAt !== undefined || this.settled) return Promise.resolve(this.sentAt);
    return new Promise((resolve) => this.waiters.push(() => resolve(this.sentAt)));
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** A site's send window: the last `requests` tickets in start order. */
export class SendWindow implements SendGate {
  private readonly recent: SendTicket[] = [];
  private readonly now: () => number;

  constructor(
    private readonly limits: { readonly requests: number; readonly perMs: number },
    now: () => number = Date.now,
  ) {
    this.now = now;
  }

  /** Whether `acquire` now would return at once: the place `requests` back was sent a window ago, or never. */
  hasRoomNow(): boolean {
    if (this.recent.length < this.limits.requests) return true;
    const previous = this.recent[this.recent.length - this.limits.requests]!;
    if (!previous.released) return false;
    return previous.sentAt === undefined || previous.sentAt + this.limits.perMs + SEND_MARGIN_MS <= this.now();
  }

  /**
   * Takes the next place in the window, waiting first until the request `requests` places back
   * has been out for a full window. `signal` ends the wait early (cancel, deadline).
   */
  async acquire(signal: AbortSignal): Promise<SendTicket> {
    const ticket = new SendTicket();
    const previous = this.recent.length >= this.limits.requests ? this.recent[this.recent.length - this.limits.requests] : undefined;
    this.recent.push(ticket);
    if (this.recent.length > this.limits.requests) this.recent.shift();
    if (!previous) return ticket;
    try {
      const sentAt = await abortable(previous.whenSent(), signal);
      const wait = sentAt === undefined ? 0 : sentAt + this.limits.perMs + SEND_MARGIN_MS - this.now();
      if (wait > 0) await abortable(new Promise<void>((resolve) => setTimeout(resolve, wait)), signal);
      return ticket;
    } catch (error) {
      // Never sent: release whoever waits on this place.
      ticket.settle();
      throw error;
    }
  }
}

/** Races a promise against an abort signal. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
