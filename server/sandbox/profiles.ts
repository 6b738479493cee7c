/**
 * Sandbox profiles: what kind of day the network is having. A profile sets base fault rates
 * (scaled per site by the site's `faultiness`), a latency factor and a limit factor.
 *
 * | profile   | faults (at faultiness 1)                                  | latency | limits |
 * |-----------|-----------------------------------------------------------|---------|--------|
 * | `default` | 2% 5xx, 0.3% hang, 0.5% truncated, 0.5% malformed, 2% slow | × 1     | × 1    |
 * | `calm`    | none (deterministic tests)                                | × 1     | × 1    |
 * | `stormy`  | 10% 5xx, 3% hang, 4% truncated, 4% malformed, 8% slow, 3% bot wall, 2% layout changed; every site at least faultiness 1 | × 1.3 | × 1 |
 * | `load`    | none                                                      | × 0.1   | × 20   |
 *
 * `default` is tuned so that a search keeps its promise: with sitescan's retries (2 by default),
 * a site job fails only when a hang (4 s timeout) leaves too little time for the retry, or three
 * faults come in a row — well under 1% of jobs on the faultiest site, so ≥ 90% of a search's
 * site jobs succeed within 5 s with a wide margin. `load` raises every limit ×20 (concurrency at
 * most 100, requests at most 10,000: the site schema's bounds) and cuts latencies ×10, so that a
 * benchmark measures sitescan rather than the sites; the site definitions announce the raised
 * limits.
 */
import { NO_FAULTS, type FaultRates } from './faults';
import type { RateLimits } from './limiter';

/** A profile's name. */
export type SandboxProfile = 'default' | 'calm' | 'stormy' | 'load';

/** Every profile, in the order of the table above. */
export const SANDBOX_PROFILES: readonly SandboxProfile[] = ['default', 'calm', 'stormy', 'load'];

/** What a profile changes. */
export interface ProfileSpec {
  /** Fault rates of a site with faultiness 1; a site's rates are these × its faultiness. */
  readonly faults: FaultRates;
  /** Faultiness every site has at least (stormy: no site is spared). */
  readonly minFaultiness: number;
  /** Multiplier on every latency (on top of the sandbox's `speed`). */
  readonly latencyFactor: number;
  /** Multiplier on every limit (concurrency and requests; windows unchanged). */
  readonly limitFactor: number;
}

/** The profiles. */
export const PROFILES: Readonly<Record<SandboxProfile, ProfileSpec>> = {
  default: {
    faults: { serverError: 0.02, hang: 0.003, truncated: 0.005, malformed: 0.005, slowFirstByte: 0.02, wall: 0, layoutChanged: 0 },
    minFaultiness: 0,
    latencyFactor: 1,
    limitFactor: 1,
  },
  calm: { faults: NO_FAULTS, minFaultiness: 0, latencyFactor: 1, limitFactor: 1 },
  stormy: {
    faults: { serverError: 0.1, hang: 0.03, truncated: 0.04, malformed: 0.04, slowFirstByte: 0.08, wall: 0.03, layoutChanged: 0.02 },
    minFaultiness: 1,
    latencyFactor: 1.3,
    limitFactor: 1,
  },
  load: { faults: NO_FAULTS, minFaultiness: 0, latencyFactor: 0.1, limitFactor: 20 },
};

/** A site's fault rates under a profile: the profile's × the site's faultiness (0–2). */
export function faultRatesFor(profile: SandboxProfile, faultiness: number): FaultRates {
  const spec = PROFILES[profile];
  const k = Math.max(faultiness, spec.minFaultiness);
  return {
    serverError: spec.faults.serverError * k,
    hang: spec.faults.hang * k,
    truncated: spec.faults.truncated * k,
    malformed: spec.faults.malformed * k,
    slowFirstByte: spec.faults.slowFirstByte * k,
    wall: spec.faults.wall * k,
    layoutChanged: spec.faults.layoutChanged * k,
  };
}

/** A site's limits under a profile, within the site schema's bounds. */
export function limitsFor(profile: SandboxProfile, limits: RateLimits): RateLimits {
  const factor = PROFILES[profile].limitFactor;
  if (factor === 1) return { ...limits };
  return {
    concurrency: Math.min(100, Math.max(limits.concurrency, Math.round(limits.concurrency * factor))),
    requests: Math.min(10_000, Math.max(limits.requests, Math.round(limits.requests * factor))),
    perMs: limits.perMs,
  };
}
