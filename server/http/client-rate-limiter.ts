/**
 * Per-client limits on starting searches (rate-limiter-flexible, in memory): each search fans out
 * to dozens of sites, so one client must not be able to spend everyone's site quotas. Two of
 * them run: searches per minute (`POST /api/searches`) and bulk rows per hour (`POST /api/bulk`),
 * so a bulk run cannot be used to go around the first, and a client's bulk scans of its 200
 * businesses are not cut to 60.
 *
 * The client is the TCP peer address (or, behind proxies named by TRUST_PROXY, the address they
 * forwarded), which the HTTP edge (edge.ts) writes into CLIENT_HEADER on every request it passes
 * to Next, overwriting whatever the client sent: a client cannot choose its own identity.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { OverloadedError } from '../errors';

/** What one limiter counts, for its refusal: `searches` per `minute`. */
export interface ClientQuotaUnit {
  /** Plural noun of what is counted. Default `searches`. */
  readonly things?: string;
  /** Window in seconds. Default 60. */
  readonly seconds?: number;
  /** Window as words. Default `minute`. */
  readonly per?: string;
}

/** Limits how many things (searches, bulk rows) one client starts per window. */
export class ClientRateLimiter {
  private readonly limiter: RateLimiterMemory;
  private readonly things: string;
  private readonly per: string;

  constructor(
    readonly limit: number,
    unit: ClientQuotaUnit = {},
  ) {
    this.things = unit.things ?? 'searches';
    this.per = unit.per ?? 'minute';
    this.limiter = new RateLimiterMemory({ points: limit, duration: unit.seconds ?? 60 });
  }

  /** Counts one for `client`; throws `OverloadedError` (→ 429 + Retry-After) over the limit. */
  async take(client: string): Promise<void> {
    try {
      await this.limiter.consume(client);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new OverloadedError(
        `too many ${this.things} from this client (limit ${this.limit} per ${this.per}); try again in ${Math.ceil(error.msBeforeNext / 1000)} s`,
        error.msBeforeNext,
      );
    }
  }
}
