/**
 * One request's place in a site's send limit on Redis: a reservation until the request is sent,
 * then a send that ages out of the window by itself.
 */
import type { SendPermit } from '../pipeline/send-window';

/** Where a permit records its send or gives its place back (the limiter that admitted it). */
export interface PermitLedger {
  /** Records the send of `id`; never throws. */
  recordSend(id: string): void;
  /** Frees `id`'s place, never sent; never throws. */
  release(id: string): void;
}

/** A place admitted by a `RedisSiteLimiter`. */
export class RedisSendPermit implements SendPermit {
  private sent = false;
  private settled = false;

  constructor(
    /** The reservation's member in the site's sorted sets: unique across nodes. */
    readonly id: string,
    private readonly ledger: PermitLedger,
  ) {}

  /**
   * Records the send (the first only: a same-host redirect is a second request). `at` is this
   * node's clock and is not used: the send is recorded at Redis's time when the command runs,
   * which is never before the real send, so every node's window stays conservative.
   */
  markSent(_at: number): void {
    if (this.sent || this.settled) return;
    this.sent = true;
    this.ledger.recordSend(this.id);
  }

  /**
   * The attempt ended. A place never sent is freed at once; a sent one stays until it ages out
   * (its reservation was removed when the send was recorded, so nothing is left to do).
   */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (!this.sent) this.ledger.release(this.id);
  }
}
