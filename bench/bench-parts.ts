/**
 * Which parts of a benchmark run: every one, or the comma-separated subset in BENCH_ONLY, for
 * working on one figure. A name that is not a part stops the run before anything starts.
 */

/** Whether `part` runs, given `parts` (all of the benchmark's) and BENCH_ONLY. */
export function benchParts<Part extends string>(parts: readonly Part[]): (part: Part) => boolean {
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((part) => part.trim()) : [...parts];
  for (const part of only) {
    if (!(parts as readonly string[]).includes(part)) throw new Error(`BENCH_ONLY: expected parts of ${parts.join(',')}, got "${part}"`);
  }
  return (part) => only.includes(part);
}
