/**
 * One limited endpoint of the sandbox — a directory site or a place-API emulation — with
 * everything the server keeps about it: its limiter and firewall, its latency and fault rates,
 * and the counters that `GET /__sandbox/stats` reports.
 */
import { FAULT_KINDS, type FaultKind, type FaultRates } from './faults';
import type { LatencyProfile } from './latency';
import { SiteLimiter, type LimiterStats, type RateLimits } from './limiter';
import { AbuseBlocker, type PushBackStyle } from './push-back';

/** What one site or API saw since start or the last reset. */
export interface SandboxSiteStats extends LimiterStats {
  /** The limits it announces (site definition, `apiLimits()`): `exceeded` is measured against these. */
  readonly limits: RateLimits;
  /** The limits it enforces: the announced ones unless a test overrode them. */
  readonly enforced: RateLimits;
  /** How it refuses (`api`: the API's own refusal shape). */
  readonly pushBack: PushBackStyle | 'api';
  /** Responses sent, by HTTP status (`{"200": 12, "429": 3}`); a captcha page counts as 200. */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests the client gave up on before the answer was sent (hung requests aside). */
  readonly aborted: number;
  /** Faults served, by kind. */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Captcha pages served instead of results (`captcha` sites). */
  readonly captchas: number;
  /** Requests answered 403 because the client was blocked (`block` sites, Nominatim). */
  readonly blocked: number;
  /** Blocks started. */
  readonly blocks: number;
}

/** Options of an {@link Endpoint}. */
export interface EndpointOptions {
  readonly id: string;
  /** Announced limits. */
  readonly limits: RateLimits;
  /** Enforced limits. Default: the announced ones. */
  readonly enforced?: RateLimits;
  readonly latency: LatencyProfile;
  readonly faults: FaultRates;
  readonly pushBack: PushBackStyle | 'api';
  /** Whether abuse ends in a temporary 403 block. */
  readonly blocks: boolean;
}

/** State of one site or API. */
export class Endpoint {
  readonly id: string;
  readonly limits: RateLimits;
  readonly latency: LatencyProfile;
  readonly faults: FaultRates;
  readonly pushBack: PushBackStyle | 'api';
  readonly limiter: SiteLimiter;
  readonly blocker: AbuseBlocker | undefined;
  /** Arrivals since the last reset: part of each request's seed. */
  counter = 0;
  aborted = 0;
  captchas = 0;
  blocked = 0;
  readonly responses = new Map<number, number>();
  readonly faultCounts: Record<FaultKind, number> = zeroFaults();

  constructor(options: EndpointOptions) {
    this.id = options.id;
    this.limits = { ...options.limits };
    this.latency = options.latency;
    this.faults = options.faults;
    this.pushBack = options.pushBack;
    this.limiter = new SiteLimiter({ ...options.limits, ...(options.enforced ? { enforced: options.enforced } : {}) });
    this.blocker = options.blocks ? new AbuseBlocker() : undefined;
  }

  /** Counts a response sent with `status`. */
  responded(status: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
  }

  stats(): SandboxSiteStats {
    return {
      limits: { ...this.limits },
      enforced: { ...this.limiter.enforced },
      pushBack: this.pushBack,
      ...this.limiter.stats(),
      responses: Object.fromEntries([...this.responses].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n])),
      aborted: this.aborted,
      faults: { ...this.faultCounts },
      captchas: this.captchas,
      blocked: this.blocked,
      blocks: this.blocker?.blocks ?? 0,
    };
  }

  /** Zeroes the counters, forgets the windows and lifts any block. */
  reset(): void {
    this.limiter.reset();
    this.blocker?.reset();
    this.responses.clear();
    Object.assign(this.faultCounts, zeroFaults());
    this.counter = 0;
    this.aborted = 0;
    this.captchas = 0;
    this.blocked = 0;
  }
}

function zeroFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
}
