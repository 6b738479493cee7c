/**
 * The send window: a site counts requests when they *arrive*, but p-queue's window counts when
 * a task *starts*. Between the two, a request waits for a connection and for the event loop
 * (measured: the first requests of a busy moment left 110 ms after their start). Then one
 * window's requests arrive bunched behind late ones and the site sees more than its limit.
 *
 *   p-queue start ──(event loop, connect)──▶ bytes leave ──(network)──▶ site counts an arrival
 *                                             ▲ undici:client:sendHeaders
 *
 * So each request's start also waits until the request `requests` places before it has been
 * *sent* for a full window (plus a small margin for network jitter). Send times come from
 * undici's diagnostics channel, matched to our attempt through AsyncLocalStorage.
 *
 * Invariants:
 * - Request k MUST NOT be started before request k − requests was sent + perMs + margin, unless
 *   that request was never sent (it failed before leaving, or rode on another's answer).
 * - Waiting is one timer or one send notification per request; nothing polls.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';

/**
 * Added to the window for jitter between our send and the site's arrival. 10 ms let one request
 * too many into a 1 s window in 300 × 3 saturation runs on a loaded 2-core machine (sites in
 * another process); 25 ms costs at most 2.4% of the rate.
 */
export const SEND_MARGIN_MS = 25;

/** One request's place in its site's send window. */
export class SendTicket {
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

  /** The attempt ended; a ticket never sent no longer constrains anyone. */
  settle(): void {
    this.settled = true;
    this.wake();
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

const context = new AsyncLocalStorage<SendTicket>();
const ticketsByRequest = new WeakMap<object, SendTicket>();
let listening = false;

function listen(now: () => number): void {
  if (listening) return;
  listening = true;
  // request:create runs inside fetch's own async chain, so the caller's context is still there.
  diagnostics.subscribe('undici:request:create', (message) => {
    const ticket = context.getStore();
    const request = (message as { request?: object }).request;
    if (ticket && request) ticketsByRequest.set(request, ticket);
  });
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const request = (message as { request?: object }).request;
    if (request) ticketsByRequest.get(request)?.markSent(now());
  });
}

/** Runs an attempt so that its HTTP requests report their send time to `ticket`. */
export async function sendingWith<T>(ticket: SendTicket, attempt: () => Promise<T>): Promise<T> {
  try {
    return await context.run(ticket, attempt);
  } finally {
    ticket.settle();
  }
}

/** A site's send window: the last `requests` tickets in start order. */
export class SendWindow {
  private readonly recent: SendTicket[] = [];
  private readonly now: () => number;

  constructor(
    private readonly limits: { readonly requests: number; readonly perMs: number },
    now: () => number = Date.now,
  ) {
    this.now = now;
    listen(now);
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
