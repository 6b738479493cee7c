/**
 * The ways a sandbox site misbehaves on a bad day, drawn per admitted request from the request's
 * seeded randomness (so the same requests in the same order meet the same faults):
 *
 * | fault             | what the client sees                                                        |
 * |-------------------|-----------------------------------------------------------------------------|
 * | `serverError`     | 500, 502, 503 (no Retry-After) or 504 with an error body, after the latency  |
 * | `hang`            | headers never come; the connection stays open until the client gives up      |
 * | `truncated`       | 200 with the full Content-Length, part of the body, then the socket is reset |
 * | `malformed`       | 200, complete, but the body is cut: invalid JSON, or HTML missing its end    |
 * | `slowFirstByte`   | a correct answer whose first byte comes 1.5–3 s late (× speed)               |
 * | `wall`            | 200 with a bot wall instead of the page: reCAPTCHA, hCaptcha, Cloudflare's   |
 * |                   | challenge or an "automation" interstitial (see walls.ts); directory sites only |
 * | `layoutChanged`   | 200 with the results in another site's markup, as after a redesign: the      |
 * |                   | site's definition no longer fits (see walls.ts); directory sites only        |
 *
 * A hung or truncated request gives its concurrency slot back at once: the server has dropped it,
 * only the client still waits, so a client that times out and tries again is never counted over
 * the concurrency limit for the sandbox's own fault.
 */
import type { Rng } from './rng';

/** Probability of each fault per admitted request, each in [0, 1]; their sum at most 1. */
export interface FaultRates {
  readonly serverError: number;
  readonly hang: number;
  readonly truncated: number;
  readonly malformed: number;
  readonly slowFirstByte: number;
  readonly wall: number;
  readonly layoutChanged: number;
}

/** A fault's name. */
export type FaultKind = keyof FaultRates;

/** The fault names, in the order {@link planFault} draws them. */
export const FAULT_KINDS: readonly FaultKind[] = ['serverError', 'hang', 'truncated', 'malformed', 'slowFirstByte', 'wall', 'layoutChanged'];

/** No faults at all. */
export const NO_FAULTS: FaultRates = { serverError: 0, hang: 0, truncated: 0, malformed: 0, slowFirstByte: 0, wall: 0, layoutChanged: 0 };

/** Faults only a directory site can serve (its pages have markup to change); an API's rates of them are 0. */
export const PAGE_FAULT_KINDS: readonly FaultKind[] = ['wall', 'layoutChanged'];

/** Extra delay of a slow first byte at speed 1, in ms. */
export const SLOW_FIRST_BYTE_MS = { min: 1500, max: 3000 } as const;

/** Statuses a server error is answered with. */
const SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;

/** Checks fault rates, naming the bad field. */
export function validateFaultRates(rates: FaultRates, where: string): void {
  let sum = 0;
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind];
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new TypeError(`Expected \`${where}.${kind}\` to be a number in [0, 1], got ${rate}`);
    }
    sum += rate;
  }
  if (sum > 1 + 1e-9) throw new TypeError(`Expected the fault rates of ${where} to sum to at most 1, got ${sum}`);
}

/** One draw: the fault this request meets, or undefined for a healthy answer. Always consumes one number. */
export function planFault(rates: FaultRates, rng: Rng): FaultKind | undefined {
  const roll = rng.next();
  let threshold = 0;
  for (const kind of FAULT_KINDS) {
    threshold += rates[kind];
    if (roll < threshold) return kind;
  }
  return undefined;
}

/** The status of a server-error fault. */
export function serverErrorStatus(rng: Rng): number {
  return rng.pick(SERVER_ERROR_STATUSES);
}

/** The extra delay of a slow first byte at speed 1, in ms. */
export function slowFirstByteMs(rng: Rng): number {
  return rng.int(SLOW_FIRST_BYTE_MS.min, SLOW_FIRST_BYTE_MS.max);
}

/**
 * A body cut at 30–80% of its length: JSON that no longer parses, HTML that stops mid-page
 * (a template that crashed half way). Never returns the body whole, unless it is empty.
 */
export function malform(body: string, rng: Rng): string {
  if (body.length < 2) return '';
  return body.slice(0, Math.max(1, Math.floor(body.length * (0.3 + 0.5 * rng.next()))));
}
