import { describe, expect, it } from 'vitest';
import { API_DATASET_SITES, createApiEmulations } from './apis';
import { FAULT_KINDS, malform, NO_FAULTS, planFault, validateFaultRates, type FaultKind, type FaultRates } from './faults';
import { faultRatesFor, limitsFor, PROFILES, SANDBOX_PROFILES } from './profiles';
import { createRng } from './rng';
import { SANDBOX_SITES } from './sandbox-sites';

/** Faults met in `n` seeded draws. */
function draw(rates: FaultRates, n: number, seed = 'faults'): Record<FaultKind | 'none', number> {
  const rng = createRng(seed);
  const counts = { none: 0, serverError: 0, hang: 0, truncated: 0, malformed: 0, slowFirstByte: 0, wall: 0, layoutChanged: 0 };
  for (let i = 0; i < n; i++) counts[planFault(rates, rng) ?? 'none']++;
  return counts;
}

const faultiness = [...SANDBOX_SITES.map((site) => site.faultiness), ...Object.values(createApiEmulations()).map((api) => api.faultiness)];

describe('profiles', () => {
  it('are default, calm, stormy and load', () => {
    expect(SANDBOX_PROFILES).toEqual(['default', 'calm', 'stormy', 'load']);
    expect(Object.keys(PROFILES).sort()).toEqual([...SANDBOX_PROFILES].sort());
  });

  it('calm and load never fault, whatever the site', () => {
    for (const k of [0, 1, 2]) {
      expect(faultRatesFor('calm', k)).toEqual(NO_FAULTS);
      expect(faultRatesFor('load', k)).toEqual(NO_FAULTS);
    }
    expect(draw(faultRatesFor('calm', 2), 5000).none).toBe(5000);
  });

  it.each([
    ['default', 1],
    ['default', 2],
    ['stormy', 1],
    ['stormy', 2],
  ] as const)('%s at faultiness %d meets each fault at its documented rate (seeded, 40,000 draws)', (profile, k) => {
    const rates = faultRatesFor(profile, k);
    const n = 40_000;
    const counts = draw(rates, n, `${profile}-${k}`);
    for (const kind of FAULT_KINDS) {
      const expected = PROFILES[profile].faults[kind] * k * n;
      // Binomial: within 4 standard deviations (and 15 draws) of the expectation.
      expect(Math.abs(counts[kind] - expected), kind).toBeLessThanOrEqual(4 * Math.sqrt(expected) + 15);
    }
  });

  it('stormy faults much more than default, and spares no site', () => {
    const total = (rates: FaultRates) => FAULT_KINDS.reduce((sum, kind) => sum + rates[kind], 0);
    expect(total(faultRatesFor('stormy', 0))).toBeGreaterThan(0.2);
    expect(total(faultRatesFor('stormy', 1))).toBeGreaterThan(4 * total(faultRatesFor('default', 1)));
    expect(total(faultRatesFor('default', 0))).toBe(0);
    for (const k of faultiness) validateFaultRates(faultRatesFor('stormy', k), `stormy×${k}`);
  });

  it('default keeps ≥ 90% of a search’s site jobs succeeding within 5 s with two retries (simulated)', () => {
    // One job: attempts until success, three failures, or the 5 s deadline. A hang costs the 4 s
    // attempt timeout; other faults cost ~1 s (latency plus a backoff); a healthy answer ~1 s.
    const rng = createRng('deadline');
    for (const k of [...new Set(faultiness)]) {
      const rates = faultRatesFor('default', k);
      let succeeded = 0;
      const jobs = 20_000;
      for (let job = 0; job < jobs; job++) {
        let elapsed = 0;
        for (let attempt = 0; attempt < 3 && elapsed < 5000; attempt++) {
          const fault = planFault(rates, rng);
          const cost = fault === 'hang' ? 4000 : fault === 'slowFirstByte' ? 3500 : 1000;
          elapsed += cost;
          if ((fault === undefined || fault === 'slowFirstByte') && elapsed <= 5000) {
            succeeded++;
            break;
          }
        }
      }
      expect(succeeded / jobs, `faultiness ${k}`).toBeGreaterThan(0.97);
    }
  });

  it('load raises every limit ×20 within the schema bounds, keeping windows', () => {
    expect(limitsFor('load', { concurrency: 2, requests: 5, perMs: 1000 })).toEqual({ concurrency: 40, requests: 100, perMs: 1000 });
    expect(limitsFor('load', { concurrency: 50, requests: 600, perMs: 60_000 })).toEqual({ concurrency: 100, requests: 10_000, perMs: 60_000 });
    for (const profile of ['default', 'calm', 'stormy'] as const) {
      expect(limitsFor(profile, { concurrency: 2, requests: 5, perMs: 1000 })).toEqual({ concurrency: 2, requests: 5, perMs: 1000 });
    }
    expect(PROFILES.load.latencyFactor).toBeLessThanOrEqual(0.1);
  });
});

describe('faults', () => {
  it('planFault is replayed by the same seed and consumes one number per request', () => {
    const rates = faultRatesFor('stormy', 1);
    const a = createRng('replay');
    const b = createRng('replay');
    const first = Array.from({ length: 200 }, () => planFault(rates, a));
    expect(Array.from({ length: 200 }, () => planFault(rates, b))).toEqual(first);
    expect(a.next()).toBe(b.next());
  });

  it('malform cuts a body so that JSON no longer parses', () => {
    const body = JSON.stringify({ results: Array.from({ length: 5 }, (_, i) => ({ name: `Place ${i}` })) });
    const rng = createRng('malform');
    for (let i = 0; i < 50; i++) {
      const cut = malform(body, rng);
      expect(cut.length).toBeLessThan(body.length);
      expect(body.startsWith(cut)).toBe(true);
      expect(() => JSON.parse(cut) as unknown).toThrow();
    }
  });

  it('rejects rates outside [0, 1] or summing over 1, naming them', () => {
    expect(() => validateFaultRates({ ...NO_FAULTS, hang: 1.5 }, 'faultOverrides.x')).toThrow('Expected `faultOverrides.x.hang` to be a number in [0, 1], got 1.5');
    expect(() => validateFaultRates({ ...NO_FAULTS, hang: 0.6, serverError: 0.6 }, 'x')).toThrow(/sum to at most 1/);
  });

  it('every site and API has a faultiness in 0–2, and the API dataset sites are distinct', () => {
    for (const k of faultiness) expect(k >= 0 && k <= 2).toBe(true);
    expect(new Set(API_DATASET_SITES.map((site) => site.id)).size).toBe(8);
  });
});
