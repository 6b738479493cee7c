/**
 * Per-client limit on starting searches (rate-limiter-flexible, in memory): each search fans out
 * to dozens of sites, so one client must not be able to spend everyone's site quotas.
 *
 * The client is the TCP peer address, which the HTTP edge (edge.ts) writes into CLIENT_HEADER
 * on every request it passes to Next, overwriting whatever the client sent: a client cannot
 * choose its own identity.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { OverloadedError } from '../errors';

/** Limits how many searches one client starts per minute. */
export class ClientRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** Counts one search for `client`; throws `OverloadedError` (→ 429 + Retry-After) over the limit. */
  async take(client: string): Promise<void> {
    try {
      await this.limiter.consume(client);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new OverloadedError(
        `too many searches from this client (limit ${this.perMinute} per minute); try again in ${Math.ceil(error.msBeforeNext / 1000)} s`,
        error.msBeforeNext,
      );
    }
  }
}
