/**
 * What a load run counts: numbers whose percentiles it reports (latencies, sizes), and tallies by
 * key (HTTP statuses, outcomes, error kinds).
 */
import { nearestRank } from '../support/figures';

/** Numbers with percentiles (nearest rank), sorted only when a percentile is asked for. */
export class Samples {
  private values: number[] = [];
  private sorted = true;

  add(value: number): void {
    this.values.push(value);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  percentile(p: number): number | undefined {
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return nearestRank(this.values, p);
  }

  summary(): { count: number; p50?: number; p95?: number; p99?: number; max?: number } {
    const at = (p: number) => {
      const value = this.percentile(p);
      return value === undefined ? undefined : Math.round(value * 10) / 10;
    };
    return { count: this.count, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
  }
}

/** Adds `by` (default 1) to the tally of `key`. */
export const increment = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};
