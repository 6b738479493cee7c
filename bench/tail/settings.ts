/**
 * How big the tail bench's runs are (env, read once and checked), and its targets.
 */
import { benchParts } from '../bench-parts';

/** A whole-number option from the environment, checked against its bounds. */
function intOption(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Expected \`${name}\` to be an integer in ${min}–${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Measured one-site searches per round. */
export const ONE_SITE_SEARCHES = intOption('BENCH_TAIL_SEARCHES', 200, 1, 100_000);
/** ms between two one-site searches (open loop). */
export const ONE_SITE_PACE_MS = intOption('BENCH_TAIL_PACE_MS', 250, 1, 60_000);
/** Measured all-sites searches per round on the sandbox. */
export const SANDBOX_SEARCHES = intOption('BENCH_TAIL_SANDBOX_SEARCHES', 40, 1, 10_000);
/**
 * ms between two sandbox searches (open loop). Nominatim's emulation takes 1 request/s, one at a
 * time, and every search asks it once: a faster pace than ~1.1 s queues searches at Nominatim and
 * measures that queue (its jobs fail for deadline), not the tail latency hedging is for.
 */
export const SANDBOX_PACE_MS = intOption('BENCH_TAIL_SANDBOX_PACE_MS', 1250, 1, 60_000);
/** Searches not counted at the start of every round, so that each site's latency model has samples. */
export const WARMUP_SEARCHES = intOption('BENCH_TAIL_WARMUP', 30, 0, 10_000);
/** Rounds of each mode: off, on, off, on … */
export const ROUNDS = intOption('BENCH_TAIL_ROUNDS', 2, 1, 100);
/** Seed of the heavy-tailed site and of the sandbox. */
export const SEED = intOption('BENCH_TAIL_SEED', 1, -2_147_483_648, 2_147_483_647);
/** Whether a scenario runs (BENCH_ONLY). */
export const runs = benchParts(['one-site', 'sandbox'] as const);

/** The targets, checked on the hedging-on columns. */
export const TARGETS = {
  oneSite: { p95Ms: 2_000, p99Ms: 3_000, doneShare: 0.98, requestsPerSearch: 1.25 },
  sandbox: { p95Ms: 4_000, jobsDoneShare: 0.999 },
} as const;
